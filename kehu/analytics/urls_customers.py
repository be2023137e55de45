"""Customer analytics pages: new customers, RFM, repurchase rate, churn warning."""

from django.urls import path

from kehu.analytics.views import customers

urlpatterns = [
    path("", customers.customer_new_page, name="customer-new"),
    path("rfm/", customers.customer_rfm_page, name="customer-rfm"),
    path("repurchase/", customers.customer_repurchase_page, name="customer-repurchase"),
    path("churn/", customers.customer_churn_page, name="customer-churn"),
    path("list/", customers.customer_drill_page, name="customer-drill"),
]

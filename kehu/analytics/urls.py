"""URLs of the analytics pages (namespace `analytics`)."""

from django.urls import include, path

app_name = "analytics"

urlpatterns = [
    path("", include("kehu.analytics.urls_sales")),
    path("customers/", include("kehu.analytics.urls_customers")),
]

"""Sales analytics pages: the funnel and the forecast (the role dashboards are on the home
page)."""

from django.urls import path

from kehu.analytics.views import sales

urlpatterns = [
    path("", sales.funnel_page, name="funnel"),
    path("forecast/", sales.forecast_page, name="forecast"),
]

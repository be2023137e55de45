from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from kehu.config.api import api
from kehu.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("customers/", include("kehu.customers.urls")),
    path("leads/", include("kehu.leads.urls")),
    path("sales/", include("kehu.sales.urls")),
    path("products/", include("kehu.catalog.urls")),
    path("quotes/", include("kehu.quotes.urls")),
    path("orders/", include("kehu.orders.urls")),
    path("targets/", include("kehu.targets.urls")),
    path("tasks/", include("kehu.tasks.urls")),
    path("analytics/", include("kehu.analytics.urls")),
    path("reports/", include("kehu.reports.urls")),
    path("", include("kehu.web.urls")),
]
# No /media/ URL, not even with DEBUG: uploaded files are served only by the views that check
# the viewer may see their record (customers:attachment, orders:attachment, import reports).

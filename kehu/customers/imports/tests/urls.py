"""The project's URLs with the import pages and API router mounted, as customers/urls.py and
config/api.py mount them (tests use this while those files do not include them yet)."""

from django.urls import include, path
from ninja import NinjaAPI

from kehu.config import urls as project
from kehu.core.common.api import SessionAuth, TokenAuth, register_error_handlers
from kehu.customers import urls as customer_urls
from kehu.customers.api import imports as imports_api
from kehu.customers.import_views import import_urlpatterns

api = NinjaAPI(urls_namespace="imports-test-api", auth=[TokenAuth(), SessionAuth(csrf=True)])
register_error_handlers(api)
api.add_router("/customers", imports_api.router)

_customer_patterns = list(customer_urls.urlpatterns)
if not any(getattr(p, "name", None) == "import-list" for p in _customer_patterns):
    _customer_patterns += import_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("customers/", include((_customer_patterns, "customers"))),
    *(p for p in project.urlpatterns if getattr(p, "namespace", None) != "customers"),
]

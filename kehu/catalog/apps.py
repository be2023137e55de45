from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kehu.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self) -> None:
        from kehu.core.permissions import registry

        registry.register("catalog.product", _("Products"), module="catalog")

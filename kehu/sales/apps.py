from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kehu.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.customers import relations
        from kehu.sales import customer_panels

        registry.register("sales.opportunity", _("Opportunities"), module="sales")
        relations.register("sales.Opportunity", "customer", _("opportunities"))
        customer_panels.register()

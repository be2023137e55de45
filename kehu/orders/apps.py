from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "kehu.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.customers import relations
        from kehu.orders import customer_panel

        registry.register("orders.order", _("Orders and contracts"), module="sales")
        relations.register("orders.Order", "customer", _("orders"))
        customer_panel.register()

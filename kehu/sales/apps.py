from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _migrated(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    from kehu.sales import board_totals

    # SQLite drops a table's triggers when a migration rebuilds it
    board_totals.ensure_installed(connections[using])


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
        post_migrate.connect(_migrated, sender=self, dispatch_uid="kehu-sales-board-totals")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.core.search import index
        from kehu.customers import panels_builtin, relations  # noqa: F401 - registers panels
        from kehu.customers.privacy import registry as privacy
        from kehu.customers.privacy.customers_source import CustomerSource

        registry.register("customers.customer", _("Customers"), module="customers")
        registry.register("customers.contact", _("Contacts"), module="customers",
                          grantable=False)
        index.register("customers.customer", 1)
        relations.register("customers.Contact", "customer", _("contacts"))
        relations.register("customers.FollowUp", "customer", _("follow-ups"))
        privacy.register(CustomerSource())

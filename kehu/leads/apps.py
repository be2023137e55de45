from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "kehu.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.customers.privacy import registry as privacy
        from kehu.leads.erasure import LeadSource

        registry.register("leads.lead", _("Leads"), module="sales")
        privacy.register(LeadSource())

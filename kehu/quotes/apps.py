from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PANEL_SIZE = 5


def customer_panel(actor, customer) -> dict:
    """The customer's latest quotes the viewer may see (the 360° panel)."""
    from kehu.quotes import selectors

    quotes = list(selectors.quote_list(actor=actor, customer_id=customer.pk)[:PANEL_SIZE + 1])
    return {"quotes": quotes[:PANEL_SIZE], "more_quotes": len(quotes) > PANEL_SIZE}


def opportunity_panel(actor, opportunity) -> dict:
    """The opportunity's quotes, latest revision first (the opportunity page's panel)."""
    from kehu.quotes import selectors

    return {"quotes": list(selectors.quote_list(actor=actor, opportunity_id=opportunity.pk)[:20]),
            "can_create_quote": actor.can("create", "quotes.quote")}


class QuotesConfig(AppConfig):
    name = "kehu.quotes"
    label = "quotes"
    verbose_name = _("Quotes")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.customers import panels, relations

        registry.register("quotes.quote", _("Quotes"), module="sales")
        relations.register("quotes.Quote", "customer", _("quotes"))
        from kehu.sales import panels as opportunity_panels

        panels.register_panel(key="quotes", label=_("Quotes"), order=45,
                              template="quotes/customer_panel.html", context=customer_panel)
        opportunity_panels.register_panel(key="quotes", label=_("Quotes"), order=20,
                                          template="quotes/opportunity_panel.html",
                                          context=opportunity_panel)

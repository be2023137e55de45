"""The sales module on the customer 360° view: a panel with the customer's opportunities (the
ones the viewer may see, with a "new opportunity" link) and two key figures, open deals and
their amount. Registered from SalesConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.customers import panels
from kehu.sales import selectors

OBJECT_TYPE = "sales.opportunity"
SHOWN = 10


def _summary(actor, customer) -> dict[str, Any]:
    """Both figures from one query, remembered for the rest of the request."""
    if not actor.can("view", OBJECT_TYPE):
        return None
    return actor.remember(f"sales.open_summary.{customer.pk}",
                          lambda: selectors.customer_open_summary(actor=actor,
                                                                  customer_id=customer.pk))


def open_deal_count(actor, customer) -> int | None:
    summary = _summary(actor, customer)
    return None if summary is None else summary["count"]


def open_deal_amount(actor, customer) -> str | None:
    summary = _summary(actor, customer)
    if summary is None:
        return None
    return money.format_money(summary["amount"], actor.organization.default_currency)


def opportunities_context(actor, customer) -> dict[str, Any]:
    if not actor.can("view", OBJECT_TYPE):
        return {"opportunities": [], "can_create": False, "more": False}
    rows = selectors.customer_opportunities(actor=actor, customer_id=customer.pk,
                                            limit=SHOWN + 1)
    return {"opportunities": rows[:SHOWN], "more": len(rows) > SHOWN,
            "can_create": actor.can("create", OBJECT_TYPE) and customer.deleted_at is None}


def register() -> None:
    panels.register_figure(key="open_deals", label=_("Open deals"), order=50,
                           value=open_deal_count)
    panels.register_figure(key="open_deal_amount", label=_("Open deal amount"), order=55,
                           value=open_deal_amount)
    panels.register_panel(key="opportunities", label=_("Opportunities"), order=30,
                          template="sales/customer_panel.html", context=opportunities_context)

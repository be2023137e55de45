"""The orders block and key figures of the customer 360° view (registered from
`OrdersConfig.ready()` through kehu/customers/panels.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.orders import selectors

ORDERS_SHOWN = 10


def _currency(actor) -> str:
    return actor.organization.default_currency


def _totals(actor, customer) -> dict[str, Any]:
    """One aggregate for the three figures of a page."""
    return actor.remember(f"orders.customer_totals.{customer.pk}",
                          lambda: selectors.order_totals(actor=actor, customer_id=customer.pk))


def lifetime_revenue(actor, customer) -> str | None:
    """The amount of the customer's signed and completed orders."""
    if not actor.can("view", "orders.order"):
        return None
    totals = _totals(actor, customer)
    return money.format_money(totals["amount"], _currency(actor)) if totals["count"] else None


def collected(actor, customer) -> str | None:
    if not actor.can("view", "orders.order"):
        return None
    totals = _totals(actor, customer)
    return money.format_money(totals["collected"], _currency(actor)) if totals["count"] else None


def last_order(actor, customer):
    if not actor.can("view", "orders.order"):
        return None
    return _totals(actor, customer)["last_signed_on"]


def orders_context(actor, customer) -> dict[str, Any]:
    if not actor.can("view", "orders.order"):
        return {"orders": []}
    orders = list(selectors.order_list(actor=actor, customer_id=customer.pk)[:ORDERS_SHOWN + 1])
    return {"orders": orders[:ORDERS_SHOWN], "more_orders": len(orders) > ORDERS_SHOWN,
            "totals": _totals(actor, customer),
            "can_create_order": actor.can("create", "orders.order")}


def register() -> None:
    from kehu.customers import panels

    panels.register_figure(key="lifetime_revenue", label=_("Lifetime revenue"), order=50,
                           value=lifetime_revenue)
    panels.register_figure(key="collected", label=_("Collected"), order=55, value=collected)
    panels.register_figure(key="last_order", label=_("Last order"), order=60, value=last_order)
    panels.register_panel(key="orders", label=_("Orders"), order=40,
                          template="orders/customer_panel.html", context=orders_context)

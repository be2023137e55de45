"""Scene setting for quote tests: opportunities through the sales service (their customer,
currency and default pipeline come with them) and quotes through the quote services."""

from __future__ import annotations

from decimal import Decimal

from kehu.core.permissions.actor import Actor
from kehu.customers.tests.factories import CustomerFactory
from kehu.quotes import services
from kehu.quotes.models import Quote
from kehu.sales.services import opportunities


def opportunity_for(actor: Actor, *, customer=None, name: str = "年度采购项目", **values):
    customer = customer or CustomerFactory(organization=actor.organization,
                                           owner=actor.user)
    return opportunities.opportunity_create(actor=actor, values={
        "customer": customer, "name": name, "amount": Decimal("10000.00"), **values})


def quote_for(actor: Actor, *, lines: list[dict] | None = None, customer=None) -> Quote:
    """A draft quote with free lines: each dict is line values (name, quantity, unit_price,
    discount_percent, tax_rate)."""
    quote = services.quote_create(actor=actor, opportunity=opportunity_for(actor,
                                                                          customer=customer))
    for values in lines or []:
        services.line_add(actor=actor, quote=quote, values=values)
    quote.refresh_from_db()
    return quote


def line(name: str = "实施服务", quantity: str = "1", price: str = "100.00",
         discount: str = "0", tax: str = "13") -> dict:
    return {"name": name, "quantity": Decimal(quantity), "unit_price": Decimal(price),
            "discount_percent": Decimal(discount), "tax_rate": Decimal(tax)}

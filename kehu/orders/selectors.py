"""Reads of orders, their plans, payments, invoices and attachments, and the money figures
other modules build on (targets, the customer 360° view, reports). Everything goes through
the central scoping, so each figure covers only what the actor may see."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from kehu.core.common import money
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.orders.models import Instalment, Invoice, Order, OrderAttachment, Payment

# orders that count as business won (lifetime revenue, won amounts, outstanding)
WON_STATUSES = (Order.Status.SIGNED, Order.Status.COMPLETED)


# ---------------------------------------------------------------------------------------------
# figures (collected_by_owner is the targets module's entry point: keep its signature)


def collected_by_owner(*, actor: Actor, start: datetime.date | None,
                       end: datetime.date | None) -> dict[int, Decimal]:
    """Money received per order owner (user id → amount) with `start` ≤ received_on ≤ `end`
    (either bound may be None), over the orders the actor may see. One GROUP BY query.
    Amounts are summed as recorded: an organization is expected to book in one currency."""
    qs = scoping.visible(actor, Payment.objects.all())
    if start is not None:
        qs = qs.filter(received_on__gte=start)
    if end is not None:
        qs = qs.filter(received_on__lte=end)
    rows = (qs.filter(order__owner__isnull=False).order_by().values("order__owner_id")
            .annotate(total=Sum("amount")).values_list("order__owner_id", "total"))
    return {owner_id: _q(total) for owner_id, total in rows}


def won_orders_amount_by_owner(*, actor: Actor, start: datetime.date | None,
                               end: datetime.date | None) -> dict[int, Decimal]:
    """The amount of orders signed (signed or completed) per owner, by signing date."""
    qs = scoping.visible(actor, Order.objects.all()).filter(status__in=WON_STATUSES,
                                                            owner__isnull=False)
    if start is not None:
        qs = qs.filter(signed_on__gte=start)
    if end is not None:
        qs = qs.filter(signed_on__lte=end)
    rows = (qs.order_by().values("owner_id").annotate(total=Sum("amount"))
            .values_list("owner_id", "total"))
    return {owner_id: _q(total) for owner_id, total in rows}


def _q(value: Decimal | None) -> Decimal:
    """Sums come back from SQLite without their scale (339 for 339.00)."""
    return money.quantize(value or money.ZERO)


def _totals(qs: QuerySet[Order]) -> dict[str, Any]:
    values = qs.aggregate(amount=Sum("amount"), collected=Sum("collected_amount"),
                          invoiced=Sum("invoiced_amount"), count=Count("id"),
                          last_signed_on=Max("signed_on"))
    for key in ("amount", "collected", "invoiced"):
        values[key] = _q(values[key])
    values["outstanding"] = values["amount"] - values["collected"]
    return values


def order_totals(*, actor: Actor, customer_id: int | None = None,
                 owner_id: int | None = None) -> dict[str, Any]:
    """Amount (lifetime revenue), collected, outstanding, invoiced, count and the last
    signing date of the signed and completed orders the actor may see (of one customer or
    one owner when given)."""
    qs = scoping.visible(actor, Order.objects.all()).filter(status__in=WON_STATUSES)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return _totals(qs)


def customer_summary(*, actor: Actor, customer_id: int) -> dict[str, Any]:
    return {"customer_id": customer_id, **order_totals(actor=actor, customer_id=customer_id)}


def totals_by_owner(*, actor: Actor) -> dict[int, dict[str, Decimal]]:
    """Per rep: amount, collected and outstanding of their signed and completed orders."""
    rows = (scoping.visible(actor, Order.objects.all())
            .filter(status__in=WON_STATUSES, owner__isnull=False).order_by()
            .values("owner_id")
            .annotate(amount=Sum("amount"), collected=Sum("collected_amount")))
    return {r["owner_id"]: {"amount": _q(r["amount"]), "collected": _q(r["collected"]),
                            "outstanding": _q(r["amount"] - r["collected"])} for r in rows}


# ---------------------------------------------------------------------------------------------
# orders


def order_list(*, actor: Actor, action: str = "view", status: str = "",
               owner_id: int | None = None, customer_id: int | None = None,
               q: str = "") -> QuerySet[Order]:
    qs = (scoping.visible(actor, Order.objects.all(), action)
          .select_related("customer", "owner").order_by("-id"))
    if status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return qs


def order_get(*, actor: Actor, pk: object, action: str = "view") -> Order:
    return scoping.get_visible(actor, Order.objects.select_related(
        "customer", "owner", "opportunity", "quote"), pk, action)


def line_list(*, actor: Actor, order: Order) -> QuerySet:
    return order.lines.filter(organization=actor.organization).select_related("product")


def instalment_list(*, actor: Actor, order: Order) -> QuerySet[Instalment]:
    return scoping.visible(actor, Instalment.objects.filter(order=order)).order_by(
        "sequence", "id")


def payment_list(*, actor: Actor, order: Order) -> QuerySet[Payment]:
    return (scoping.visible(actor, Payment.objects.filter(order=order))
            .select_related("instalment", "recorded_by"))


def invoice_list(*, actor: Actor, order: Order) -> QuerySet[Invoice]:
    return scoping.visible(actor, Invoice.objects.filter(order=order))


def attachment_list(*, actor: Actor, order: Order) -> QuerySet[OrderAttachment]:
    return scoping.visible(actor, OrderAttachment.objects.filter(order=order))


def _child_get(actor: Actor, model, pk: object, action: str):
    return scoping.get_visible(actor, model.objects.select_related("order"), pk, action)


def instalment_get(*, actor: Actor, pk: object, action: str = "view") -> Instalment:
    return _child_get(actor, Instalment, pk, action)


def payment_get(*, actor: Actor, pk: object, action: str = "view") -> Payment:
    return _child_get(actor, Payment, pk, action)


def invoice_get(*, actor: Actor, pk: object, action: str = "view") -> Invoice:
    return _child_get(actor, Invoice, pk, action)


def attachment_get(*, actor: Actor, pk: object, action: str = "view") -> OrderAttachment:
    return _child_get(actor, OrderAttachment, pk, action)


def overdue_instalments(*, actor: Actor, today: datetime.date | None = None,
                        owner_id: int | None = None) -> QuerySet[Instalment]:
    """Instalments of signed or completed orders due before today and not fully paid,
    oldest first."""
    today = today or timezone.localdate()
    qs = (scoping.visible(actor, Instalment.objects.all())
          .filter(due_on__lt=today, amount__gt=F("collected_amount"),
                  order__status__in=WON_STATUSES)
          .select_related("order", "order__customer", "order__owner")
          .order_by("due_on", "id"))
    if owner_id:
        qs = qs.filter(order__owner_id=owner_id)
    return qs

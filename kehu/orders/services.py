"""Orders and contracts (订单/合同): creation from won business, the status flow, the payment
plan (回款计划), payments (回款), invoices (开票), attachments and overdue reminders.

The derived money fields (`Order.collected_amount`, `Order.invoiced_amount`,
`Instalment.collected_amount`) are recomputed from their rows inside the transaction that
changed them, with the order locked, so two people recording payments at the same moment
cannot both pass the "not above the outstanding amount" check.
"""

from __future__ import annotations

import calendar
import datetime
import os
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kehu.core.audit import services as audit
from kehu.core.common import money, records, uploads
from kehu.core.common.errors import DomainError
from kehu.core.notifications import services as notifications
from kehu.core.numbering import services as numbering
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.orders.models import (
    Instalment,
    Invoice,
    Order,
    OrderAttachment,
    OrderLine,
    Payment,
)

Status = Order.Status
TRANSITIONS = {
    Status.DRAFT: {Status.SIGNED, Status.CANCELLED},
    Status.SIGNED: {Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}
# orders whose plan is binding: only these get overdue reminders
ACTIVE_STATUSES = (Status.SIGNED, Status.COMPLETED)
MAX_INSTALMENTS = 60
MAX_FILES = 9
LINE_FIELDS = ("product", "product_id", "sku", "name", "unit", "quantity", "unit_price",
               "discount_percent", "tax_rate")


# ---------------------------------------------------------------------------------------------
# orders


def _check_customer(actor: Actor, customer: Any) -> None:
    if customer is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    if customer.organization_id != actor.organization.pk:
        raise ValidationError({"customer": _("Choose a customer of this organization.")})


def _line_rows(actor: Actor, order: Order, lines: Iterable[dict[str, Any]]) -> list[OrderLine]:
    rows = []
    for position, line in enumerate(lines):
        values = {k: v for k, v in line.items() if k in LINE_FIELDS}
        quantity = Decimal(values.get("quantity", 1))
        unit_price = Decimal(values.get("unit_price", 0))
        discount = Decimal(values.get("discount_percent", 0) or 0)
        tax = Decimal(values.get("tax_rate", 0) or 0)
        if not str(values.get("name") or "").strip():
            raise ValidationError({"lines": _("Every line needs a name.")})
        if quantity <= 0 or unit_price < 0 or not (0 <= discount <= 100) or tax < 0:
            raise ValidationError({"lines": _("Line %(n)d has an invalid quantity, price, "
                                              "discount or tax rate.") % {"n": position + 1}})
        amounts = money.line_amounts(quantity=quantity, unit_price=unit_price,
                                     discount_percent=discount, tax_rate=tax,
                                     currency=order.currency)
        total = line.get("total")
        rows.append(OrderLine(organization=actor.organization, order=order, position=position,
                              **{**values, "quantity": quantity, "unit_price": unit_price,
                                 "discount_percent": discount, "tax_rate": tax},
                              total=amounts.total if total is None else total))
    return rows


@transaction.atomic
def order_create(*, actor: Actor, values: dict[str, Any],
                 lines: Iterable[dict[str, Any]] | None = None,
                 custom: dict[str, Any] | None = None) -> Order:
    """A new draft order. `values` are model attributes (customer, title, amount, currency,
    starts_on, ends_on, notes, owner_id, opportunity, quote). Without an amount, the sum of
    the `lines` is taken."""
    values = {k: v for k, v in values.items() if k not in ("status", "number", "signed_on")}
    _check_customer(actor, values.get("customer"))
    values.setdefault("currency", actor.organization.default_currency)
    lines = list(lines or [])
    if not str(values.get("title") or "").strip():
        values["title"] = str(values["customer"])[:200]
    scoping.require(actor, "create", Order)
    probe = Order(currency=values["currency"])
    rows = _line_rows(actor, probe, lines)
    if values.get("amount") is None:
        values["amount"] = sum((r.total for r in rows), money.ZERO)
    values["amount"] = money.quantize(values["amount"], values["currency"])
    values["number"] = numbering.next_number(organization=actor.organization, key="order",
                                             prefix="SO")
    order = records.create_record(actor=actor, model=Order, values=values, custom=custom)
    for row in rows:
        row.order = order
    OrderLine.objects.bulk_create(rows)
    return order


def _owner_for(actor: Actor, owner_id: int | None) -> dict[str, Any]:
    """Keep the source record's owner when the actor may assign orders to others."""
    if owner_id and actor.can("assign", "orders.order"):
        return {"owner_id": owner_id}
    return {}


@transaction.atomic
def order_create_from_opportunity(*, actor: Actor, opportunity: Any,
                                  values: dict[str, Any] | None = None) -> Order:
    """An order for a won opportunity: its customer, amount, currency and product lines."""
    if opportunity.status != "won":
        raise DomainError("opportunity_not_won",
                          _("Only a won opportunity can become an order."))
    lines = []
    for line in opportunity.lines.select_related("product").all():
        product = line.product
        lines.append({"product": product, "sku": getattr(product, "sku", "") or "",
                      "unit": getattr(product, "unit", "") or "", "name": line.name,
                      "quantity": line.quantity, "unit_price": line.unit_price,
                      "discount_percent": line.discount_percent, "tax_rate": line.tax_rate,
                      "total": line.total})
    base = {"customer": opportunity.customer, "opportunity": opportunity,
            "title": opportunity.name, "amount": opportunity.amount,
            "currency": opportunity.currency, **_owner_for(actor, opportunity.owner_id)}
    return order_create(actor=actor, values={**base, **(values or {})}, lines=lines)


@transaction.atomic
def order_create_from_quote(*, actor: Actor, quote: Any,
                            values: dict[str, Any] | None = None) -> Order:
    """An order for an accepted quote: its customer, lines and total."""
    if quote.status != "accepted":
        raise DomainError("quote_not_accepted",
                          _("Only an accepted quote can become an order."))
    lines = [{"product_id": line.product_id, "sku": line.sku, "unit": line.unit,
              "name": line.name, "quantity": line.quantity, "unit_price": line.unit_price,
              "discount_percent": line.discount_percent, "tax_rate": line.tax_rate,
              "total": line.total} for line in quote.lines.all()]
    base = {"customer": quote.customer, "opportunity_id": quote.opportunity_id, "quote": quote,
            "title": quote.title, "amount": quote.total, "currency": quote.currency,
            **_owner_for(actor, quote.owner_id)}
    return order_create(actor=actor, values={**base, **(values or {})}, lines=lines)


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).get(pk=order.pk)


def _plan_total(order: Order) -> Decimal:
    return order.instalments.aggregate(total=Sum("amount"))["total"] or money.ZERO


@transaction.atomic
def order_update(*, actor: Actor, order: Order, values: dict[str, Any],
                 custom: dict[str, Any] | None = None, version: int | None = None) -> Order:
    """Edit an order; `status` moves it along draft → signed → completed / cancelled."""
    values = {k: v for k, v in values.items() if k not in ("number", "customer",
                                                            "customer_id")}
    current = _lock(order)
    status = values.get("status")
    if (status is not None and status != current.status
            and status not in TRANSITIONS.get(current.status, set())):
        raise DomainError("invalid_transition",
                          _("An order cannot go from “%(from)s” to “%(to)s”.") % {
                              "from": current.get_status_display(),
                              "to": Status(status).label if status in Status.values
                              else status})
    errors = {}
    if "amount" in values and values["amount"] is not None:
        amount = money.quantize(values["amount"], values.get("currency", current.currency))
        values["amount"] = amount
        if amount < _plan_total(current):
            errors["amount"] = _("The amount cannot be below the payment plan's total "
                                 "(%(total)s).") % {"total": _plan_total(current)}
        elif amount < current.invoiced_amount:
            errors["amount"] = _("The amount cannot be below what has been invoiced "
                                 "(%(total)s).") % {"total": current.invoiced_amount}
    if (values.get("currency") not in (None, current.currency)
            and current.payments.exists()):
        errors["currency"] = _("The currency cannot change once payments are recorded.")
    if errors:
        raise ValidationError(errors)
    return records.update_record(actor=actor, instance=order, values=values, custom=custom,
                                 version=version)


def order_set_status(*, actor: Actor, order: Order, status: str,
                     signed_on: datetime.date | None = None,
                     version: int | None = None) -> Order:
    values: dict[str, Any] = {"status": status}
    if signed_on is not None:
        values["signed_on"] = signed_on
    return order_update(actor=actor, order=order, values=values, version=version)


@transaction.atomic
def order_delete(*, actor: Actor, order: Order) -> None:
    """To the recycle bin. An order with payments stays: its money has to be accounted for
    (cancel it instead, or delete its payments first)."""
    current = _lock(order)
    if current.payments.exists():
        raise DomainError("order_has_payments",
                          _("An order with payments cannot be deleted. Delete its payments "
                            "first, or cancel the order instead."))
    records.delete_record(actor=actor, instance=order)


def _require_open(order: Order) -> None:
    if order.status == Status.CANCELLED:
        raise DomainError("order_cancelled", _("This order is cancelled."))


# ---------------------------------------------------------------------------------------------
# payment plan


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _check_positive(amount: Decimal | None) -> None:
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})


@transaction.atomic
def instalment_create(*, actor: Actor, order: Order, values: dict[str, Any]) -> Instalment:
    """One more instalment (sequence, due date, amount); the plan may not exceed the order."""
    current = _lock(order)
    _require_open(current)
    amount = values.get("amount")
    _check_positive(amount)
    amount = money.quantize(amount, current.currency)
    planned = _plan_total(current)
    if planned + amount > current.amount:
        raise ValidationError({"amount": _(
            "The payment plan would total %(total)s, more than the order amount %(amount)s "
            "(%(left)s left to plan).") % {
                "total": money.format_money(planned + amount, current.currency),
                "amount": money.format_money(current.amount, current.currency),
                "left": money.format_money(current.amount - planned, current.currency)}})
    sequence = values.get("sequence") or (
        (current.instalments.aggregate(m=Max("sequence"))["m"] or 0) + 1)
    return records.create_record(actor=actor, model=Instalment, values={
        "order": current, "sequence": sequence, "due_on": values.get("due_on"),
        "amount": amount, "notes": values.get("notes", "")})


def split_amounts(amount: Decimal, count: int, currency: str = "CNY") -> list[Decimal]:
    """`count` equal parts of `amount`; the last takes the rounding remainder, so the parts
    always add up to the amount exactly (¥100.00 in 3 → 33.33, 33.33, 33.34)."""
    part = money.quantize(amount / count, currency)
    return [part] * (count - 1) + [amount - part * (count - 1)]


@transaction.atomic
def instalments_split(*, actor: Actor, order: Order, count: int, first_due_on: datetime.date,
                      interval_months: int = 1) -> list[Instalment]:
    """Replace the plan by `count` equal instalments, due every `interval_months` from
    `first_due_on`. Refused while any instalment has payments recorded against it."""
    current = _lock(order)
    _require_open(current)
    if not 1 <= count <= MAX_INSTALMENTS:
        raise ValidationError({"count": _("Choose between 1 and %(n)d instalments.")
                               % {"n": MAX_INSTALMENTS}})
    if not 0 <= interval_months <= 24:
        raise ValidationError({"interval_months": _("Choose an interval of 0 to 24 months.")})
    if first_due_on is None:
        raise ValidationError({"first_due_on": _("Enter the first due date.")})
    if current.amount <= 0:
        raise ValidationError({"count": _("The order has no amount to split.")})
    if Payment.objects.filter(instalment__order=current).exists():
        raise DomainError("plan_has_payments",
                          _("Payments are recorded against this plan; delete instalments one "
                            "by one instead."))
    for instalment in list(current.instalments.all()):
        records.delete_record(actor=actor, instance=instalment)
    created = []
    for i, amount in enumerate(split_amounts(current.amount, count, current.currency)):
        created.append(records.create_record(actor=actor, model=Instalment, values={
            "order": current, "sequence": i + 1, "amount": amount,
            "due_on": add_months(first_due_on, i * interval_months)}))
    return created


@transaction.atomic
def instalment_delete(*, actor: Actor, instalment: Instalment) -> None:
    _lock(instalment.order)
    if instalment.payments.exists():
        raise DomainError("instalment_has_payments",
                          _("Payments are recorded against this instalment; delete them "
                            "first."))
    records.delete_record(actor=actor, instance=instalment)


# ---------------------------------------------------------------------------------------------
# payments and invoices


def _refresh_collected(order: Order) -> None:
    """Recompute the order's and its instalments' collected amounts from the payments (no
    version bump: nobody's open edit of the order goes stale because money came in)."""
    total = order.payments.aggregate(total=Sum("amount"))["total"] or money.ZERO
    Order.objects.filter(pk=order.pk).update(collected_amount=total)
    sums = dict(Payment.objects.filter(order=order, instalment__isnull=False)
                .order_by().values_list("instalment_id").annotate(total=Sum("amount")))
    for instalment in Instalment.objects.filter(order=order):
        collected = sums.get(instalment.pk, money.ZERO)
        if instalment.collected_amount != collected:
            Instalment.objects.filter(pk=instalment.pk).update(collected_amount=collected)
    order.refresh_from_db(fields=["collected_amount"])


@transaction.atomic
def payment_create(*, actor: Actor, order: Order, values: dict[str, Any],
                   allow_overpayment: bool = False) -> Payment:
    """Record money received (amount, received_on, method, reference, notes, optionally
    `instalment`). More than the outstanding amount (of the order, or of the instalment)
    is refused with code `overpayment` unless `allow_overpayment`."""
    current = _lock(order)
    _require_open(current)
    amount = values.get("amount")
    _check_positive(amount)
    amount = money.quantize(amount, current.currency)
    instalment = values.get("instalment")
    if instalment is None and values.get("instalment_id"):
        instalment = Instalment.objects.filter(pk=values["instalment_id"],
                                               order=current).first()
        if instalment is None:
            raise ValidationError({"instalment": _("Choose an instalment of this order.")})
    if instalment is not None and instalment.order_id != current.pk:
        raise ValidationError({"instalment": _("Choose an instalment of this order.")})
    if not allow_overpayment:
        outstanding = current.amount - current.collected_amount
        if amount > outstanding:
            raise DomainError("overpayment", _(
                "%(amount)s is more than the outstanding amount of the order (%(left)s). "
                "Confirm to record it anyway.") % {
                    "amount": money.format_money(amount, current.currency),
                    "left": money.format_money(outstanding, current.currency)},
                details={"outstanding": str(outstanding)})
        if instalment is not None:
            instalment.refresh_from_db(fields=["collected_amount"])
            left = instalment.amount - instalment.collected_amount
            if amount > left:
                raise DomainError("overpayment", _(
                    "%(amount)s is more than the outstanding amount of instalment %(n)d "
                    "(%(left)s). Confirm to record it anyway.") % {
                        "amount": money.format_money(amount, current.currency),
                        "n": instalment.sequence,
                        "left": money.format_money(left, current.currency)},
                    details={"outstanding": str(left)})
    payment = records.create_record(actor=actor, model=Payment, values={
        "order": current, "instalment": instalment, "amount": amount,
        "currency": current.currency,
        "received_on": values.get("received_on") or timezone.localdate(),
        "method": values.get("method") or Payment.Method.BANK_TRANSFER,
        "reference": values.get("reference", ""), "notes": values.get("notes", ""),
        "recorded_by": actor.user})
    _refresh_collected(current)
    return payment


@transaction.atomic
def payment_delete(*, actor: Actor, payment: Payment) -> None:
    """Reverse a payment recorded by mistake; the collected amounts go back down."""
    current = _lock(payment.order)
    records.delete_record(actor=actor, instance=payment)
    _refresh_collected(current)


def _refresh_invoiced(order: Order) -> None:
    total = order.invoices.aggregate(total=Sum("amount"))["total"] or money.ZERO
    Order.objects.filter(pk=order.pk).update(invoiced_amount=total)
    order.refresh_from_db(fields=["invoiced_amount"])


@transaction.atomic
def invoice_create(*, actor: Actor, order: Order, values: dict[str, Any]) -> Invoice:
    """An issued invoice (number unique in the organization, kind, amount, issued_on);
    everything invoiced may not exceed the order amount."""
    current = _lock(order)
    _require_open(current)
    number = str(values.get("number") or "").strip()
    if not number:
        raise ValidationError({"number": _("Enter the invoice number.")})
    if Invoice.objects.filter(organization=actor.organization, number=number).exists():
        raise ValidationError({"number": _("An invoice with this number already exists.")})
    amount = values.get("amount")
    _check_positive(amount)
    amount = money.quantize(amount, current.currency)
    if current.invoiced_amount + amount > current.amount:
        raise ValidationError({"amount": _(
            "Invoiced would total %(total)s, more than the order amount %(amount)s.") % {
                "total": money.format_money(current.invoiced_amount + amount, current.currency),
                "amount": money.format_money(current.amount, current.currency)}})
    invoice = records.create_record(actor=actor, model=Invoice, values={
        "order": current, "number": number, "amount": amount,
        "kind": values.get("kind") or Invoice.Kind.VAT_SPECIAL,
        "issued_on": values.get("issued_on") or timezone.localdate(),
        "notes": values.get("notes", "")})
    _refresh_invoiced(current)
    return invoice


@transaction.atomic
def invoice_delete(*, actor: Actor, invoice: Invoice) -> None:
    current = _lock(invoice.order)
    records.delete_record(actor=actor, instance=invoice)
    _refresh_invoiced(current)


# ---------------------------------------------------------------------------------------------
# attachments


@transaction.atomic
def attachments_add(*, actor: Actor, order: Order,
                    files: Iterable[UploadedFile]) -> list[OrderAttachment]:
    """Keep contract scans and other files with the order; the same types and size limit
    as follow-up attachments."""
    scoping.require(actor, "edit", Order)
    files = list(files)
    if not files:
        raise ValidationError({"files": _("Choose a file.")})
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most %(n)d files at a time.") % {"n": MAX_FILES}})
    content_types = [uploads.check_upload(f, field="files") for f in files]
    created = []
    for upload, content_type in zip(files, content_types, strict=True):
        attachment = OrderAttachment.objects.create(
            organization=actor.organization, order=order, file=upload,
            original_name=os.path.basename(upload.name)[:200], content_type=content_type,
            size=upload.size, uploaded_by=actor.user)
        audit.change_record(actor=actor, action="create", instance=attachment, before=None,
                            after=audit.snapshot(attachment))
        created.append(attachment)
    return created


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: OrderAttachment) -> None:
    scoping.require(actor, "edit", Order)
    before = audit.snapshot(attachment)
    pk, stored = attachment.pk, attachment.file.name
    attachment.delete()
    attachment.pk = pk
    audit.change_record(actor=actor, action="delete", instance=attachment, before=before,
                        after=None)
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))


# ---------------------------------------------------------------------------------------------
# overdue reminders


def instalments_remind_overdue(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Tell each order's owner about its instalments due before `today` that are not fully
    paid: in the notification center and by email, at most once a day per instalment.
    Returns how many reminders went out."""
    today = today or timezone.localdate()
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    stamp = timezone.make_aware(datetime.datetime.combine(today,
                                                          timezone.localtime().time()))
    with transaction.atomic():
        due = (Instalment.objects.select_for_update(of=("self",))
               .filter(organization=actor.organization, due_on__lt=today,
                       amount__gt=F("collected_amount"), order__status__in=ACTIVE_STATUSES,
                       order__deleted_at__isnull=True, order__owner__isnull=False)
               .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_day))
               .select_related("order", "order__owner", "order__customer")
               .order_by("due_on", "pk"))
        reminded = []
        for instalment in due:
            order = instalment.order
            owner = order.owner
            with override(owner.language or None):
                title = _("Payment overdue: %(order)s, instalment %(n)d") % {
                    "order": order.number, "n": instalment.sequence}
                body = _("%(customer)s: %(left)s was due on %(date)s.") % {
                    "customer": order.customer,
                    "left": money.format_money(instalment.outstanding_amount, order.currency),
                    "date": instalment.due_on.isoformat()}
            notifications.notify(organization=actor.organization, recipient=owner,
                                 kind="order.instalment_overdue", title=title, body=body,
                                 url=reverse("orders:order-detail", args=[order.pk]),
                                 email=True)
            reminded.append(instalment.pk)
        Instalment.objects.filter(pk__in=reminded).update(reminded_at=stamp)
    return len(reminded)

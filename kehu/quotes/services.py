"""Writes of quotes: create from an opportunity, edit lines, approve, send, revise.

Amounts follow the one rule of kehu/core/common/money.py: every line's discount, net and tax
are rounded half-up to the currency's minor unit, and the quote's totals are the sums of its
rounded lines. They are only ever computed by `money.line_amounts` / `money.document_totals`.

Revisions: "revise" copies a quote into revision N+1 numbered "<first number>-N" (the first
revision keeps the plain number, e.g. QT-2026-00012, then QT-2026-00012-2, QT-2026-00012-3)
and marks the old one superseded. Only the latest revision can be submitted, sent or accepted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from kehu.catalog import selectors as catalog_selectors
from kehu.core.audit import services as audit
from kehu.core.common import money, records
from kehu.core.common.errors import DomainError, PermissionDeniedError, StaleWrite
from kehu.core.notifications import services as notifications
from kehu.core.numbering import services as numbering
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.quotes import selectors
from kehu.quotes.models import Quote, QuoteLine, QuoteSettings

S = Quote.Status
LINES_EDITABLE = {S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.REJECTED}
BACK_TO_DRAFT = {S.PENDING_APPROVAL, S.APPROVED, S.REJECTED}
HEADER_FIELDS = {"title", "contact", "valid_until", "terms", "notes"}
LINE_FIELDS = {"product", "sku", "name", "unit", "quantity", "unit_price", "discount_percent",
               "tax_rate"}


# -- helpers -----------------------------------------------------------------------------------

def _write(*, actor: Actor, quote: Quote, values: dict[str, Any],
           version: int | None = None, note: str = "") -> Quote:
    """Change the quote (status, totals…) under its row lock: refuse a stale `version`, bump
    the version, write the audit log. Permission checks are the caller's."""
    current = (Quote.objects.select_for_update().filter(pk=quote.pk)
               .values_list("version", flat=True).first())
    if current is None:
        raise Quote.DoesNotExist
    if version is not None and version != current:
        raise StaleWrite(current_version=current)
    quote.refresh_from_db()
    before = audit.snapshot(quote)
    for name, value in values.items():
        setattr(quote, name, value)
    quote.version = current + 1
    quote.save()
    audit.change_record(actor=actor, action="update", instance=quote, before=before,
                        after=audit.snapshot(quote), note=note)
    return quote


def _require_latest(quote: Quote) -> None:
    if quote.status == S.SUPERSEDED or not selectors.is_latest(quote):
        raise DomainError("superseded", _("A newer revision of this quote exists; work on "
                                          "that one."))


def _require_status(quote: Quote, allowed: set[str], message: str) -> None:
    if quote.status not in allowed:
        raise DomainError("wrong_status", message, details={"status": quote.status})


def overall_discount_percent(quote: Quote) -> Decimal:
    if not quote.subtotal:
        return Decimal(0)
    return quote.discount_total * money.HUNDRED / quote.subtotal


def needs_approval(quote: Quote, settings: QuoteSettings) -> bool:
    threshold = settings.approval_threshold
    return (quote.max_discount_percent > threshold
            or overall_discount_percent(quote) > threshold)


def _quote_url(quote: Quote) -> str:
    return reverse("quotes:quote-detail", args=[quote.pk])


def _notify(user, *, quote: Quote, kind: str, title: str, body: str = "") -> None:
    notifications.notify(organization=quote.organization, recipient=user, kind=kind,
                         title=title, body=body, url=_quote_url(quote))


def _language_of(user) -> str | None:
    """The recipient's language, else the one active now."""
    return getattr(user, "language", "") or get_language()


# -- totals ------------------------------------------------------------------------------------

def recalculate(*, actor: Actor, quote: Quote, note: str = "") -> Quote:
    """Recompute every line and the quote's totals; lines edited after a submission send the
    quote back to draft (it has to be submitted, and maybe approved, again)."""
    lines = list(QuoteLine.objects.filter(quote=quote).order_by("position", "id"))
    amounts = []
    for line in lines:
        a = money.line_amounts(quantity=line.quantity, unit_price=line.unit_price,
                               discount_percent=line.discount_percent,
                               tax_rate=line.tax_rate, currency=quote.currency)
        line.subtotal, line.discount, line.tax, line.total = (a.subtotal, a.discount, a.tax,
                                                              a.total)
        amounts.append(a)
    QuoteLine.objects.bulk_update(lines, ["subtotal", "discount", "tax", "total"])
    totals = money.document_totals(amounts)
    values: dict[str, Any] = {
        "subtotal": totals.subtotal, "discount_total": totals.discount,
        "tax_total": totals.tax, "total": totals.total,
        "max_discount_percent": max((line.discount_percent for line in lines),
                                    default=Decimal(0)),
    }
    if quote.status in BACK_TO_DRAFT:
        values.update(status=S.DRAFT, approver=None, approval_requested_at=None,
                      approval_decided_at=None)
    return _write(actor=actor, quote=quote, values=values, note=note)


# -- quotes ------------------------------------------------------------------------------------

@transaction.atomic
def quote_create(*, actor: Actor, opportunity, values: dict[str, Any] | None = None,
                 copy_lines: bool = True) -> Quote:
    """A draft quote for `opportunity` (fetched by the caller through the sales selectors):
    its customer and currency, the customer's price book, the organization's default terms,
    and a copy of the opportunity's product lines."""
    scoping.require(actor, "create", Quote)
    values = {k: v for k, v in (values or {}).items() if k in HEADER_FIELDS}
    settings = selectors.settings_get(organization=actor.organization)
    customer = opportunity.customer
    contact = values.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("Choose a contact of the quote's customer.")})
    values.setdefault("contact", getattr(opportunity, "contact", None))
    values.setdefault("title", opportunity.name)
    values.setdefault("terms", settings.default_terms)
    values.setdefault("valid_until", timezone.localdate()
                      + datetime.timedelta(days=settings.validity_days))
    values.update(
        opportunity=opportunity, customer=customer, currency=opportunity.currency,
        price_book=catalog_selectors.pricebook_for(actor=actor, customer=customer),
        number=numbering.next_number(organization=actor.organization, key="quote",
                                     prefix="QT"),
        revision=1, status=S.DRAFT)
    quote = records.create_record(actor=actor, model=Quote, values=values)
    if copy_lines:
        for position, line in enumerate(opportunity.lines.select_related("product")
                                        .order_by("position", "id"), start=1):
            product = line.product
            QuoteLine.objects.create(
                organization=actor.organization, quote=quote, product=product,
                sku=product.sku if product else "", unit=product.unit if product else "",
                name=line.name, quantity=line.quantity, unit_price=line.unit_price,
                discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                position=position)
        if quote.lines.exists():
            quote = recalculate(actor=actor, quote=quote)
    return quote


@transaction.atomic
def quote_update(*, actor: Actor, quote: Quote, values: dict[str, Any],
                 version: int | None = None) -> Quote:
    """Edit the header (title, contact, valid until, terms, notes) while not yet sent."""
    _require_status(quote, LINES_EDITABLE, _("Only a quote that has not been sent can be "
                                             "edited. Revise it instead."))
    values = {k: (v.strip() if isinstance(v, str) and k == "title" else v)
              for k, v in values.items() if k in HEADER_FIELDS}
    contact = values.get("contact")
    if contact is not None and contact.customer_id != quote.customer_id:
        raise ValidationError({"contact": _("Choose a contact of the quote's customer.")})
    return records.update_record(actor=actor, instance=quote, values=values, version=version)


@transaction.atomic
def quote_delete(*, actor: Actor, quote: Quote) -> None:
    if quote.status != S.DRAFT or quote.revision > 1:
        raise DomainError("not_deletable", _("Only a first draft can be deleted."))
    records.delete_record(actor=actor, instance=quote)


# -- lines -------------------------------------------------------------------------------------

def _line_values(actor: Actor, quote: Quote, values: dict[str, Any],
                 line: QuoteLine | None) -> dict[str, Any]:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
              if k in LINE_FIELDS}
    product = values.get("product")
    changed_product = product is not None and (line is None or line.product_id != product.pk)
    if changed_product:
        if product.organization_id != actor.organization.pk:
            raise ValidationError({"product": _("Choose a product of this organization.")})
        if not product.is_active:
            raise ValidationError({"product": _("This product is no longer sold.")})
        price, _book = catalog_selectors.price_quote(actor=actor, product=product,
                                                     customer=quote.customer)
        defaults = {"name": product.name, "sku": product.sku, "unit": product.unit,
                    "unit_price": price, "tax_rate": product.tax_rate}
        for name, value in defaults.items():
            if values.get(name) in (None, ""):
                values[name] = value
    errors: dict[str, str] = {}
    quantity = values.get("quantity")
    if quantity is not None and quantity <= 0:
        errors["quantity"] = _("Enter a quantity above 0.")
    price = values.get("unit_price")
    if price is not None and price < 0:
        errors["unit_price"] = _("A price cannot be negative.")
    for name in ("discount_percent", "tax_rate"):
        rate = values.get(name)
        if rate is not None and not (0 <= rate <= 100):
            errors[name] = _("Enter a percentage between 0 and 100.")
    if line is None and not values.get("name"):
        errors["name"] = _("Pick a product or enter a name.")
    if line is None and values.get("unit_price") is None and "unit_price" not in errors:
        errors["unit_price"] = _("Enter a unit price.")
    if errors:
        raise ValidationError(errors)
    return values


def _lines_editable(actor: Actor, quote: Quote) -> None:
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    _require_status(quote, LINES_EDITABLE, _("The lines of a sent quote cannot change. "
                                             "Revise it instead."))


@transaction.atomic
def line_add(*, actor: Actor, quote: Quote, values: dict[str, Any]) -> QuoteLine:
    """Add a line: a product (its name, SKU, unit, tax rate and the customer's price are
    filled in unless given) or a free line (name and unit price)."""
    _lines_editable(actor, quote)
    values = _line_values(actor, quote, values, None)
    position = (quote.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = records.create_record(actor=actor, model=QuoteLine,
                                 values={**values, "quote": quote, "position": position})
    recalculate(actor=actor, quote=quote, note=_("Line added"))
    line.refresh_from_db()
    return line


@transaction.atomic
def line_update(*, actor: Actor, quote: Quote, line: QuoteLine,
                values: dict[str, Any]) -> QuoteLine:
    _lines_editable(actor, quote)
    values = _line_values(actor, quote, values, line)
    before = audit.snapshot(line)
    for name, value in values.items():
        setattr(line, name, value)
    line.full_clean(exclude=["organization", "quote"], validate_unique=False)
    line.save()
    audit.change_record(actor=actor, action="update", instance=line, before=before,
                        after=audit.snapshot(line))
    recalculate(actor=actor, quote=quote, note=_("Line changed"))
    line.refresh_from_db()
    return line


@transaction.atomic
def line_delete(*, actor: Actor, quote: Quote, line: QuoteLine) -> None:
    _lines_editable(actor, quote)
    records.delete_record(actor=actor, instance=line)
    recalculate(actor=actor, quote=quote, note=_("Line removed"))


# -- approval and the rest of the life cycle ---------------------------------------------------

@transaction.atomic
def quote_submit(*, actor: Actor, quote: Quote) -> Quote:
    """Draft (or rejected) → approved when every discount is within the threshold, else →
    waiting for approval, and the approver (or the admins) are notified."""
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    _require_status(quote, {S.DRAFT, S.REJECTED},
                    _("Only a draft or rejected quote can be submitted."))
    quote.refresh_from_db()
    if not quote.lines.exists():
        raise DomainError("no_lines", _("Add at least one line before submitting."))
    settings = selectors.settings_get(organization=actor.organization)
    now = timezone.now()
    if not needs_approval(quote, settings):
        return _write(actor=actor, quote=quote, values={
            "status": S.APPROVED, "approver": None, "approval_requested_at": now,
            "approval_decided_at": now, "approval_comment": ""},
            note=_("Approved automatically (discount within the threshold)"))
    approver_id = settings.approver_id
    if approver_id and not [u for u in selectors.approver_users(
            organization=actor.organization, quote=None) if u.pk == approver_id]:
        approver_id = None
    quote = _write(actor=actor, quote=quote, values={
        "status": S.PENDING_APPROVAL, "approver_id": approver_id,
        "approval_requested_at": now, "approval_decided_at": None, "approval_comment": ""})
    requester = actor.user.name if actor.user else ""
    for user in selectors.approver_users(organization=actor.organization, quote=quote):
        if actor.user is not None and user.pk == actor.user.pk:
            continue
        with override(_language_of(user)):
            _notify(user, quote=quote, kind="quote.approval_requested",
                    title=_("Quote %(number)s needs your approval") % {"number": quote.number},
                    body=_("%(user)s asks for approval of a %(discount)s%% discount on "
                           "“%(title)s”.") % {
                        "user": requester, "title": quote.title,
                        "discount": f"{quote.max_discount_percent.normalize():f}"})
    return quote


def _decide(actor: Actor, quote: Quote, approved: bool, comment: str) -> Quote:
    # who may decide first: someone else learns nothing about where the quote stands
    if not selectors.can_decide(actor=actor, quote=quote):
        raise PermissionDeniedError(_("Only the quote's approver or an admin can decide."))
    _require_status(quote, {S.PENDING_APPROVAL},
                    _("This quote is not waiting for approval."))
    comment = (comment or "").strip()
    if not approved and not comment:
        raise ValidationError({"comment": _("Say why the quote is rejected.")})
    quote = _write(actor=actor, quote=quote, values={
        "status": S.APPROVED if approved else S.REJECTED,
        "approver": actor.user, "approval_decided_at": timezone.now(),
        "approval_comment": comment})
    owner = quote.owner
    if owner is not None and (actor.user is None or owner.pk != actor.user.pk):
        with override(_language_of(owner)):
            title = (_("Quote %(number)s was approved") if approved
                     else _("Quote %(number)s was rejected")) % {"number": quote.number}
            _notify(owner, quote=quote, kind="quote.approved" if approved else "quote.rejected",
                    title=title, body=comment)
    return quote


@transaction.atomic
def quote_approve(*, actor: Actor, quote: Quote, comment: str = "") -> Quote:
    return _decide(actor, quote, True, comment)


@transaction.atomic
def quote_reject(*, actor: Actor, quote: Quote, comment: str) -> Quote:
    return _decide(actor, quote, False, comment)


@transaction.atomic
def quote_send(*, actor: Actor, quote: Quote) -> Quote:
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    _require_status(quote, {S.APPROVED}, _("Only an approved quote can be sent."))
    return _write(actor=actor, quote=quote, values={"status": S.SENT})


@transaction.atomic
def quote_accept(*, actor: Actor, quote: Quote) -> Quote:
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    _require_status(quote, {S.SENT}, _("Only a sent quote can be accepted."))
    return _write(actor=actor, quote=quote, values={"status": S.ACCEPTED})


@transaction.atomic
def quote_decline(*, actor: Actor, quote: Quote) -> Quote:
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    _require_status(quote, {S.SENT}, _("Only a sent quote can be declined."))
    return _write(actor=actor, quote=quote, values={"status": S.DECLINED})


@transaction.atomic
def quote_revise(*, actor: Actor, quote: Quote) -> Quote:
    """Copy the quote and its lines into a new draft revision; the old one is superseded."""
    scoping.require(actor, "edit", Quote)
    _require_latest(quote)
    if quote.status == S.ACCEPTED:
        raise DomainError("wrong_status", _("An accepted quote cannot be revised."))
    root = quote.number if quote.revision == 1 else quote.number.rsplit("-", 1)[0]
    revision = quote.revision + 1
    values = {name: getattr(quote, name) for name in (
        "opportunity", "customer", "contact", "title", "currency", "price_book", "valid_until",
        "terms", "notes", "subtotal", "discount_total", "tax_total", "total",
        "max_discount_percent")}
    values.update(number=f"{root}-{revision}", revision=revision, supersedes=quote,
                  status=S.DRAFT)
    if quote.owner_id and actor.can("assign", "quotes.quote"):
        values["owner_id"] = quote.owner_id
    new = records.create_record(actor=actor, model=Quote, values=values,
                                custom=quote.custom_data or None)
    QuoteLine.objects.bulk_create([QuoteLine(
        organization=actor.organization, quote=new, product_id=line.product_id, sku=line.sku,
        name=line.name, unit=line.unit, quantity=line.quantity, unit_price=line.unit_price,
        discount_percent=line.discount_percent, tax_rate=line.tax_rate,
        subtotal=line.subtotal, discount=line.discount, tax=line.tax, total=line.total,
        position=line.position) for line in quote.lines.order_by("position", "id")])
    _write(actor=actor, quote=quote, values={"status": S.SUPERSEDED},
           note=_("Superseded by %(number)s") % {"number": new.number})
    return new


# -- settings ----------------------------------------------------------------------------------

SETTINGS_FIELDS = ("approval_threshold", "approver_id", "company_name", "company_address",
                   "company_phone", "tax_number", "bank_account", "default_terms",
                   "validity_days")


@transaction.atomic
def settings_update(*, actor: Actor, values: dict[str, Any]) -> QuoteSettings:
    scoping.require_admin(actor)
    current = selectors.settings_get(organization=actor.organization)
    before = audit.snapshot(current) if current.pk else None
    for name, value in values.items():
        if name in SETTINGS_FIELDS:
            setattr(current, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, str] = {}
    if not (0 <= current.approval_threshold <= 100):
        errors["approval_threshold"] = _("Enter a percentage between 0 and 100.")
    if current.approver_id and current.approver_id not in {
            u.pk for u in _active_member_users(actor)}:
        errors["approver"] = _("Choose an active member of this organization.")
    if errors:
        raise ValidationError(errors)
    current.full_clean(exclude=["organization"], validate_unique=False)
    current.save()
    audit.change_record(actor=actor, action="update" if before else "create",
                        instance=current, before=before, after=audit.snapshot(current))
    return current


def _active_member_users(actor: Actor) -> list:
    from kehu.core.accounts import selectors as account_selectors

    return [m.user for m in account_selectors.member_list(organization=actor.organization,
                                                          active=True)]

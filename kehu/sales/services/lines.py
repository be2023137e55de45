"""Product lines of an opportunity. Once an opportunity has lines, its amount is the sum of
their totals (computed with the one rounding rule in kehu.core.common.money)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.common import money, records
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.sales.models import Opportunity, OpportunityLine
from kehu.sales.services.opportunities import weighted

LINE_FIELDS = ("product", "name", "quantity", "unit_price", "discount_percent", "tax_rate",
               "position")


def _decimal(values: dict[str, Any], name: str) -> None:
    if name in values and values[name] is not None and not isinstance(values[name], Decimal):
        try:
            values[name] = money.to_decimal(values[name])
        except (TypeError, ValueError):
            raise ValidationError({name: _("Enter a number.")}) from None


def _clean(actor: Actor, values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    values = dict(values)
    product = values.get("product")
    if product is not None:
        if product.organization_id != actor.organization.pk:
            raise ValidationError({"product": _("Choose a product of this organization.")})
        if creating:
            if not (values.get("name") or "").strip():
                values["name"] = product.name
            if values.get("unit_price") in (None, ""):
                values["unit_price"] = product.list_price
            if values.get("tax_rate") in (None, ""):
                values["tax_rate"] = product.tax_rate
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    for name in ("quantity", "unit_price", "discount_percent", "tax_rate"):
        if values.get(name) == "":
            values[name] = None
        _decimal(values, name)
    errors = {}
    if values.get("quantity") is not None and values["quantity"] <= 0:
        errors["quantity"] = _("Enter a quantity above zero.")
    if values.get("unit_price") is not None and values["unit_price"] < 0:
        errors["unit_price"] = _("The unit price cannot be negative.")
    discount = values.get("discount_percent")
    if discount is not None and not 0 <= discount <= 100:
        errors["discount_percent"] = _("Enter a percentage from 0 to 100.")
    tax = values.get("tax_rate")
    if tax is not None and not 0 <= tax <= 100:
        errors["tax_rate"] = _("Enter a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    for name in ("quantity", "discount_percent", "tax_rate"):
        if name in values and values[name] is None:
            values.pop(name)
    return values


def line_total(line: OpportunityLine, currency: str) -> Decimal:
    return money.line_amounts(quantity=line.quantity, unit_price=line.unit_price,
                              discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                              currency=currency).total


def sync_amount(*, actor: Actor, opportunity: Opportunity) -> Opportunity:
    """The opportunity's amount (and weighted amount) := the sum of its lines' totals."""
    total = OpportunityLine.objects.filter(opportunity=opportunity).aggregate(
        total=Sum("total"))["total"]
    if total is None:
        return opportunity
    total = money.quantize(total, opportunity.currency)
    opportunity.refresh_from_db()
    if total == opportunity.amount:
        return opportunity
    return records.update_record(
        actor=actor, instance=opportunity,
        values={"amount": total,
                "weighted_amount": weighted(total, opportunity.stage, opportunity.currency)})


@transaction.atomic
def line_create(*, actor: Actor, opportunity: Opportunity,
                values: dict[str, Any]) -> OpportunityLine:
    values = _clean(actor, values, creating=True)
    if values.get("position") is None:
        last = opportunity.lines.aggregate(last=Max("position"))["last"]
        values["position"] = 0 if last is None else last + 1
    line = OpportunityLine(opportunity=opportunity, **values)
    if line.unit_price is not None and line.quantity is not None:
        line.total = line_total(line, opportunity.currency)
    values["total"] = line.total
    line = records.create_record(actor=actor, model=OpportunityLine,
                                 values={"opportunity": opportunity, **values})
    sync_amount(actor=actor, opportunity=opportunity)
    return line


@transaction.atomic
def line_update(*, actor: Actor, line: OpportunityLine,
                values: dict[str, Any]) -> OpportunityLine:
    """Lines carry no version of their own: the opportunity's amount is what people edit
    concurrently, and it is recomputed from the lines every time."""
    scoping.require(actor, "edit", OpportunityLine)
    values = _clean(actor, values, creating=False)
    line = OpportunityLine.objects.select_for_update().select_related("opportunity") \
        .get(pk=line.pk)
    before = audit.snapshot(line)
    for name, value in values.items():
        setattr(line, name, value)
    line.full_clean(exclude=["organization", "opportunity", "product"], validate_unique=False)
    line.total = line_total(line, line.opportunity.currency)
    line.save()
    audit.change_record(actor=actor, action="update", instance=line, before=before,
                        after=audit.snapshot(line))
    sync_amount(actor=actor, opportunity=line.opportunity)
    return line


@transaction.atomic
def line_delete(*, actor: Actor, line: OpportunityLine) -> None:
    opportunity = line.opportunity
    records.delete_record(actor=actor, instance=line)
    sync_amount(actor=actor, opportunity=opportunity)

"""Writes of targets: create, update, delete (each audited through the record helpers), set
(create or update, for the editor) and the monthly targets of a team's members at once.

Only people and teams inside the actor's data scope can be given a target."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Team
from kehu.core.common import money, records
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.targets import selectors
from kehu.targets.models import PeriodKind, Target, period_start

SUBJECT_FIELDS = ("user", "user_id", "team", "team_id")


def _normalize(actor: Actor, values: dict[str, Any], target: Target | None = None
               ) -> dict[str, Any]:
    """Subject as user_id/team_id, the period start moved to the period's first day, the
    organization's currency by default; unknown period kinds are left for the model to
    refuse."""
    values = dict(values)
    for name in ("user", "team"):
        if name in values:
            obj = values.pop(name)
            values[f"{name}_id"] = obj.pk if obj is not None else None
    kind = values.get("period_kind", target.period_kind if target else PeriodKind.MONTH)
    values.setdefault("period_kind", kind)
    start = values.get("period_start")
    if isinstance(start, datetime.date) and kind in PeriodKind.values:
        values["period_start"] = period_start(kind, start)
    if target is None:
        values.setdefault("currency", actor.organization.default_currency)
    amount = values.get("amount")
    if amount is not None and not isinstance(amount, float):
        currency = values.get("currency") or (target.currency if target else "CNY")
        try:
            values["amount"] = money.quantize(money.to_decimal(amount), currency)
        except (ValueError, ArithmeticError):
            raise ValidationError({"amount": _("Enter an amount.")}) from None
    return values


def _check_subject(actor: Actor, user_id: int | None, team_id: int | None) -> None:
    if bool(user_id) == bool(team_id):
        raise ValidationError({"user": _("Choose either a user or a team.")})
    if user_id and not selectors.scope_members(actor=actor).filter(user_id=user_id).exists():
        raise ValidationError({"user": _("Choose an active member whose figures you see.")})
    if team_id and not selectors.scope_teams(actor=actor).filter(pk=team_id).exists():
        raise ValidationError({"team": _("Choose a team whose figures you see.")})


def _check_unique(actor: Actor, target: Target) -> None:
    clash = Target.objects.filter(organization=actor.organization, user_id=target.user_id,
                                  team_id=target.team_id, period_kind=target.period_kind,
                                  period_start=target.period_start, metric=target.metric)
    if target.pk:
        clash = clash.exclude(pk=target.pk)
    if clash.exists():
        raise ValidationError({"period_start": _(
            "There is already a target for this person or team, period and metric.")})


@transaction.atomic
def target_create(*, actor: Actor, values: dict[str, Any]) -> Target:
    """`values`: user or user_id / team or team_id, period_kind, period_start (any day of the
    period), metric, amount, currency."""
    scoping.require(actor, "create", Target)
    values = _normalize(actor, values)
    _check_subject(actor, values.get("user_id"), values.get("team_id"))
    _check_unique(actor, Target(organization=actor.organization, **{
        k: values.get(k) for k in ("user_id", "team_id", "period_kind", "period_start",
                                   "metric")}))
    return records.create_record(actor=actor, model=Target, values=values)


@transaction.atomic
def target_update(*, actor: Actor, target: Target, values: dict[str, Any],
                  version: int | None = None) -> Target:
    scoping.require(actor, "edit", Target)
    values = _normalize(actor, values, target)
    if any(name in values for name in ("user_id", "team_id")):
        _check_subject(actor, values.get("user_id", target.user_id),
                       values.get("team_id", target.team_id))
    probe = Target(organization=actor.organization, pk=target.pk, **{
        k: values.get(k, getattr(target, k)) for k in ("user_id", "team_id", "period_kind",
                                                       "period_start", "metric")})
    _check_unique(actor, probe)
    return records.update_record(actor=actor, instance=target, values=values, version=version)


def target_delete(*, actor: Actor, target: Target) -> None:
    records.delete_record(actor=actor, instance=target)


@transaction.atomic
def target_set(*, actor: Actor, values: dict[str, Any]) -> Target:
    """Create the target, or change the amount (and currency) of the one that exists for the
    same person or team, period and metric."""
    scoping.require(actor, "edit", Target)
    values = _normalize(actor, values)
    _check_subject(actor, values.get("user_id"), values.get("team_id"))
    existing = (Target.objects.select_for_update()
                .filter(organization=actor.organization, user_id=values.get("user_id"),
                        team_id=values.get("team_id"), period_kind=values.get("period_kind"),
                        period_start=values.get("period_start"), metric=values.get("metric"))
                .first())
    if existing is None:
        return target_create(actor=actor, values=values)
    return records.update_record(actor=actor, instance=existing, values={
        k: values[k] for k in ("amount", "currency") if k in values})


@transaction.atomic
def targets_set_monthly(*, actor: Actor, team: Team, month: datetime.date, metric: str,
                        amounts: dict[int, Decimal | None], currency: str | None = None) -> int:
    """Set the monthly targets of a team's members in one go: `amounts` maps user ids to an
    amount (None leaves that member's target alone). All or nothing: the first invalid
    amount aborts with a ValidationError keyed by `amount_<user id>`. Returns how many
    targets were set."""
    scoping.require(actor, "edit", Target)
    if not selectors.scope_teams(actor=actor).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("Choose a team whose figures you see.")})
    count = 0
    for user_id, amount in amounts.items():
        if amount is None:
            continue
        values = {"user_id": user_id, "period_kind": PeriodKind.MONTH, "period_start": month,
                  "metric": metric, "amount": amount}
        if currency:
            values["currency"] = currency
        try:
            target_set(actor=actor, values=values)
        except ValidationError as exc:
            messages = exc.messages
            raise ValidationError({f"amount_{user_id}": messages}) from exc
        count += 1
    return count

"""Opportunities: create, edit, delete, move through stages (the kanban), win and lose.

Stage moves are the heart of the module: each records a StageChange (with how long the deal
sat in the stage it left), keeps `weighted_amount` = amount × the stage's probability, sets
the status from the stage's kind, and writes the audit log. Winning tells the customer
archive (customer_record_won); losing needs a lost reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.common import money, records
from kehu.core.common.errors import DomainError, StaleWrite
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.services import deals as customer_deals
from kehu.sales.models import LostReason, Opportunity, Pipeline, Stage, StageChange
from kehu.sales.services.pipelines import (
    first_lost_stage,
    first_open_stage,
    pipeline_default,
    won_stage,
)

RANK_STEP = 1024.0
MIN_GAP = 1e-6
# what a plain edit may change; stage, status and lost reason go through the moves
EDITABLE = {"name", "customer", "contact", "amount", "currency", "expected_close_on",
            "next_step", "competitors", "source", "description", "owner_id"}


def weighted(amount: Decimal, stage: Stage, currency: str) -> Decimal:
    return money.quantize(amount * stage.probability / money.HUNDRED, currency)


# --- card positions --------------------------------------------------------------------------

def _column(stage_id: int):
    return Opportunity.objects.filter(stage_id=stage_id)


def top_rank(stage: Stage) -> float:
    """A rank that puts a card on top of its column (one index lookup)."""
    first = _column(stage.pk).order_by("board_rank", "id").values_list("board_rank",
                                                                       flat=True).first()
    return (first - RANK_STEP) if first is not None else 0.0


def _neighbour(stage_id: int, rank: float, pk: int, *, after: bool) -> float | None:
    """The rank of the card right after (or before) (rank, pk) in the column."""
    qs = _column(stage_id)
    if after:
        qs = qs.filter(Q(board_rank__gt=rank) | Q(board_rank=rank, id__gt=pk)) \
            .order_by("board_rank", "id")
    else:
        qs = qs.filter(Q(board_rank__lt=rank) | Q(board_rank=rank, id__lt=pk)) \
            .order_by("-board_rank", "-id")
    return qs.values_list("board_rank", flat=True).first()


def _rebalance(stage_id: int) -> None:
    """Spread the ranks of a column evenly again (rare: only when two neighbours got too
    close after many drops between them)."""
    batch: list[Opportunity] = []
    ids = _column(stage_id).order_by("board_rank", "id").values_list("pk", flat=True)
    for index, pk in enumerate(ids.iterator(chunk_size=2000)):
        batch.append(Opportunity(pk=pk, board_rank=index * RANK_STEP))
        if len(batch) >= 1000:
            Opportunity.objects.bulk_update(batch, ["board_rank"])
            batch = []
    if batch:
        Opportunity.objects.bulk_update(batch, ["board_rank"])


def _card(stage_id: int, pk: int | None, moving_pk: int) -> tuple[float, int] | None:
    if pk is None or pk == moving_pk:
        return None
    row = _column(stage_id).filter(pk=pk).values_list("board_rank", "id").first()
    return row


def rank_between(stage: Stage, *, moving_pk: int, after_id: int | None = None,
                 before_id: int | None = None, _retry: bool = True) -> float:
    """The rank for a card dropped in `stage` right after card `after_id` and/or right before
    card `before_id` (the neighbours the user saw); on top when neither is given."""
    prev = _card(stage.pk, after_id, moving_pk)
    nxt = _card(stage.pk, before_id, moving_pk)
    if prev is None and nxt is None:
        return top_rank(stage)
    if prev is not None and nxt is None:
        upper = _neighbour(stage.pk, prev[0], prev[1], after=True)
        low, high = prev[0], upper if upper is not None else prev[0] + 2 * RANK_STEP
    elif prev is None:
        lower = _neighbour(stage.pk, nxt[0], nxt[1], after=False)
        low, high = (lower if lower is not None else nxt[0] - 2 * RANK_STEP), nxt[0]
    else:
        low, high = prev[0], nxt[0]
    if high - low > MIN_GAP:
        return (low + high) / 2
    if not _retry:
        return low
    _rebalance(stage.pk)
    return rank_between(stage, moving_pk=moving_pk, after_id=after_id, before_id=before_id,
                        _retry=False)


# --- create, edit, delete --------------------------------------------------------------------

def _check_belongs(actor: Actor, values: dict[str, Any]) -> None:
    org_id = actor.organization.pk
    customer = values.get("customer")
    if customer is not None and (customer.organization_id != org_id
                                 or customer.deleted_at is not None):
        raise ValidationError({"customer": _("Choose a customer of this organization.")})
    contact = values.get("contact")
    if contact is not None and customer is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("Choose a contact of this customer.")})
    pipeline = values.get("pipeline")
    if pipeline is not None and (pipeline.organization_id != org_id or not pipeline.is_active):
        raise ValidationError({"pipeline": _("Choose an active pipeline.")})
    stage = values.get("stage")
    if stage is not None and (stage.pipeline_id != pipeline.pk or not stage.is_active):
        raise ValidationError({"stage": _("Choose an active stage of this pipeline.")})


@transaction.atomic
def opportunity_create(*, actor: Actor, values: dict[str, Any],
                       custom: dict[str, Any] | None = None) -> Opportunity:
    """`values` are model attributes (customer, name, amount, pipeline, stage, owner_id…).
    Without a pipeline the default one is used; without a stage its first open stage.
    Created in a lost stage it needs `lost_reason`; in the won stage it counts as won."""
    values = dict(values)
    pipeline = values.get("pipeline") or pipeline_default(organization=actor.organization)
    stage = values.get("stage") or first_open_stage(pipeline)
    values.update(pipeline=pipeline, stage=stage)
    _check_belongs(actor, values)
    values.setdefault("currency", actor.organization.default_currency)
    amount = values.get("amount")
    if amount is None:
        amount = values["amount"] = money.ZERO
    values["weighted_amount"] = weighted(money.to_decimal(amount), stage, values["currency"])
    values["status"] = stage.kind
    if stage.is_closed:
        values.setdefault("closed_at", timezone.now())
    if stage.kind == Stage.Kind.LOST and values.get("lost_reason") is None:
        raise _lost_reason_required()
    values.setdefault("board_rank", top_rank(stage))
    opportunity = records.create_record(actor=actor, model=Opportunity, values=values,
                                        custom=custom)
    StageChange.objects.create(organization=actor.organization, opportunity=opportunity,
                               from_stage=None, to_stage=stage, changed_by=actor.user,
                               amount=opportunity.amount)
    if stage.kind == Stage.Kind.WON:
        customer_deals.customer_record_won(customer_id=opportunity.customer_id,
                                           won_at=opportunity.closed_at)
    return opportunity


def has_lines(opportunity: Opportunity) -> bool:
    return opportunity.lines.exists()


@transaction.atomic
def opportunity_update(*, actor: Actor, opportunity: Opportunity, values: dict[str, Any],
                       custom: dict[str, Any] | None = None,
                       version: int | None = None) -> Opportunity:
    """Edit the plain fields (stage, status and lost reason change through the moves).
    With product lines the amount is their sum and cannot be typed over."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.")
                               for name in sorted(unknown)})
    values = dict(values)
    if "customer" in values:
        _check_belongs(actor, {"customer": values["customer"],
                               "contact": values.get("contact", opportunity.contact)})
    elif "contact" in values and values["contact"] is not None \
            and values["contact"].customer_id != opportunity.customer_id:
        raise ValidationError({"contact": _("Choose a contact of this customer.")})
    if "amount" in values and values["amount"] is not None:
        values["amount"] = money.to_decimal(values["amount"])
        if values["amount"] != opportunity.amount and has_lines(opportunity):
            raise ValidationError({"amount": _("This opportunity has product lines: its "
                                               "amount is their total.")})
    elif "amount" in values:
        values["amount"] = money.ZERO
    amount = values.get("amount", opportunity.amount)
    currency = values.get("currency", opportunity.currency)
    values["weighted_amount"] = weighted(amount, opportunity.stage, currency)
    return records.update_record(actor=actor, instance=opportunity, values=values,
                                 custom=custom, version=version)


@transaction.atomic
def opportunity_delete(*, actor: Actor, opportunity: Opportunity) -> None:
    """Into the recycle bin; its lines and history stay, restorable."""
    records.delete_record(actor=actor, instance=opportunity)


@transaction.atomic
def opportunity_restore(*, actor: Actor, opportunity: Opportunity) -> Opportunity:
    if opportunity.customer.deleted_at is not None:
        raise DomainError("customer_deleted",
                          _("Restore the customer of this opportunity first."))
    records.restore_record(actor=actor, instance=opportunity)
    return opportunity


# --- stage moves -----------------------------------------------------------------------------

def _lost_reason_required() -> DomainError:
    message = _("Choose why this opportunity was lost.")
    return DomainError("lost_reason_required", message, status=422,
                       details={"fields": {"lost_reason_id": [message]}})


def _clean_lost_reason(actor: Actor, reason: LostReason | int | None) -> LostReason:
    if reason is None or reason == "":
        raise _lost_reason_required()
    if not isinstance(reason, LostReason):
        try:
            reason = LostReason.objects.get(organization=actor.organization, pk=int(reason),
                                            is_active=True)
        except (LostReason.DoesNotExist, TypeError, ValueError):
            raise _lost_reason_required() from None
    if reason.organization_id != actor.organization.pk or not reason.is_active:
        raise _lost_reason_required()
    return reason


def _locked(actor: Actor, opportunity: Opportunity, version: int | None) -> Opportunity:
    scoping.require(actor, "edit", Opportunity)
    current = (Opportunity.objects.select_for_update().filter(pk=opportunity.pk,
                                                              deleted_at__isnull=True).first())
    if current is None:
        raise Opportunity.DoesNotExist
    if version is not None and version != current.version:
        raise StaleWrite(current_version=current.version)
    return current


@transaction.atomic
def opportunity_move_stage(*, actor: Actor, opportunity: Opportunity, stage: Stage,
                           version: int | None = None, before_id: int | None = None,
                           after_id: int | None = None,
                           lost_reason: LostReason | int | None = None,
                           lost_note: str = "") -> Opportunity:
    """Move the opportunity to `stage` (of its pipeline), placing the card right after card
    `after_id` / before card `before_id` of that column (on top without either).

    Within the same stage only the card's position changes (no history, no new version).
    A lost stage needs `lost_reason` (DomainError "lost_reason_required" otherwise).
    """
    if stage.pipeline_id != opportunity.pipeline_id:
        raise DomainError("stage_not_in_pipeline",
                          _("This stage belongs to another pipeline."), status=422)
    if not stage.is_active:
        raise DomainError("stage_inactive", _("This stage is no longer in use."), status=422)
    current = _locked(actor, opportunity, version)
    rank = rank_between(stage, moving_pk=current.pk, after_id=after_id, before_id=before_id)
    if stage.pk == current.stage_id:
        Opportunity.objects.filter(pk=current.pk).update(board_rank=rank)
        current.board_rank = rank
        return current
    reason = _clean_lost_reason(actor, lost_reason) if stage.kind == Stage.Kind.LOST else None
    previous = current.stage
    before = audit.snapshot(current)
    now = timezone.now()
    seconds = max(0, int((now - current.stage_entered_at).total_seconds()))
    current.stage = stage
    current.status = stage.kind
    current.weighted_amount = weighted(current.amount, stage, current.currency)
    current.stage_entered_at = now
    current.board_rank = rank
    current.closed_at = now if stage.is_closed else None
    current.lost_reason = reason
    current.lost_note = (lost_note or "").strip()[:255] if reason else ""
    current.version += 1
    current.save()
    StageChange.objects.create(organization=actor.organization, opportunity=current,
                               from_stage=previous, to_stage=stage, changed_by=actor.user,
                               changed_at=now, seconds_in_previous=seconds,
                               amount=current.amount)
    audit.change_record(actor=actor, action="update", instance=current, before=before,
                        after=audit.snapshot(current),
                        note=_("Stage: %(from)s → %(to)s") % {"from": previous.name,
                                                             "to": stage.name})
    if stage.kind == Stage.Kind.WON:
        customer_deals.customer_record_won(customer_id=current.customer_id, won_at=now)
    return current


def _pipeline(opportunity: Opportunity) -> Pipeline:
    return Pipeline.objects.get(pk=opportunity.pipeline_id)


def opportunity_win(*, actor: Actor, opportunity: Opportunity,
                    version: int | None = None) -> Opportunity:
    stage = won_stage(_pipeline(opportunity))
    if stage is None:  # pipelines always keep one; only broken data gets here
        raise DomainError("won_stage_required", _("This pipeline has no won stage."))
    return opportunity_move_stage(actor=actor, opportunity=opportunity, stage=stage,
                                  version=version)


def opportunity_lose(*, actor: Actor, opportunity: Opportunity,
                     lost_reason: LostReason | int | None, note: str = "",
                     version: int | None = None, stage: Stage | None = None) -> Opportunity:
    stage = stage or first_lost_stage(_pipeline(opportunity))
    if stage is None or stage.kind != Stage.Kind.LOST:
        raise DomainError("lost_stage_required", _("Choose a lost stage."), status=422)
    return opportunity_move_stage(actor=actor, opportunity=opportunity, stage=stage,
                                  version=version, lost_reason=lost_reason, lost_note=note)


def opportunity_reopen(*, actor: Actor, opportunity: Opportunity,
                       version: int | None = None) -> Opportunity:
    """Back to the first open stage: the deal is open again and `closed_at` is cleared."""
    return opportunity_move_stage(actor=actor, opportunity=opportunity,
                                  stage=first_open_stage(_pipeline(opportunity)),
                                  version=version)

"""Reads of pipelines and opportunities, always through the central scoping.

The board is built for 500,000 opportunities: an actor who sees every opportunity reads the
column totals the database keeps per (stage, owner) (kehu.sales.board_totals); a narrower data
scope sums the rows it may see in one GROUP BY. The first cards come from one UNION ALL of
per-column index walks (stage, board_rank, id), so a board costs the same few queries at any
size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext

from kehu.core.common import money
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.customers.models import Contact
from kehu.sales.models import (
    BoardTotal,
    LostReason,
    Opportunity,
    OpportunityLine,
    Pipeline,
    Stage,
    StageChange,
)
from kehu.sales.services.pipelines import pipeline_default

BOARD_CARDS = 20


def opportunity_list(*, actor: Actor, action: str = "view", q: str = "",
                     pipeline_id: int | None = None, stage_id: int | None = None,
                     status: str = "", owner_id: int | None = None,
                     customer_id: int | None = None,
                     close_from: datetime.date | None = None,
                     close_to: datetime.date | None = None,
                     amount_min: Decimal | None = None, amount_max: Decimal | None = None,
                     deleted: bool = False, currency: str = "",
                     created_from: datetime.date | None = None,
                     created_to: datetime.date | None = None,
                     closed_from: datetime.date | None = None,
                     closed_to: datetime.date | None = None,
                     reached_stage_id: int | None = None,
                     lost_reason_id: int | None = None) -> QuerySet[Opportunity]:
    """Opportunities the actor may `action`, newest first, narrowed by the filters given.
    Date ranges include both days (local days of the organization's time zone); the analytics
    figures count through these same filters, so a figure and its list agree."""
    qs = scoping.visible(actor, Opportunity.objects.all(), action, deleted=deleted)
    if currency:
        qs = qs.filter(currency=currency)
    if created_from:
        qs = qs.filter(created_at__gte=_day_start(created_from))
    if created_to:
        qs = qs.filter(created_at__lt=_day_start(created_to + datetime.timedelta(days=1)))
    if closed_from:
        qs = qs.filter(closed_at__gte=_day_start(closed_from))
    if closed_to:
        qs = qs.filter(closed_at__lt=_day_start(closed_to + datetime.timedelta(days=1)))
    if reached_stage_id:
        qs = qs.filter(reached_stage_q(actor=actor, stage_id=reached_stage_id))
    if lost_reason_id:
        qs = qs.filter(lost_reason_id=lost_reason_id)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if pipeline_id:
        qs = qs.filter(pipeline_id=pipeline_id)
    if stage_id:
        qs = qs.filter(stage_id=stage_id)
    if status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if close_from:
        qs = qs.filter(expected_close_on__gte=close_from)
    if close_to:
        qs = qs.filter(expected_close_on__lte=close_to)
    if amount_min is not None:
        qs = qs.filter(amount__gte=amount_min)
    if amount_max is not None:
        qs = qs.filter(amount__lte=amount_max)
    return qs.select_related("customer", "stage", "owner").order_by("-id")


def _day_start(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def stages_reaching(stage: Stage, stages: list[Stage]) -> list[int]:
    """Of the pipeline's `stages`, those whose entry means a deal got at least as far as
    `stage`: an open stage, the open stages after it and the won stage(s); the won stage only
    itself. Lost stages never count (a lost deal reached the stages it passed before)."""
    if stage.kind == Stage.Kind.WON:
        return [stage.pk]
    if stage.kind == Stage.Kind.LOST:
        return []
    return [s.pk for s in stages if s.pipeline_id == stage.pipeline_id and (
        s.kind == Stage.Kind.WON or (s.kind == Stage.Kind.OPEN and s.position >= stage.position))]


def reached_stage_q(*, actor: Actor, stage_id: int, stages: list[Stage] | None = None) -> Q:
    """Opportunities whose stage history shows they reached `stage_id` (or got further).
    `stages`: the pipeline's stages when the caller has them already."""
    if stages is None:
        stage = Stage.objects.filter(organization=actor.organization, pk=stage_id).first()
        stages = list(Stage.objects.filter(pipeline_id=stage.pipeline_id)) if stage else []
    stage = next((s for s in stages if s.pk == stage_id), None)
    if stage is None:
        return Q(pk__in=[])
    return Q(Exists(StageChange.objects.filter(opportunity_id=OuterRef("pk"),
                                               to_stage_id__in=stages_reaching(stage, stages))))


def opportunity_get(*, actor: Actor, pk: object, action: str = "view",
                    deleted: bool = False) -> Opportunity:
    return scoping.get_visible(actor, Opportunity.objects.select_related(
        "customer", "contact", "stage", "pipeline", "owner", "lost_reason"), pk, action,
        deleted=deleted)


def line_list(*, actor: Actor, opportunity: Opportunity) -> QuerySet[OpportunityLine]:
    return scoping.visible(actor, OpportunityLine.objects.filter(opportunity=opportunity)) \
        .select_related("product").order_by("position", "id")


def line_get(*, actor: Actor, line_id: object, action: str = "edit") -> OpportunityLine:
    return scoping.get_visible(actor, OpportunityLine.objects.select_related(
        "opportunity", "opportunity__stage"), line_id, action)


@dataclass
class StageVisit:
    """One stay of an opportunity in a stage, from the StageChange rows."""

    change: StageChange
    stage: Stage
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    seconds: int


def stage_history(*, actor: Actor, opportunity: Opportunity) -> list[StageVisit]:
    """The stages the opportunity went through, oldest first, with the time spent in each
    (the current one up to now)."""
    from django.utils import timezone

    changes = list(scoping.visible(actor, StageChange.objects.filter(opportunity=opportunity))
                   .select_related("to_stage", "from_stage", "changed_by")
                   .order_by("changed_at", "id"))
    visits = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        if following is not None:
            seconds = following.seconds_in_previous
            left = following.changed_at
        else:
            left = None
            seconds = max(0, int((timezone.now() - change.changed_at).total_seconds()))
        visits.append(StageVisit(change=change, stage=change.to_stage,
                                 entered_at=change.changed_at, left_at=left, seconds=seconds))
    return visits


def stage_change_list(*, actor: Actor, opportunity: Opportunity) -> QuerySet[StageChange]:
    return (scoping.visible(actor, StageChange.objects.filter(opportunity=opportunity))
            .select_related("to_stage", "from_stage", "changed_by").order_by("changed_at", "id"))


# --- ids from forms and the API --------------------------------------------------------------

def resolve_ids(*, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Ids from the form (or the API) → the objects the services check, each looked up in
    what the actor may see; an id that does not fit is a field error."""
    values = dict(values)
    errors: dict[str, str] = {}
    if "customer_id" in values:
        customer_id = values.pop("customer_id")
        customer = (customer_selectors.customer_list(actor=actor).filter(pk=customer_id).first()
                    if customer_id else None)
        if customer is None:
            errors["customer"] = gettext("Choose a customer you can see.")
        values["customer"] = customer
    if "contact_id" in values:
        contact_id = values.pop("contact_id")
        contact = None
        if contact_id:
            contacts = scoping.visible(actor, Contact.objects.filter(pk=contact_id))
            if values.get("customer") is not None:
                contacts = contacts.filter(customer=values["customer"])
            contact = contacts.first()
            if contact is None:
                errors["contact"] = gettext("Choose a contact of this customer.")
        values["contact"] = contact
    if "pipeline_id" in values:
        pipeline_id = values.pop("pipeline_id")
        if pipeline_id:
            pipeline = pipeline_list(actor=actor).filter(pk=pipeline_id).first()
            if pipeline is None:
                errors["pipeline"] = gettext("Choose an active pipeline.")
            values["pipeline"] = pipeline
    if "stage_id" in values:
        stage_id = values.pop("stage_id")
        if stage_id:
            stage = stage_list(actor=actor).filter(pk=stage_id).first()
            if stage is None:
                errors["stage"] = gettext("Choose an active stage of this pipeline.")
            values["stage"] = stage
    if "lost_reason_id" in values:
        reason_id = values.pop("lost_reason_id")
        values["lost_reason"] = (lost_reason_list(actor=actor).filter(pk=reason_id)
                                 .first() if reason_id else None)
    if errors:
        raise ValidationError(errors)
    return values


# --- pipelines -------------------------------------------------------------------------------

def pipeline_list(*, actor: Actor, active: bool | None = True) -> QuerySet[Pipeline]:
    """The organization's pipelines (creating the default one on first use)."""
    qs = Pipeline.objects.filter(organization=actor.organization)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("-is_default", "position", "id")


def pipelines_for(*, actor: Actor) -> list[Pipeline]:
    """The active pipelines as a list, the default first; creates the default pipeline the
    first time (one query otherwise)."""
    pipelines = list(pipeline_list(actor=actor))
    if not any(p.is_default for p in pipelines):
        pipeline_default(organization=actor.organization)
        pipelines = list(pipeline_list(actor=actor))
    return pipelines


def pipeline_get(*, actor: Actor, pipeline_id: object, active: bool | None = None) -> Pipeline:
    try:
        qs = Pipeline.objects.filter(organization=actor.organization)
        if active is not None:
            qs = qs.filter(is_active=active)
        return qs.get(pk=pipeline_id)
    except (Pipeline.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def stage_list(*, actor: Actor, pipeline: Pipeline | None = None,
               active: bool | None = True) -> QuerySet[Stage]:
    qs = Stage.objects.filter(organization=actor.organization)
    if pipeline is not None:
        qs = qs.filter(pipeline=pipeline)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("pipeline_id", "position", "id")


def stage_get(*, actor: Actor, stage_id: object) -> Stage:
    try:
        return Stage.objects.select_related("pipeline").get(organization=actor.organization,
                                                            pk=stage_id)
    except (Stage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def stage_opportunity_counts(*, actor: Actor, stages: list[Stage]) -> dict[int, int]:
    """{stage id: opportunities in it} over the whole organization (admins' settings)."""
    scoping.require_admin(actor)
    return dict(Opportunity.objects.filter(organization=actor.organization, stage__in=stages)
                .order_by().values_list("stage_id").annotate(n=Count("id")))


def lost_reason_list(*, actor: Actor, active: bool | None = True) -> QuerySet[LostReason]:
    pipeline_default(organization=actor.organization)
    qs = LostReason.objects.filter(organization=actor.organization)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("position", "id")


def lost_reason_get(*, actor: Actor, reason_id: object) -> LostReason:
    try:
        return LostReason.objects.get(organization=actor.organization, pk=reason_id)
    except (LostReason.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- the board -------------------------------------------------------------------------------

@dataclass
class Column:
    stage: Stage
    count: int = 0
    amount: Decimal = money.ZERO
    weighted: Decimal = money.ZERO
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.cards)

    def totals(self) -> dict[str, Any]:
        return {"stage_id": self.stage.pk, "count": self.count, "amount": self.amount,
                "weighted_amount": self.weighted}


def board_queryset(*, actor: Actor, pipeline: Pipeline,
                   owner_id: int | None = None) -> QuerySet[Opportunity]:
    qs = scoping.visible(actor, Opportunity.objects.all(), "view").filter(pipeline=pipeline)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs


def board_totals(*, actor: Actor, pipeline: Pipeline, owner_id: int | None = None,
                 stage_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """{stage id: {count, amount, weighted_amount}} in ONE grouped query."""
    if scoping.sees_every_row(actor, Opportunity):
        return _stored_board_totals(actor=actor, pipeline=pipeline, owner_id=owner_id,
                                    stage_ids=stage_ids)
    qs = board_queryset(actor=actor, pipeline=pipeline, owner_id=owner_id)
    if stage_ids is not None:
        qs = qs.filter(stage_id__in=stage_ids)
    rows = qs.order_by().values("stage_id").annotate(
        count=Count("id"), amount=Sum("amount"), weighted_amount=Sum("weighted_amount"))
    return {row["stage_id"]: _column_total(row["stage_id"], row["count"], _sum(row["amount"]),
                                           _sum(row["weighted_amount"]))
            for row in rows}


def _stored_board_totals(*, actor: Actor, pipeline: Pipeline, owner_id: int | None,
                         stage_ids: list[int] | None) -> dict[int, dict[str, Any]]:
    qs = BoardTotal.objects.filter(organization_id=actor.organization.pk, pipeline=pipeline)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if stage_ids is not None:
        qs = qs.filter(stage_id__in=stage_ids)
    rows = qs.order_by().values("stage_id").annotate(
        count=Sum("count"), amount=Sum("amount_cents"), weighted_amount=Sum("weighted_cents"))
    # PostgreSQL sums bigints as numeric: back to int for the count
    return {row["stage_id"]: _column_total(row["stage_id"], int(row["count"]),
                                           _from_cents(row["amount"]),
                                           _from_cents(row["weighted_amount"]))
            for row in rows if row["count"]}


def _column_total(stage_id: int, count: int, amount: Decimal,
                  weighted: Decimal) -> dict[str, Any]:
    return {"stage_id": stage_id, "count": count, "amount": amount, "weighted_amount": weighted}


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(money.ZERO)


def _sum(value: Decimal | None) -> Decimal:
    """A SUM as an amount with two places (SQLite drops trailing zeros)."""
    return money.ZERO if value is None else Decimal(value).quantize(money.ZERO)


def _cards_query(base: QuerySet[Opportunity], stage_ids: list[int], limit: int,
                 after: tuple[float, int] | None = None) -> list[Opportunity]:
    """The first `limit` cards of each column: per column an index walk over
    (stage, board_rank, id), the walks glued with UNION ALL, then one fetch of the rows."""
    if not stage_ids:
        return []
    parts = []
    for stage_id in stage_ids:
        column = base.filter(stage_id=stage_id)
        if after is not None:
            column = column.filter(Q(board_rank__gt=after[0])
                                   | Q(board_rank=after[0], id__gt=after[1]))
        first = column.order_by("board_rank", "id").values("pk")[:limit]
        parts.append(Opportunity.objects.filter(pk__in=first).values_list("pk", flat=True))
    ids_query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    ids = list(ids_query)
    return list(Opportunity.objects.filter(pk__in=ids)
                .select_related("customer", "owner")
                .order_by("stage_id", "board_rank", "id"))


def board(*, actor: Actor, pipeline: Pipeline, owner_id: int | None = None,
          limit: int = BOARD_CARDS) -> list[Column]:
    """One column per active stage of `pipeline`, with its totals and first cards."""
    stages = list(stage_list(actor=actor, pipeline=pipeline))
    columns = {stage.pk: Column(stage=stage) for stage in stages}
    totals = board_totals(actor=actor, pipeline=pipeline, owner_id=owner_id)
    for stage_id, row in totals.items():
        if stage_id in columns:
            column = columns[stage_id]
            column.count, column.amount = row["count"], row["amount"]
            column.weighted = row["weighted_amount"]
    with_cards = [pk for pk, column in columns.items() if column.count]
    base = board_queryset(actor=actor, pipeline=pipeline, owner_id=owner_id)
    for card in _cards_query(base, with_cards, limit):
        columns[card.stage_id].cards.append(card)
    return list(columns.values())


def board_column_cards(*, actor: Actor, pipeline: Pipeline, stage: Stage,
                       after: tuple[float, int] | None, owner_id: int | None = None,
                       limit: int = BOARD_CARDS) -> list[Opportunity]:
    """The next cards of one column, after the card at (board_rank, id)."""
    base = board_queryset(actor=actor, pipeline=pipeline, owner_id=owner_id)
    column = base.filter(stage=stage)
    if after is not None:
        column = column.filter(Q(board_rank__gt=after[0])
                               | Q(board_rank=after[0], id__gt=after[1]))
    return list(column.select_related("customer", "owner").order_by("board_rank", "id")
                [:limit])


# --- the customer 360° view ------------------------------------------------------------------

def customer_opportunities(*, actor: Actor, customer_id: int,
                           limit: int = 10) -> list[Opportunity]:
    """The customer's opportunities the actor may see: open ones first, newest first."""
    from django.db.models import Case, IntegerField, Value, When

    qs = opportunity_list(actor=actor, customer_id=customer_id).annotate(
        closed=Case(When(status=Opportunity.Status.OPEN, then=Value(0)), default=Value(1),
                    output_field=IntegerField()))
    return list(qs.order_by("closed", "-id")[:limit])


def customer_open_summary(*, actor: Actor, customer_id: int) -> dict[str, Any]:
    """How many open deals of the customer the actor may see, and their amount (one query)."""
    row = (opportunity_list(actor=actor, customer_id=customer_id,
                            status=Opportunity.Status.OPEN)
           .order_by().aggregate(count=Count("id"), amount=Sum("amount")))
    return {"count": row["count"] or 0, "amount": _sum(row["amount"])}

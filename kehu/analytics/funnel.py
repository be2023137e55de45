"""The sales funnel (销售漏斗) of one pipeline over a date range.

Definitions (docs/analytics.md explains them for users):

- the funnel's cohort is the opportunities *created* in the range; a stage's "reached" figure
  counts those whose stage history (StageChange) shows they entered that stage or a later
  open stage or won; "now in stage" counts those of the cohort sitting in the stage today;
- win rate, average deal size and sales cycle are about the deals *closed* in the range;
- time in stage is the average stay of the stays that ended in the range.

Amounts are in the organization's currency; opportunities in other currencies are left out of
every figure (and out of the drill-down lists, which carry `currency`). Every count comes from
`sales.selectors.opportunity_list` with the same filters its drill-down link carries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    QuerySet,
    Sum,
    Value,
    When,
)

from kehu.analytics import drill
from kehu.analytics.ranges import DateRange, day_start
from kehu.core.common import money
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors as sales_selectors
from kehu.sales.models import Opportunity, Pipeline, Stage, StageChange

ONE_PLACE = Decimal("0.1")
DAY_SECONDS = Decimal(86400)


def amount(value: Decimal | None, currency: str) -> Decimal:
    return money.quantize(value or 0, currency)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE)


@dataclass
class Step:
    stage_id: int
    name: str
    kind: str
    reached: int
    reached_amount: Decimal
    current: int
    current_amount: Decimal
    conversion: Decimal | None  # % of the previous step's "reached"
    reached_url: str
    current_url: str


@dataclass
class StageTime:
    stage_id: int
    name: str
    average_days: Decimal | None
    stays: int


@dataclass
class LostReasonRow:
    reason_id: int | None
    name: str
    count: int
    amount: Decimal
    url: str


@dataclass
class Funnel:
    pipeline_id: int
    pipeline_name: str
    range: DateRange
    currency: str
    created: int
    created_amount: Decimal
    created_url: str
    won: int
    won_amount: Decimal
    won_url: str
    lost: int
    lost_amount: Decimal
    lost_url: str
    win_rate: Decimal | None
    average_deal: Decimal | None
    average_cycle_days: Decimal | None
    steps: list[Step] = field(default_factory=list)
    stage_times: list[StageTime] = field(default_factory=list)
    lost_reasons: list[LostReasonRow] = field(default_factory=list)


def _bare(qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    return qs.select_related(None).order_by()


def funnel(*, actor: Actor, pipeline: Pipeline, period: DateRange,
           owner_id: int | None = None) -> Funnel:
    """Five queries whatever the number of opportunities: reached per stage (one aggregate),
    now-in-stage (one GROUP BY), closed deals, lost reasons, time in stage."""
    currency = actor.organization.default_currency
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    shown = [s for s in stages if s.is_active and s.kind != Stage.Kind.LOST]
    shown.sort(key=lambda s: (s.kind == Stage.Kind.WON, s.position, s.pk))
    common = {"pipeline": pipeline.pk, "currency": currency, "owner": owner_id}
    cohort_filters = {"created_from": period.first, "created_to": period.last}
    cohort = _bare(sales_selectors.opportunity_list(
        actor=actor, pipeline_id=pipeline.pk, currency=currency, owner_id=owner_id,
        created_from=period.first, created_to=period.last))

    now_in = {row["stage_id"]: row for row in cohort.values("stage_id")
              .annotate(n=Count("id"), a=Sum("amount"))}
    totals = {"n": sum(row["n"] for row in now_in.values()),
              "a": sum((row["a"] or 0 for row in now_in.values()), Decimal(0))}
    reached = _reached(cohort, stages)

    steps, previous = [], None
    for stage in shown:
        count, reached_amount = reached(stage)
        current = now_in.get(stage.pk, {"n": 0, "a": None})
        steps.append(Step(
            stage_id=stage.pk, name=stage.name, kind=stage.kind, reached=count,
            reached_amount=amount(reached_amount, currency), current=current["n"],
            current_amount=amount(current["a"], currency),
            conversion=None if previous is None else percent(count, previous),
            reached_url=drill.opportunities(**common, **cohort_filters, reached_stage=stage.pk),
            current_url=drill.opportunities(**common, **cohort_filters, stage=stage.pk)))
        previous = count

    closed_filters = {"closed_from": period.first, "closed_to": period.last}
    closed = _bare(sales_selectors.opportunity_list(
        actor=actor, pipeline_id=pipeline.pk, currency=currency, owner_id=owner_id,
        closed_from=period.first, closed_to=period.last))
    by_status = {row["status"]: row for row in closed.values("status").annotate(
        n=Count("id"), a=Sum("amount"),
        cycle=Avg(ExpressionWrapper(F("closed_at") - F("created_at"),
                                    output_field=DurationField())))}
    won = by_status.get(Opportunity.Status.WON, {"n": 0, "a": None, "cycle": None})
    lost = by_status.get(Opportunity.Status.LOST, {"n": 0, "a": None})
    won_amount = amount(won["a"], currency)
    return Funnel(
        pipeline_id=pipeline.pk, pipeline_name=pipeline.name, range=period, currency=currency,
        created=totals["n"], created_amount=amount(totals["a"], currency),
        created_url=drill.opportunities(**common, **cohort_filters),
        won=won["n"], won_amount=won_amount,
        won_url=drill.opportunities(**common, **closed_filters, status="won"),
        lost=lost["n"], lost_amount=amount(lost["a"], currency),
        lost_url=drill.opportunities(**common, **closed_filters, status="lost"),
        win_rate=percent(won["n"], won["n"] + lost["n"]),
        average_deal=money.quantize(won_amount / won["n"], currency) if won["n"] else None,
        average_cycle_days=_days(won["cycle"]),
        steps=steps,
        stage_times=stage_times(actor=actor, stages=stages, period=period,
                                owner_id=owner_id),
        lost_reasons=lost_reasons(actor=actor, closed=closed, common=common,
                                  closed_filters=closed_filters, currency=currency))


def _ranks(stages: list[Stage]) -> dict[int, int]:
    """Each stage's place in the funnel, so that "reached stage S" is "got to a place at least
    S's": open stages by position, the won stage above all of them, lost stages nowhere. The
    same meaning as `sales.selectors.stages_reaching`, which the drill-down lists filter by."""
    top = max((s.position for s in stages if s.kind == Stage.Kind.OPEN), default=0)
    return {s.pk: (s.position + 1 if s.kind == Stage.Kind.OPEN else top + 2)
            for s in stages if s.kind != Stage.Kind.LOST}


def _reached(cohort: QuerySet[Opportunity], stages: list[Stage]):
    """How many deals of the cohort reached each stage, and their amount: each deal's furthest
    place from its stage history (one pass over the cohort's stage changes, grouped by deal),
    then the deals counted per place. Returns `stage -> (count, amount)`."""
    ranks = _ranks(stages)
    if not ranks:
        return lambda stage: (0, None)
    place = Case(*(When(stage_changes__to_stage_id=pk, then=Value(rank))
                   for pk, rank in ranks.items()), output_field=IntegerField())
    per_deal = cohort.values("pk", "amount").annotate(place=Max(place))
    sql, params = per_deal.query.sql_with_params()
    with connections[cohort.db].cursor() as cursor:
        # GROUP BY an aggregate needs a derived table, which the ORM cannot express
        cursor.execute(f"SELECT d.place, COUNT(*), SUM(d.amount) FROM ({sql}) d "  # noqa: S608
                       "WHERE d.place IS NOT NULL GROUP BY d.place", params)
        by_place = {place: (count, Decimal(str(total or 0)))
                    for place, count, total in cursor.fetchall()}

    def reached(stage: Stage) -> tuple[int, Decimal]:
        rank = ranks.get(stage.pk)
        rows = [row for place, row in by_place.items() if rank is not None and place >= rank]
        return sum(n for n, _ in rows), sum((a for _, a in rows), Decimal(0))

    return reached


def _days(duration: datetime.timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / DAY_SECONDS).quantize(ONE_PLACE)


def stage_times(*, actor: Actor, stages: list[Stage], period: DateRange,
                owner_id: int | None = None) -> list[StageTime]:
    """Average days in each active open stage of the pipeline (`stages`: all of them), over
    the stays that ended (the deal moved on) in the range, for the deals the actor may see."""
    # `to_stage__in` adds nothing to the meaning (a move from a stage stays in its pipeline);
    # the index `stagechange_stays` holds every column read here
    moves = scoping.visible(actor, StageChange.objects.filter(
        to_stage__in=[s.pk for s in stages],
        from_stage__in=[s.pk for s in stages if s.kind == Stage.Kind.OPEN],
        changed_at__gte=day_start(period.first),
        changed_at__lt=day_start(period.last + datetime.timedelta(days=1))))
    if owner_id:
        moves = moves.filter(opportunity__owner_id=owner_id)
    rows = {row["from_stage_id"]: row for row in moves.order_by().values("from_stage_id")
            .annotate(n=Count("id"), seconds=Avg("seconds_in_previous"))}
    result = []
    for stage in stages:
        if stage.kind != Stage.Kind.OPEN or not stage.is_active:
            continue
        row = rows.get(stage.pk)
        days = (Decimal(row["seconds"]) / DAY_SECONDS).quantize(ONE_PLACE) if row else None
        result.append(StageTime(stage_id=stage.pk, name=stage.name, average_days=days,
                                stays=row["n"] if row else 0))
    return result


def lost_reasons(*, actor: Actor, closed: QuerySet[Opportunity], common: dict,
                 closed_filters: dict, currency: str) -> list[LostReasonRow]:
    """Deals lost in the range per reason, most frequent first."""
    rows = (closed.filter(status=Opportunity.Status.LOST).values("lost_reason_id")
            .annotate(n=Count("id"), a=Sum("amount")).order_by("-n", "lost_reason_id"))
    names = {r.pk: r.name for r in sales_selectors.lost_reason_list(actor=actor, active=None)}
    return [LostReasonRow(
        reason_id=row["lost_reason_id"], name=names.get(row["lost_reason_id"], "—"),
        count=row["n"], amount=amount(row["a"], currency),
        url=drill.opportunities(**common, **closed_filters, status="lost",
                                lost_reason=row["lost_reason_id"]))
        for row in rows]


def pipeline_for(*, actor: Actor, pipeline_id: object = None) -> Pipeline:
    """The pipeline asked for, or the default one."""
    if pipeline_id:
        return sales_selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)
    return sales_selectors.pipelines_for(actor=actor)[0]


"""/api/v1/targets: targets (CRUD), progress against them and the ranking (业绩排行)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage, expected_version
from kehu.core.permissions import scoping
from kehu.targets import selectors, services
from kehu.targets.models import Target

router = Router(tags=["targets"])

PeriodName = Literal["month", "quarter", "year"]
MetricName = Literal["won_amount", "collected"]


class TargetOut(Schema):
    id: int
    version: int
    user_id: int | None
    team_id: int | None
    period_kind: str
    period_start: datetime.date
    period_end: datetime.date
    metric: str
    amount: Decimal
    currency: str

    @staticmethod
    def resolve_period_end(obj: Target) -> datetime.date:
        """The period's last day."""
        return obj.period_end - datetime.timedelta(days=1)


class TargetIn(Schema):
    user_id: int | None = None
    team_id: int | None = None
    period_kind: PeriodName = "month"
    period_start: datetime.date
    metric: MetricName = "won_amount"
    amount: Decimal
    currency: str | None = None


class TargetPatch(Schema):
    amount: Decimal | None = None
    currency: str | None = None
    version: int | None = None


class TargetFilter(Schema):
    period: PeriodName | None = None
    date: datetime.date | None = None
    metric: MetricName | None = None
    user_id: int | None = None
    team_id: int | None = None


class PeriodOut(Schema):
    kind: str
    start: datetime.date
    end: datetime.date
    label: str


class ProgressOut(Schema):
    target_id: int
    user_id: int | None
    team_id: int | None
    name: str
    metric: str
    currency: str
    target: Decimal
    actual: Decimal
    percent: Decimal | None


class ProgressPage(Schema):
    period: PeriodOut
    items: list[ProgressOut]


class RankingRowOut(Schema):
    rank: int
    user_id: int
    name: str
    team: str
    actual: Decimal
    target: Decimal | None
    percent: Decimal | None


class RankingPage(Schema):
    period: PeriodOut
    metric: str
    currency: str
    items: list[RankingRowOut]


def _period(kind: str, day: datetime.date | None) -> selectors.Period:
    return selectors.Period.of(kind, day or timezone.localdate())


def _period_out(period: selectors.Period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.last_day,
            "label": period.label}


@router.get("", response=list[TargetOut])
@paginate(CursorPage)
def list_targets(request: HttpRequest, filters: Query[TargetFilter]):
    """Targets the caller may see; `period` with `date` (any day of it) picks one period."""
    start = None
    if filters.period and filters.date:
        start = _period(filters.period, filters.date).start
    return selectors.target_list(actor=request.actor, period_kind=filters.period, start=start,
                                 metric=filters.metric, user_id=filters.user_id,
                                 team_id=filters.team_id)


@router.post("", response={201: TargetOut})
def create_target(request: HttpRequest, payload: TargetIn):
    """`period_start` may be any day of the period; it is stored as the period's first day.
    Exactly one of `user_id` and `team_id`."""
    values = payload.dict()
    if values["currency"] is None:
        values.pop("currency")
    return Status(201, services.target_create(actor=request.actor, values=values))


@router.get("/progress", response=ProgressPage)
def progress(request: HttpRequest, period: PeriodName = "month", date: datetime.date | None = None,
             metric: MetricName | None = None):
    """Actual against target for each target of the period the caller may see."""
    scoping.require(request.actor, "view", Target)
    current = _period(period, date)
    rows = selectors.target_progress(actor=request.actor, period=current, metric=metric)
    return {"period": _period_out(current), "items": [{
        "target_id": r.target.pk, "user_id": r.target.user_id, "team_id": r.target.team_id,
        "name": r.name, "metric": r.target.metric, "currency": r.target.currency,
        "target": r.target.amount, "actual": r.actual, "percent": r.percent} for r in rows]}


@router.get("/ranking", response=RankingPage)
def ranking(request: HttpRequest, metric: MetricName = "won_amount",
            period: PeriodName = "month", date: datetime.date | None = None):
    """The people the caller may see, best first (a rep sees only themselves)."""
    scoping.require(request.actor, "view", Target)
    current = _period(period, date)
    rows = selectors.target_ranking(actor=request.actor, period=current, metric=metric)
    return {"period": _period_out(current), "metric": metric,
            "currency": request.actor.organization.default_currency,
            "items": [{"rank": r.rank, "user_id": r.user_id, "name": r.name,
                       "team": r.team_name, "actual": r.actual, "target": r.target,
                       "percent": r.percent} for r in rows]}


@router.get("/{target_id}", response=TargetOut)
def get_target(request: HttpRequest, response: HttpResponse, target_id: int):
    target = selectors.target_get(actor=request.actor, target_id=target_id)
    response["ETag"] = f'"{target.version}"'
    return target


@router.patch("/{target_id}", response=TargetOut)
def update_target(request: HttpRequest, target_id: int, payload: TargetPatch):
    target = selectors.target_get(actor=request.actor, target_id=target_id, action="edit")
    version = expected_version(request, payload.version)
    values = payload.dict(exclude_unset=True, exclude={"version"})
    return services.target_update(actor=request.actor, target=target, values=values,
                                  version=version)


@router.delete("/{target_id}", response={204: None})
def delete_target(request: HttpRequest, target_id: int):
    target = selectors.target_get(actor=request.actor, target_id=target_id, action="delete")
    services.target_delete(actor=request.actor, target=target)
    return Status(204, None)

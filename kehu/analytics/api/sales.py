"""Sales analytics endpoints: the funnel, the forecast, the dashboard summary and adoption.
Every figure is computed for the requesting actor's data scope, like the pages."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kehu.analytics import dashboards, forecast, funnel, ranges
from kehu.core.common.errors import PermissionDeniedError

router = Router(tags=["analytics"])


def _require_sales(request: HttpRequest) -> None:
    if not request.actor.can("view", dashboards.OPPORTUNITY):
        raise PermissionDeniedError()


# --- funnel -----------------------------------------------------------------------------------

class FunnelQuery(Schema):
    pipeline_id: int | None = None
    period: str = "month"
    start: datetime.date | None = None
    end: datetime.date | None = None


class StepOut(Schema):
    stage_id: int
    name: str
    kind: str
    reached: int
    reached_amount: Decimal
    current: int
    current_amount: Decimal
    conversion: Decimal | None
    reached_url: str
    current_url: str


class StageTimeOut(Schema):
    stage_id: int
    name: str
    average_days: Decimal | None
    stays: int


class FunnelLostReasonOut(Schema):
    reason_id: int | None
    name: str
    count: int
    amount: Decimal
    url: str


class FunnelOut(Schema):
    pipeline_id: int
    pipeline_name: str
    first_day: datetime.date
    last_day: datetime.date
    currency: str
    created: int
    created_amount: Decimal
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    win_rate: Decimal | None
    average_deal: Decimal | None
    average_cycle_days: Decimal | None
    steps: list[StepOut]
    stage_times: list[StageTimeOut]
    lost_reasons: list[FunnelLostReasonOut]

    @staticmethod
    def resolve_first_day(obj: funnel.Funnel) -> datetime.date:
        return obj.range.first

    @staticmethod
    def resolve_last_day(obj: funnel.Funnel) -> datetime.date:
        return obj.range.last


@router.get("/funnel", response=FunnelOut)
def get_funnel(request: HttpRequest, filters: Query[FunnelQuery]):
    """The sales funnel of one pipeline (the default one without `pipeline_id`) for this
    month, quarter, year or a custom range (`period=custom&start=…&end=…`)."""
    _require_sales(request)
    actor = request.actor
    period = ranges.from_query({"period": filters.period,
                                "start": filters.start.isoformat() if filters.start else "",
                                "end": filters.end.isoformat() if filters.end else ""})
    pipeline = funnel.pipeline_for(actor=actor, pipeline_id=filters.pipeline_id)
    return funnel.funnel(actor=actor, pipeline=pipeline, period=period)


# --- forecast ---------------------------------------------------------------------------------

class PipelineMonthOut(Schema):
    month: datetime.date
    count: int
    amount: Decimal
    weighted: Decimal
    forecast: Decimal
    url: str


class BacktestMonthOut(Schema):
    month: datetime.date
    forecast: Decimal
    actual: Decimal
    error: Decimal
    abs_error: Decimal
    percent_error: Decimal | None
    actual_url: str


class ForecastOut(Schema):
    currency: str
    this_month: datetime.date
    method_window: int
    overdue_count: int
    overdue_weighted: Decimal
    months: list[PipelineMonthOut]
    backtest: list[BacktestMonthOut]
    mean_abs_error: Decimal | None
    mean_percent_error: Decimal | None


@router.get("/forecast", response=ForecastOut)
def get_forecast(request: HttpRequest, pipeline_id: int | None = None):
    """The weighted pipeline of the next six months, the forecast from won history (mean of
    the last three complete months) and its backtest over the last six months."""
    _require_sales(request)
    return forecast.forecast(actor=request.actor, pipeline_id=pipeline_id)


# --- the dashboard summary --------------------------------------------------------------------

class TasksOut(Schema):
    today_count: int
    overdue_count: int
    overdue_follow_ups: int


class StageRowOut(Schema):
    pipeline_name: str
    stage_id: int
    stage_name: str
    count: int
    amount: Decimal
    weighted: Decimal
    url: str


class MyPipelineOut(Schema):
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal
    rows: list[StageRowOut]


class DashboardTargetOut(Schema):
    target_id: int
    name: str
    metric: str
    period_start: datetime.date
    currency: str
    target: Decimal
    actual: Decimal
    percent: Decimal | None


class RankOut(Schema):
    rank: int
    user_id: int
    name: str
    team_name: str
    actual: Decimal
    target: Decimal | None
    percent: Decimal | None
    currency: str
    url: str


class DashboardTeamOut(Schema):
    computed_at: datetime.datetime
    cache_seconds: int
    funnel: FunnelOut
    forecast: ForecastOut
    team_targets: list[DashboardTargetOut]
    ranking: list[RankOut]


class DashboardOut(Schema):
    tasks: TasksOut
    my_pipeline: MyPipelineOut | None = None
    my_targets: list[DashboardTargetOut] | None = None
    team: DashboardTeamOut | None = None


def _target(progress) -> dict:
    t = progress.target
    return {"target_id": t.pk, "name": progress.name, "metric": t.metric,
            "period_start": t.period_start, "currency": t.currency, "target": t.amount,
            "actual": progress.actual, "percent": progress.percent}


def _rank(link: dashboards.RankLink) -> dict:
    row = link.row
    return {"rank": row.rank, "user_id": row.user_id, "name": row.name,
            "team_name": row.team_name, "actual": row.actual, "target": row.target,
            "percent": row.percent, "currency": row.currency, "url": link.url}


@router.get("/dashboard", response=DashboardOut)
def get_dashboard(request: HttpRequest):
    """The home page's figures for the requesting member: their tasks; for reps their open
    pipeline and targets; for managers the team's funnel, forecast, targets and ranking (the
    same cached figures as the page, with `computed_at`)."""
    actor = request.actor
    result: dict = {"tasks": dashboards.my_tasks(actor=actor)}
    if dashboards.is_manager(actor):
        team = dashboards.team_view_cached(actor=actor)
        result["team"] = {"computed_at": team.computed_at,
                          "cache_seconds": dashboards.CACHE_SECONDS, "funnel": team.funnel,
                          "forecast": team.forecast,
                          "team_targets": [_target(p) for p in team.team_targets],
                          "ranking": [_rank(link) for link in team.ranking]}
    elif actor.can("view", dashboards.OPPORTUNITY):
        result["my_pipeline"] = dashboards.my_pipeline(actor=actor)
        result["my_targets"] = [_target(t.progress)
                                for t in dashboards.my_targets(actor=actor)]
    return result


# --- adoption ---------------------------------------------------------------------------------

class AdoptionOut(Schema):
    user_id: int
    name: str
    team_name: str
    follow_ups: int


@router.get("/adoption", response=list[AdoptionOut])
def get_adoption(request: HttpRequest):
    """Admins: follow-ups logged this week (Monday to today) per active member, fewest first;
    members who logged none are listed with 0."""
    return dashboards.adoption(actor=request.actor)

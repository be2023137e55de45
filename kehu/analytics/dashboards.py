"""The home page's figures per role.

- everyone who sells: today's tasks and overdue follow-ups, their open pipeline per stage and
  their targets this month;
- a manager (data scope team, subtree or org): the team's funnel, forecast, targets and the
  ranking, cached for CACHE_SECONDS per viewer (the page says how old they are);
- an admin, in addition: adoption, i.e. follow-ups logged this week per active member.

Targets and the ranking come from `kehu.targets.selectors`, tasks from `kehu.tasks.selectors`;
the pipeline figures from `sales.selectors.opportunity_list`, like their drill-down lists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kehu.analytics import drill, forecast, funnel, ranges
from kehu.core.accounts.models import Membership
from kehu.core.common import money
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor, organization_cache_version
from kehu.customers.models import FollowUp
from kehu.sales import selectors as sales_selectors
from kehu.sales.models import Opportunity, Stage
from kehu.targets import selectors as target_selectors
from kehu.targets.models import Metric, PeriodKind
from kehu.tasks import selectors as task_selectors
from kehu.tasks.models import Task

CACHE_SECONDS = 60
TODAY_TASKS = 8
RANKING_ROWS = 10
OPPORTUNITY = "sales.opportunity"


def is_manager(actor: Actor) -> bool:
    return actor.data_scope != "own" and actor.can("view", OPPORTUNITY)


# --- a rep's day ------------------------------------------------------------------------------

@dataclass
class MyTasks:
    due_today: list[Task]
    today_count: int
    overdue_count: int
    overdue_follow_ups: int
    url: str


def my_tasks(*, actor: Actor, today: datetime.date | None = None) -> MyTasks:
    """The actor's open tasks due today and overdue (as on the "my day" page), two queries."""
    today = today or timezone.localdate()
    due = task_selectors.my_day(actor=actor, today=today)
    overdue = Q(due_on__lt=today)
    counts = due.order_by().aggregate(
        today=Count("id", filter=Q(due_on=today)), overdue=Count("id", filter=overdue),
        follow_ups=Count("id", filter=overdue & Q(kind=Task.Kind.FOLLOW_UP)))
    return MyTasks(due_today=list(due.filter(due_on=today)[:TODAY_TASKS]),
                   today_count=counts["today"], overdue_count=counts["overdue"],
                   overdue_follow_ups=counts["follow_ups"], url=drill.my_day())


@dataclass
class StageRow:
    pipeline_name: str
    stage_id: int
    stage_name: str
    count: int
    amount: Decimal
    weighted: Decimal
    url: str


@dataclass
class MyPipeline:
    currency: str
    rows: list[StageRow]
    count: int
    amount: Decimal
    weighted: Decimal
    url: str


def my_pipeline(*, actor: Actor) -> MyPipeline:
    """The actor's own open deals per stage (one GROUP BY), in the pipelines' stage order."""
    currency = actor.organization.default_currency
    mine = {"mine": 1, "status": "open", "currency": currency}
    qs = sales_selectors.opportunity_list(
        actor=actor, status=Opportunity.Status.OPEN, owner_id=actor.user.pk,
        currency=currency).select_related(None).order_by()
    totals = {row["stage_id"]: row for row in qs.values("stage_id")
              .annotate(n=Count("id"), a=Sum("amount"), w=Sum("weighted_amount"))}
    stages = (Stage.objects.filter(organization=actor.organization, pk__in=list(totals))
              .select_related("pipeline").order_by("pipeline__position", "pipeline_id",
                                                   "position", "id"))
    rows = [StageRow(pipeline_name=s.pipeline.name, stage_id=s.pk, stage_name=s.name,
                     count=totals[s.pk]["n"], amount=funnel.amount(totals[s.pk]["a"], currency),
                     weighted=funnel.amount(totals[s.pk]["w"], currency),
                     url=drill.opportunities(**mine, stage=s.pk)) for s in stages]
    return MyPipeline(currency=currency, rows=rows, count=sum(r.count for r in rows),
                      amount=sum((r.amount for r in rows), money.ZERO),
                      weighted=sum((r.weighted for r in rows), money.ZERO),
                      url=drill.opportunities(**mine))


def won_url(*, period: target_selectors.Period, currency: str, owner_id: int | None = None,
            mine: bool = False) -> str:
    """The won deals a won-amount figure of the targets counts."""
    return drill.opportunities(mine=1 if mine else None, owner=None if mine else owner_id,
                               status="won", currency=currency, closed_from=period.start,
                               closed_to=period.last_day)


@dataclass
class MyTarget:
    progress: target_selectors.TargetProgress
    url: str | None


def my_targets(*, actor: Actor, today: datetime.date | None = None) -> list[MyTarget]:
    """The actor's own targets of this month with their progress (targets module)."""
    if not actor.can("view", "targets.target"):
        return []
    period = target_selectors.Period.of(PeriodKind.MONTH, today or timezone.localdate())
    rows = target_selectors.target_progress(actor=actor, period=period)
    return [MyTarget(progress=row, url=won_url(period=period, currency=row.target.currency,
                                               mine=True)
                     if row.target.metric == Metric.WON_AMOUNT else None)
            for row in rows if row.target.user_id == actor.user.pk]


# --- the manager's view -----------------------------------------------------------------------

@dataclass
class RankLink:
    row: target_selectors.RankRow
    url: str


@dataclass
class TeamView:
    computed_at: datetime.datetime
    funnel: funnel.Funnel
    forecast: forecast.Forecast
    month: target_selectors.Period
    team_targets: list[target_selectors.TargetProgress]
    ranking: list[RankLink] = field(default_factory=list)
    ranking_size: int = 0


def team_view(*, actor: Actor, today: datetime.date | None = None) -> TeamView:
    today = today or timezone.localdate()
    month = target_selectors.Period.of(PeriodKind.MONTH, today)
    pipeline = funnel.pipeline_for(actor=actor)
    team_targets, ranking = [], []
    if actor.can("view", "targets.target"):
        team_targets = [p for p in target_selectors.target_progress(actor=actor, period=month)
                        if p.target.team_id]
        ranking = target_selectors.target_ranking(actor=actor, period=month,
                                                  metric=Metric.WON_AMOUNT)
    return TeamView(
        computed_at=timezone.now(),
        funnel=funnel.funnel(actor=actor, pipeline=pipeline,
                             period=ranges.current("month", today)),
        forecast=forecast.forecast(actor=actor, today=today),
        month=month, team_targets=team_targets,
        ranking=[RankLink(row=row, url=won_url(period=month, currency=row.currency,
                                               owner_id=row.user_id))
                 for row in ranking[:RANKING_ROWS]],
        ranking_size=len(ranking))


def _cache_key(actor: Actor, today: datetime.date) -> str:
    # the organization's version changes with any membership, role or team change, so a
    # viewer whose scope changed never gets figures computed for the old scope
    version = organization_cache_version(actor.organization.pk)
    return (f"kehu:analytics:team:{actor.organization.pk}:{version}:{actor.user.pk}:"
            f"{actor.membership.role_id}:{actor.data_scope}:{today.isoformat()}")


def team_view_cached(*, actor: Actor, today: datetime.date | None = None) -> TeamView:
    """`team_view`, kept CACHE_SECONDS per viewer: the page shows `computed_at`."""
    today = today or timezone.localdate()
    key = _cache_key(actor, today)
    view = cache.get(key)
    if view is None:
        view = team_view(actor=actor, today=today)
        cache.set(key, view, CACHE_SECONDS)
    return view


# --- adoption (admins) ------------------------------------------------------------------------

@dataclass
class Adoption:
    user_id: int
    name: str
    team_name: str
    follow_ups: int


def week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def adoption(*, actor: Actor, today: datetime.date | None = None) -> list[Adoption]:
    """Follow-ups logged this week (Monday to today) by each active member, those with none
    included; fewest first, so the ones to talk to are on top. Two queries."""
    scoping.require_admin(actor)
    today = today or timezone.localdate()
    logged = dict(scoping.visible(actor, FollowUp.objects.filter(
        happened_at__gte=ranges.day_start(week_start(today)),
        happened_at__lt=ranges.day_start(today + datetime.timedelta(days=1)),
        author__isnull=False)).order_by().values_list("author_id").annotate(n=Count("id")))
    members = (Membership.objects.filter(organization=actor.organization, is_active=True)
               .select_related("user", "team"))
    rows = [Adoption(user_id=m.user_id, name=str(m.user), team_name=str(m.team or ""),
                     follow_ups=logged.get(m.user_id, 0)) for m in members]
    rows.sort(key=lambda r: (r.follow_ups, r.name))
    return rows

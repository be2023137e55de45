"""Reads of targets: which targets and people the viewer may see, and the actual figures
(won amount, collected payments) against them for a period, with the ranking (业绩排行).

The actual figures of everyone shown come from one GROUP BY per metric, whatever the number
of people or targets; a team's figure is the sum of its members' (team and sub-teams).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Membership, Team
from kehu.core.common import money
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.targets.models import Metric, PeriodKind, Target, period_end, period_start

SELLER_OBJECT_TYPE = "sales.opportunity"
PERCENT_PLACES = Decimal("0.1")


# --- periods ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # the first day after the period

    @classmethod
    def of(cls, kind: str, day: datetime.date) -> Period:
        if kind not in PeriodKind.values:
            raise ValueError(f"unknown period kind: {kind!r}")
        start = period_start(kind, day)
        return cls(kind=kind, start=start, end=period_end(kind, start))

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def previous(self) -> Period:
        return Period.of(self.kind, self.start - datetime.timedelta(days=1))

    @property
    def next(self) -> Period:
        return Period.of(self.kind, self.end)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("Year %(year)s") % {"year": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1,
                                                 "year": self.start.year}
        return date_format(self.start, "YEAR_MONTH_FORMAT")

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- who the viewer may see -------------------------------------------------------------------

def scope_members(*, actor: Actor) -> QuerySet[Membership]:
    """Active members whose figures the actor may see: everyone with the "org" data scope,
    the members of the actor's team(s) with "team"/"subtree", only the actor with "own"."""
    qs = (Membership.objects.filter(organization=actor.organization, is_active=True)
          .select_related("user", "team", "role").order_by("user__name", "user__email"))
    if actor.data_scope == "org":
        return qs
    mine = Q(user_id=actor.user.pk)
    if actor.data_scope in ("team", "subtree") and actor.team_ids_in_scope:
        mine |= Q(team_id__in=actor.team_ids_in_scope)
    return qs.filter(mine)


def scope_teams(*, actor: Actor) -> QuerySet[Team]:
    """Teams whose targets the actor may see (and, with the right to, set)."""
    qs = Team.objects.filter(organization=actor.organization).order_by("path")
    if actor.data_scope == "org":
        return qs
    if actor.data_scope in ("team", "subtree"):
        return qs.filter(pk__in=actor.team_ids_in_scope)
    return qs.none()


def _subject_q(actor: Actor) -> Q:
    if actor.data_scope == "org":
        return Q()
    members = scope_members(actor=actor).values("user_id")
    teams = scope_teams(actor=actor).values("pk")
    return Q(user_id__in=members) | Q(team_id__in=teams)


def target_list(*, actor: Actor, action: str = "view", period_kind: str | None = None,
                start: datetime.date | None = None, metric: str | None = None,
                user_id: int | None = None, team_id: int | None = None) -> QuerySet[Target]:
    qs = (scoping.visible(actor, Target.objects.all(), action).filter(_subject_q(actor))
          .select_related("user", "team"))
    if period_kind:
        qs = qs.filter(period_kind=period_kind)
    if start:
        qs = qs.filter(period_start=start)
    if metric:
        qs = qs.filter(metric=metric)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("-period_start", "id")


def target_get(*, actor: Actor, target_id: int, action: str = "view") -> Target:
    qs = Target.objects.filter(_subject_q(actor)).select_related("user", "team")
    return scoping.get_visible(actor, qs, target_id, action)


# --- actual figures ---------------------------------------------------------------------------

def won_by_owner(*, actor: Actor, start: datetime.date, end: datetime.date,
                 owner_ids: list[int] | None = None) -> dict[tuple[int, str], Decimal]:
    """Won opportunity amounts per (owner, currency), closed in [start, end)."""
    from kehu.sales.models import Opportunity

    qs = Opportunity.objects.filter(organization=actor.organization,
                                    status=Opportunity.Status.WON, deleted_at__isnull=True,
                                    owner__isnull=False, closed_at__gte=_aware(start),
                                    closed_at__lt=_aware(end))
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    rows = qs.values("owner_id", "currency").annotate(total=Sum("amount")).order_by()
    return {(r["owner_id"], r["currency"]): money.quantize(r["total"] or 0, r["currency"])
            for r in rows}


def collected_by_owner(*, actor: Actor, start: datetime.date, end: datetime.date,
                       owner_ids: list[int] | None = None) -> dict[tuple[int, str], Decimal]:
    """Payments received in [start, end) per (order owner, currency), over the orders the
    actor may see (the orders module's one GROUP BY). The orders module sums payments as
    booked, one currency per organization: they count in the organization's currency."""
    from kehu.orders import selectors as order_selectors

    currency = actor.organization.default_currency
    totals = order_selectors.collected_by_owner(actor=actor, start=start,
                                                end=end - datetime.timedelta(days=1))
    wanted = None if owner_ids is None else set(owner_ids)
    return {(owner_id, currency): money.quantize(total or 0, currency)
            for owner_id, total in totals.items() if wanted is None or owner_id in wanted}


ACTUALS = {Metric.WON_AMOUNT: won_by_owner, Metric.COLLECTED: collected_by_owner}


def actuals(*, actor: Actor, metric: str, period: Period,
            owner_ids: list[int] | None = None) -> dict[tuple[int, str], Decimal]:
    return ACTUALS[metric](actor=actor, start=period.start, end=period.end, owner_ids=owner_ids)


def percent(actual: Decimal, target: Decimal | None) -> Decimal | None:
    if target is None or target <= 0:
        return None
    return (actual * money.HUNDRED / target).quantize(PERCENT_PLACES)


# --- progress against targets ------------------------------------------------------------------

@dataclass
class TargetProgress:
    target: Target
    name: str
    team_name: str
    actual: Decimal
    percent: Decimal | None
    member_count: int = 1

    @property
    def bar(self) -> int:
        """Width of a progress bar, 0–100."""
        return 0 if self.percent is None else max(0, min(100, int(self.percent)))


def _team_members(organization, team_ids: set[int]) -> dict[int, set[int]]:
    """User ids of the active members of each team and its sub-teams (two queries)."""
    if not team_ids:
        return {}
    teams = list(Team.objects.filter(organization=organization).values_list("pk", "path"))
    paths = dict(teams)
    members: dict[int, set[int]] = defaultdict(set)
    for user_id, member_team in (Membership.objects.filter(organization=organization,
                                                           is_active=True,
                                                           team__isnull=False)
                                 .values_list("user_id", "team_id")):
        members[member_team].add(user_id)
    result = {}
    for team_id in team_ids:
        prefix = paths.get(team_id)
        result[team_id] = {user for pk, path in teams if prefix and path.startswith(prefix)
                           for user in members.get(pk, ())}
    return result


def target_progress(*, actor: Actor, period: Period,
                    metric: str | None = None) -> list[TargetProgress]:
    """Every target the actor may see for the period (users first, then teams), with its
    actual figure and the percentage reached."""
    targets = list(target_list(actor=actor, period_kind=period.kind, start=period.start,
                               metric=metric).order_by("team_id", "id"))
    team_members = _team_members(actor.organization,
                                 {t.team_id for t in targets if t.team_id})
    by_metric: dict[str, set[int]] = defaultdict(set)
    for t in targets:
        by_metric[t.metric] |= {t.user_id} if t.user_id else team_members[t.team_id]
    figures = {m: actuals(actor=actor, metric=m, period=period, owner_ids=sorted(ids))
               for m, ids in by_metric.items()}
    team_of = {m.user_id: str(m.team) if m.team else "" for m in
               Membership.objects.filter(organization=actor.organization,
                                         user_id__in={t.user_id for t in targets if t.user_id})
               .select_related("team")} if any(t.user_id for t in targets) else {}
    result = []
    for t in targets:
        owners = {t.user_id} if t.user_id else team_members[t.team_id]
        actual = sum((figures[t.metric].get((uid, t.currency), money.ZERO) for uid in owners),
                     money.ZERO)
        result.append(TargetProgress(
            target=t, name=str(t.user if t.user_id else t.team),
            team_name=team_of.get(t.user_id, "") if t.user_id else "",
            actual=actual, percent=percent(actual, t.amount), member_count=len(owners)))
    return result


# --- the ranking (业绩排行) ---------------------------------------------------------------------

@dataclass
class RankRow:
    rank: int
    user_id: int
    name: str
    team_name: str
    actual: Decimal
    target: Decimal | None
    percent: Decimal | None
    currency: str
    is_me: bool = False
    target_obj: Target | None = field(default=None, repr=False)

    @property
    def bar(self) -> int:
        return 0 if self.percent is None else max(0, min(100, int(self.percent)))


def target_ranking(*, actor: Actor, period: Period, metric: str,
                   currency: str | None = None) -> list[RankRow]:
    """The people the actor may see, best actual figure first, each with their target for the
    period. Amounts are in `currency` (the organization's default); figures in other currencies
    are not converted and do not count. Members who sell (may create opportunities), have a
    target or have a figure are listed; the actor always is."""
    currency = currency or actor.organization.default_currency
    members = list(scope_members(actor=actor))
    owner_ids = None if actor.data_scope == "org" else [m.user_id for m in members]
    figures = actuals(actor=actor, metric=metric, period=period, owner_ids=owner_ids)
    targets = {t.user_id: t for t in target_list(actor=actor, period_kind=period.kind,
                                                 start=period.start, metric=metric)
               .filter(user__isnull=False, currency=currency)}
    me = actor.user.pk if actor.user else None
    rows = []
    for m in members:
        actual = figures.get((m.user_id, currency), money.ZERO)
        target = targets.get(m.user_id)
        if not (target or actual or m.user_id == me or m.role.allows("create",
                                                                      SELLER_OBJECT_TYPE)):
            continue
        amount = target.amount if target else None
        rows.append(RankRow(rank=0, user_id=m.user_id, name=str(m.user),
                            team_name=str(m.team) if m.team else "", actual=actual,
                            target=amount, percent=percent(actual, amount), currency=currency,
                            is_me=m.user_id == me, target_obj=target))
    rows.sort(key=lambda r: (-r.actual, r.name))
    previous = None
    for position, row in enumerate(rows, start=1):
        row.rank = previous.rank if previous and previous.actual == row.actual else position
        previous = row
    return rows

"""The sales figures computed again from the raw rows in plain Python, the way a person
would count them by hand, for the tests to hold the pages and the API against."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from kehu.analytics.tests.conftest import World, local_day
from kehu.core.common import money
from kehu.sales.models import Stage

ONE = Decimal("0.1")


def within(moment: datetime.datetime | None, first: datetime.date, last: datetime.date) -> bool:
    return moment is not None and first <= local_day(moment) <= last


def reaching(world: World, stage: Stage) -> set[int]:
    if stage.kind == Stage.Kind.WON:
        return {stage.pk}
    return {s.pk for s in world.stages if s.kind == Stage.Kind.WON
            or (s.kind == Stage.Kind.OPEN and s.position >= stage.position)}


def funnel(world: World, membership, first: datetime.date, last: datetime.date) -> dict:
    rows = [o for o in world.visible_to(membership) if o.currency == "CNY"]
    cohort = [o for o in rows if within(o.created_at, first, last)]
    shown = [*world.open_stages(), world.won_stage]
    steps = {}
    for stage in shown:
        targets = reaching(world, stage)
        reached = [o for o in cohort
                   if {c.to_stage_id for c in world.changes[o.pk]} & targets]
        current = [o for o in cohort if o.stage_id == stage.pk]
        steps[stage.pk] = {"reached": len(reached),
                           "reached_amount": sum((o.amount for o in reached), money.ZERO),
                           "current": len(current),
                           "current_amount": sum((o.amount for o in current), money.ZERO)}
    closed = [o for o in rows if within(o.closed_at, first, last)]
    won = [o for o in closed if o.status == "won"]
    lost = [o for o in closed if o.status == "lost"]
    won_amount = sum((o.amount for o in won), money.ZERO)
    cycle = (sum(((o.closed_at - o.created_at) for o in won), datetime.timedelta())
             / len(won)) if won else None
    return {
        "created": len(cohort), "steps": steps, "won": len(won), "lost": len(lost),
        "won_amount": won_amount,
        "win_rate": (Decimal(len(won) * 100) / (len(won) + len(lost))).quantize(ONE)
        if won or lost else None,
        "average_deal": money.quantize(won_amount / len(won)) if won else None,
        "cycle_days": Decimal(cycle.total_seconds()) / 86400 if cycle else None,
        "lost_reasons": Counter(o.lost_reason_id for o in lost),
    }


def stage_days(world: World, membership, first: datetime.date,
               last: datetime.date) -> dict[int, Decimal]:
    """Average days per open stage over the stays that ended in the range (any currency)."""
    seconds = defaultdict(list)
    open_ids = {s.pk for s in world.open_stages()}
    for o in world.visible_to(membership):
        for change in world.changes[o.pk]:
            if change.from_stage_id in open_ids and within(change.changed_at, first, last):
                seconds[change.from_stage_id].append(change.seconds_in_previous)
    return {pk: Decimal(sum(v)) / len(v) / 86400 for pk, v in seconds.items()}


def month_start(day: datetime.date, shift: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + shift
    return datetime.date(index // 12, index % 12 + 1, 1)


def won_in_month(world: World, membership, month: datetime.date) -> Decimal:
    return sum((o.amount for o in world.visible_to(membership)
                if o.currency == "CNY" and o.status == "won" and o.closed_at is not None
                and month_start(local_day(o.closed_at)) == month), money.ZERO)


def open_in_month(world: World, membership, month: datetime.date) -> tuple[int, Decimal]:
    rows = [o for o in world.visible_to(membership)
            if o.currency == "CNY" and o.status == "open" and o.expected_close_on
            and month_start(o.expected_close_on) == month]
    return len(rows), sum((o.weighted_amount for o in rows), money.ZERO)

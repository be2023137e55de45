"""Churn warning (流失预警): customers whose buying or contact rhythm broke.

For each customer in scope, and separately for its orders (signing dates of counted orders)
and its follow-ups (local dates of follow-ups): the distinct days form a history. With at
least MIN_HISTORY days, the usual interval is the median of the gaps between consecutive
days. The rhythm is broken when the days since the last one exceed FACTOR × that median and
are at least MIN_SILENT_DAYS. Severity is the larger of the two ratios silent / usual; the
list is sorted by it, most severe first.

All of it is one query per signal with window functions (LAG, ROW_NUMBER, COUNT OVER) that
SQLite and PostgreSQL both run; the flagged rows are a snapshot reused for base.SNAPSHOT_TTL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.analytics.customer_metrics import base
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

MIN_HISTORY = 3
FACTOR = 2
MIN_SILENT_DAYS = 30
ORDERS, FOLLOW_UPS = "orders", "follow_ups"


@dataclass(frozen=True)
class Signal:
    kind: str  # ORDERS or FOLLOW_UPS
    usual_days: float  # the median interval
    silent_days: int  # since the last one
    history: int  # distinct days
    last_on: datetime.date

    @property
    def ratio(self) -> float:
        return self.silent_days / self.usual_days

    @property
    def reason(self) -> str:
        values = {"usual": round(self.usual_days), "silent": self.silent_days}
        if self.kind == ORDERS:
            return _("Orders every ~%(usual)s days, none for %(silent)s days") % values
        return _("Followed up every ~%(usual)s days, none for %(silent)s days") % values


@dataclass(frozen=True)
class Warning:
    customer_id: int
    signals: tuple[Signal, ...]

    @property
    def severity(self) -> float:
        return max(s.ratio for s in self.signals)


@dataclass(frozen=True)
class ChurnList:
    warnings: list[Warning]
    today: datetime.date
    as_of: datetime.datetime


# One sort per customer for the gaps (LAG) and the last day, one for the median; customers
# silent for less than MIN_SILENT_DAYS are dropped before the second sort.
_BROKEN = """
WITH d AS ({inner}),
g AS (SELECT cid, {gap} AS gap, MAX(day) OVER (PARTITION BY cid) AS last_on FROM d),
r AS (SELECT cid, gap, last_on, ROW_NUMBER() OVER (PARTITION BY cid ORDER BY gap) AS rn,
             COUNT(*) OVER (PARTITION BY cid) AS cnt
      FROM g WHERE gap IS NOT NULL AND last_on <= %s),
m AS (SELECT cid, AVG(gap) AS usual, MAX(cnt) + 1 AS history, MAX(last_on) AS last_on
      FROM r WHERE rn = (cnt + 1) / 2 OR rn = (cnt + 2) / 2 GROUP BY cid)
SELECT cid, usual, silent, history, last_on FROM (
    SELECT cid, usual, history, last_on, {silent} AS silent FROM m) s
WHERE history >= %s AND silent >= %s AND silent > %s * usual
"""


def _broken(kind: str, days: QuerySet, today: datetime.date) -> list[tuple[int, Signal]]:
    query = _BROKEN.replace("{gap}", base.days_between_sql(
        "day", "LAG(day) OVER (PARTITION BY cid ORDER BY day)")).replace(
        "{silent}", base.days_between_sql("%s", "last_on"))
    cutoff = today - datetime.timedelta(days=MIN_SILENT_DAYS)
    rows = base.over(days, query, [base.date_param(cutoff), base.date_param(today), MIN_HISTORY,
                                   MIN_SILENT_DAYS, FACTOR])
    return [(cid, Signal(kind=kind, usual_days=float(usual), silent_days=int(silent),
                         history=int(history), last_on=base.as_date(last_on)))
            for cid, usual, silent, history, last_on in rows]


def order_days(actor: Actor, today: datetime.date) -> QuerySet:
    return (base.orders(actor, today=today).values(cid=F("customer_id"), day=F("signed_on"))
            .distinct())


def follow_up_days(actor: Actor, now: datetime.datetime) -> QuerySet:
    return (base.follow_ups(actor, now=now)
            .values(cid=F("customer_id"), day=TruncDate("happened_at")).distinct())


def _compute(actor: Actor) -> tuple[datetime.date, list[Warning]]:
    now = timezone.now()
    today = timezone.localdate(now)
    found: dict[int, list[Signal]] = {}
    for cid, signal in [*_broken(ORDERS, order_days(actor, today), today),
                        *_broken(FOLLOW_UPS, follow_up_days(actor, now), today)]:
        found.setdefault(cid, []).append(signal)
    warnings = [Warning(customer_id=cid, signals=tuple(signals))
                for cid, signals in found.items()]
    warnings.sort(key=lambda w: (-w.severity, -max(s.silent_days for s in w.signals),
                                 w.customer_id))
    return today, warnings


def churn_list(*, actor: Actor) -> ChurnList:
    snap = base.snapshot(actor, "churn", lambda: _compute(actor))
    today, warnings = snap.value
    return ChurnList(warnings=warnings, today=today, as_of=snap.as_of)


def customers_of(actor: Actor, warnings: list[Warning]) -> dict[int, Customer]:
    """The customers of one page of warnings that the actor can still see."""
    ids = [w.customer_id for w in warnings]
    return base.customers(actor).in_bulk(ids)

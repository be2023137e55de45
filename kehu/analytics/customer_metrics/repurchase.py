"""Repurchase rate (复购率) of a period: among the customers in scope with at least one counted
order signed in the period (buyers), the share with two or more (repeat buyers). Orders are
counted, not days: two orders signed the same day are a repurchase. Draft and cancelled orders
do not count (see base.py). The monthly trend applies the same definition to each calendar
month of the range on its own, so a month's rate only looks at that month's orders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncMonth

from kehu.analytics.customer_metrics import base
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

REPEAT = 2
# buyers and repeat buyers over rows of (customer, n orders)
COUNTS = f"COUNT(*), SUM(CASE WHEN n >= {REPEAT} THEN 1 ELSE 0 END) FROM ({{inner}}) per"


@dataclass(frozen=True)
class Rate:
    start: datetime.date
    end: datetime.date
    buyers: int
    repeaters: int

    @property
    def percent(self) -> Decimal | None:
        """Repeat buyers per 100 buyers, one decimal, None without buyers."""
        if not self.buyers:
            return None
        return (Decimal(self.repeaters * 100) / self.buyers).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Repurchase:
    total: Rate
    months: list[Rate]


def _orders(actor: Actor, start: datetime.date, end: datetime.date) -> QuerySet:
    return base.orders(actor, today=end).filter(signed_on__gte=start)


def _month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def repurchase(*, actor: Actor, start: datetime.date, end: datetime.date) -> Repurchase:
    orders = _orders(actor, start, end)
    per_month = (orders.annotate(month=TruncMonth("signed_on"))
                 .values("month", cid=F("customer_id")).annotate(n=Count("id"))
                 .values("month", "n"))
    found = {base.as_date(month): (buyers, repeaters or 0) for month, buyers, repeaters
             in base.over(per_month, "SELECT month, " + COUNTS + " GROUP BY month")}
    per_customer = orders.values(cid=F("customer_id")).annotate(n=Count("id")).values("n")
    [(buyers, repeaters)] = base.over(per_customer, "SELECT " + COUNTS, empty=[(0, 0)])
    months, month = [], start.replace(day=1)
    while month <= end:
        in_month = found.get(month, (0, 0))
        months.append(Rate(start=max(month, start), end=min(_month_end(month), end),
                           buyers=in_month[0], repeaters=in_month[1]))
        month = _month_end(month) + datetime.timedelta(days=1)
    return Repurchase(total=Rate(start=start, end=end, buyers=buyers, repeaters=repeaters or 0),
                      months=months)


def drill(actor: Actor, *, start: datetime.date, end: datetime.date,
          repeat: bool) -> QuerySet[Customer]:
    """The buyers of the period, or with `repeat` its repeat buyers."""
    per = _orders(actor, start, end).values(cid=F("customer_id")).annotate(n=Count("id"))
    if repeat:
        per = per.filter(n__gte=REPEAT)
    return base.customers(actor).filter(pk__in=per.values("cid"))

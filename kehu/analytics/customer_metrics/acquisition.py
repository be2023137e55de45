"""New customers (新增客户): how many customers were created in a date range, per day, week,
month or quarter, per source and per province. Grouped counts in SQL over the
(organization, created_at) rows in range; nothing per customer comes back to Python."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from kehu.analytics.customer_metrics import base
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

BUCKETS = ("day", "week", "month", "quarter")
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}
# a chart stays readable (and the query cheap) up to this many buckets
MAX_BUCKETS = 400
# the empty source or province is a value of its own in the figures and their drill-down
BLANK = "__blank__"


@dataclass(frozen=True)
class Bucket:
    start: datetime.date  # clamped to the range: a week may begin before the range does
    end: datetime.date
    count: int


@dataclass(frozen=True)
class Group:
    value: str  # "" for customers without one
    count: int


@dataclass(frozen=True)
class NewCustomers:
    start: datetime.date
    end: datetime.date
    bucket: str
    total: int
    buckets: list[Bucket]
    by_source: list[Group]
    by_province: list[Group]


def bucket_start(day: datetime.date, bucket: str) -> datetime.date:
    if bucket == "week":
        return day - datetime.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def next_bucket(day: datetime.date, bucket: str) -> datetime.date:
    if bucket == "day":
        return day + datetime.timedelta(days=1)
    if bucket == "week":
        return day + datetime.timedelta(days=7)
    months = 1 if bucket == "month" else 3
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def bucket_starts(start: datetime.date, end: datetime.date, bucket: str) -> list[datetime.date]:
    starts, day = [], bucket_start(start, bucket)
    while day <= end and len(starts) < MAX_BUCKETS:
        starts.append(day)
        day = next_bucket(day, bucket)
    return starts


def created_between(actor: Actor, start: datetime.date, end: datetime.date) -> QuerySet[Customer]:
    """Customers created from the start of `start` to the end of `end`, local time."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz)
    return base.customers(actor).filter(created_at__gte=since, created_at__lt=until)


def drill(actor: Actor, *, start: datetime.date, end: datetime.date, source: str | None = None,
          province: str | None = None) -> QuerySet[Customer]:
    """The customers one figure of `new_customers` counts."""
    qs = created_between(actor, start, end)
    if source is not None:
        qs = qs.filter(source="" if source == BLANK else source)
    if province is not None:
        qs = qs.filter(province="" if province == BLANK else province)
    return qs


def _groups(qs: QuerySet[Customer], field: str) -> list[Group]:
    rows = qs.order_by().values(field).annotate(n=Count("id")).values_list(field, "n")
    return sorted((Group(value=value or "", count=n) for value, n in rows),
                  key=lambda g: (-g.count, g.value))


def new_customers(*, actor: Actor, start: datetime.date, end: datetime.date,
                  bucket: str = "month") -> NewCustomers:
    qs = created_between(actor, start, end)
    trunc = TRUNC[bucket]("created_at")
    counts = {}
    for moment, n in (qs.order_by().annotate(b=trunc).values("b").annotate(n=Count("id"))
                      .values_list("b", "n")):
        day = moment.date() if isinstance(moment, datetime.datetime) else moment
        counts[day] = counts.get(day, 0) + n
    buckets = []
    for day in bucket_starts(start, end, bucket):
        last = min(next_bucket(day, bucket) - datetime.timedelta(days=1), end)
        buckets.append(Bucket(start=max(day, start), end=last, count=counts.get(day, 0)))
    by_source = _groups(qs, "source")
    return NewCustomers(start=start, end=end, bucket=bucket,
                        total=sum(g.count for g in by_source), buckets=buckets,
                        by_source=by_source, by_province=_groups(qs, "province"))

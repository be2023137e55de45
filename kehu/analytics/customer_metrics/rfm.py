"""RFM tiers (RFM 客户分层).

For every customer in scope with at least one counted order (see base.py):
  R  days since the last order          ≤30 → 5, ≤60 → 4, ≤90 → 3, ≤180 → 2, else 1
  F  orders in the last 12 months        ≥10 → 5, ≥5 → 4, ≥3 → 3, 2 → 2, else 1
  M  order amount in the last 12 months  by quintile among the customers with an amount:
     NTILE(5) over the amounts in ascending order; the smallest amount of quintiles 2..5
     are the bounds, and the score is 1 + the number of bounds ≤ the amount (0 → 1).
A score of 3 or more is "high". A customer whose first order is at most 90 days old is
"new"; the others fall into the eight classic tiers by high/low R, F and M.

Two queries over the orders in scope (the M bounds, then the tier counts), both GROUP BY
customer; the result is a snapshot reused for base.SNAPSHOT_TTL. The drill-down of a tier
runs the same classification with the snapshot's day and bounds, so its count is the
figure's unless orders changed since the snapshot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.analytics.customer_metrics import base
from kehu.core.common import money
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

WINDOW_DAYS = 365
NEW_DAYS = 90
HIGH = 3
R_DAYS = ((30, 5), (60, 4), (90, 3), (180, 2))  # at most this many days → score
F_ORDERS = ((10, 5), (5, 4), (3, 3), (2, 2))  # at least this many orders → score

# (key, label, R high, F high, M high); None: any. "new" is decided before the others.
TIERS = (
    ("new", _("New customers"), None, None, None),
    ("important_value", _("Important value"), True, True, True),
    ("important_develop", _("Important to develop"), True, False, True),
    ("important_keep", _("Important to keep"), False, True, True),
    ("important_retain", _("Important at risk"), False, False, True),
    ("ordinary_value", _("Ordinary value"), True, True, False),
    ("ordinary_develop", _("Ordinary to develop"), True, False, False),
    ("ordinary_keep", _("Ordinary to keep"), False, True, False),
    ("ordinary_retain", _("Ordinary at risk"), False, False, False),
)
TIER_KEYS = tuple(key for key, *_rest in TIERS)
TIER_LABELS = {key: label for key, label, *_rest in TIERS}
NO_ORDERS = "no_orders"


@dataclass(frozen=True)
class Parameters:
    """What a classification depends on besides the orders: kept in the snapshot so that
    a drill-down classifies exactly as the figure did."""

    today: datetime.date
    m_bounds: tuple[Decimal, ...]


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class RFM:
    parameters: Parameters
    tiers: list[Tier]
    without_orders: int
    as_of: datetime.datetime

    @property
    def with_orders(self) -> int:
        return sum(t.count for t in self.tiers)


def _per_customer(actor: Actor, today: datetime.date) -> QuerySet:
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    recent = Q(signed_on__gt=since)
    return (base.orders(actor, today=today).values(cid=F("customer_id"))
            .annotate(last_on=Max("signed_on"), first_on=Min("signed_on"),
                      f=Count("id", filter=recent),
                      m=Coalesce(Sum("amount", filter=recent), Value(money.ZERO))))


def m_bounds(actor: Actor, today: datetime.date) -> tuple[Decimal, ...]:
    rows = base.over(_per_customer(actor, today).values("m"),
                     "SELECT q, MIN(m) FROM (SELECT m, NTILE(5) OVER (ORDER BY m) AS q "
                     "FROM ({inner}) per WHERE m > 0) ranked GROUP BY q ORDER BY q")
    return tuple(money.quantize(Decimal(str(low))) for q, low in rows if q > 1)


def _score_r(today: datetime.date):
    return Case(*[When(last_on__gte=today - datetime.timedelta(days=days), then=Value(score))
                  for days, score in R_DAYS], default=Value(1), output_field=IntegerField())


def _score_f():
    return Case(*[When(f__gte=orders, then=Value(score)) for orders, score in F_ORDERS],
                default=Value(1), output_field=IntegerField())


def _score_m(bounds: tuple[Decimal, ...]):
    # 1 + the number of bounds reached: the bounds ascend, so test from the top one down
    whens = [When(m__gte=bound, then=Value(index + 2))
             for index, bound in reversed(list(enumerate(bounds)))]
    return Case(*whens, default=Value(1), output_field=IntegerField())


def _tier_case(parameters: Parameters):
    new_since = parameters.today - datetime.timedelta(days=NEW_DAYS)
    whens = [When(first_on__gte=new_since, then=Value(TIER_KEYS.index("new")))]
    for index, (_key, _label, r_high, f_high, m_high) in enumerate(TIERS):
        if r_high is None:
            continue
        condition = ((Q(r__gte=HIGH) if r_high else Q(r__lt=HIGH))
                     & (Q(fs__gte=HIGH) if f_high else Q(fs__lt=HIGH))
                     & (Q(ms__gte=HIGH) if m_high else Q(ms__lt=HIGH)))
        whens.append(When(condition, then=Value(index)))
    return Case(*whens, output_field=IntegerField())


def classified(actor: Actor, parameters: Parameters) -> QuerySet:
    """One row per customer with orders: cid and tier (an index into TIERS)."""
    return (_per_customer(actor, parameters.today)
            .annotate(r=_score_r(parameters.today), fs=_score_f(),
                      ms=_score_m(parameters.m_bounds))
            .annotate(tier=_tier_case(parameters)))


def _compute(actor: Actor) -> tuple[Parameters, dict[str, int], int]:
    today = timezone.localdate()
    parameters = Parameters(today=today, m_bounds=m_bounds(actor, today))
    counts = dict(base.over(classified(actor, parameters).values("tier"),
                            "SELECT tier, COUNT(*) FROM ({inner}) per GROUP BY tier"))
    with_orders = sum(counts.values())
    without = base.customers(actor).count() - with_orders
    return parameters, {key: counts.get(i, 0) for i, key in enumerate(TIER_KEYS)}, without


def rfm(*, actor: Actor) -> RFM:
    snap = base.snapshot(actor, "rfm", lambda: _compute(actor))
    parameters, counts, without = snap.value
    return RFM(parameters=parameters, without_orders=without, as_of=snap.as_of,
               tiers=[Tier(key=key, label=str(TIER_LABELS[key]), count=counts[key])
                      for key in TIER_KEYS])


def drill(actor: Actor, tier: str) -> QuerySet[Customer]:
    """The customers of one tier (or NO_ORDERS), classified with the snapshot's parameters."""
    parameters = rfm(actor=actor).parameters
    buyers = classified(actor, parameters)
    if tier == NO_ORDERS:
        return base.customers(actor).exclude(pk__in=buyers.values("cid"))
    ids = buyers.filter(tier=TIER_KEYS.index(tier)).values("cid")
    return base.customers(actor).filter(pk__in=ids)

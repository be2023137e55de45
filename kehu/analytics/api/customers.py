"""/api/v1/analytics/customers: new customers, RFM tiers, repurchase rate, churn warning, and
the customers behind any of these figures. The same figures as the pages, for the viewer's
data scope."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from kehu.analytics import customers_forms as forms
from kehu.analytics.customer_metrics import acquisition, churn, drill, repurchase, rfm
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.permissions.actor import Actor

router = Router(tags=["analytics"])

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    actor = request.actor
    if not actor.can("view", "customers.customer"):
        raise PermissionDeniedError()
    return actor


def _range(start: datetime.date | None, end: datetime.date | None,
           bucket: str | None = None) -> tuple[datetime.date, datetime.date]:
    default_start, default_end = forms.default_range()
    start, end = start or default_start, end or default_end
    problem = forms.check_range(start, end, bucket)
    if problem:
        raise DomainError("invalid_range", problem, status=422)
    return start, end


class RangeFilter(Schema):
    start: datetime.date | None = None
    end: datetime.date | None = None


class NewCustomersFilter(RangeFilter):
    bucket: Literal["day", "week", "month", "quarter"] = "month"


class BucketOut(Schema):
    start: datetime.date
    end: datetime.date
    count: int


class GroupOut(Schema):
    value: str
    count: int


class NewCustomersOut(Schema):
    start: datetime.date
    end: datetime.date
    bucket: str
    total: int
    buckets: list[BucketOut]
    by_source: list[GroupOut]
    by_province: list[GroupOut]


class TierOut(Schema):
    key: str
    label: str
    count: int


class RFMOut(Schema):
    as_of: datetime.datetime
    today: datetime.date
    m_bounds: list[Decimal]
    tiers: list[TierOut]
    with_orders: int
    without_orders: int


class RateOut(Schema):
    start: datetime.date
    end: datetime.date
    buyers: int
    repeaters: int
    rate_percent: Decimal | None


class RepurchaseOut(RateOut):
    months: list[RateOut]


class SignalOut(Schema):
    kind: str
    usual_days: Decimal
    silent_days: int
    history: int
    last_on: datetime.date
    reason: str


class WarningOut(Schema):
    customer_id: int
    name: str
    owner_id: int | None
    severity: Decimal
    signals: list[SignalOut]


class ChurnOut(Schema):
    as_of: datetime.datetime
    count: int
    page: int
    pages: int
    items: list[WarningOut]


class DrillFilter(RangeFilter):
    kind: Literal["new", "rfm", "buyers", "repeaters"]
    tier: str | None = None
    source: str | None = None
    province: str | None = None
    page: int = 1


class DrillCustomerOut(Schema):
    id: int
    name: str
    owner_id: int | None
    source: str
    province: str
    created_at: datetime.datetime


class DrillOut(Schema):
    count: int
    page: int
    pages: int
    items: list[DrillCustomerOut]


def _rate(rate: repurchase.Rate) -> dict:
    return {"start": rate.start, "end": rate.end, "buyers": rate.buyers,
            "repeaters": rate.repeaters, "rate_percent": rate.percent}


def _two_places(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


@router.get("/new", response=NewCustomersOut)
def new_customers(request: HttpRequest, filters: Query[NewCustomersFilter]):
    actor = _actor(request)
    start, end = _range(filters.start, filters.end, filters.bucket)
    return acquisition.new_customers(actor=actor, start=start, end=end, bucket=filters.bucket)


@router.get("/rfm", response=RFMOut)
def rfm_tiers(request: HttpRequest):
    figures = rfm.rfm(actor=_actor(request))
    return {"as_of": figures.as_of, "today": figures.parameters.today,
            "m_bounds": list(figures.parameters.m_bounds), "tiers": figures.tiers,
            "with_orders": figures.with_orders, "without_orders": figures.without_orders}


@router.get("/repurchase", response=RepurchaseOut)
def repurchase_rate(request: HttpRequest, filters: Query[RangeFilter]):
    actor = _actor(request)
    start, end = _range(filters.start, filters.end)
    figures = repurchase.repurchase(actor=actor, start=start, end=end)
    return {**_rate(figures.total), "months": [_rate(m) for m in figures.months]}


@router.get("/churn", response=ChurnOut)
def churn_warning(request: HttpRequest, page: int = 1):
    actor = _actor(request)
    found = churn.churn_list(actor=actor)
    paged = Paginator(found.warnings, PAGE_SIZE).get_page(page)
    customers = churn.customers_of(actor, list(paged.object_list))
    items = [{"customer_id": w.customer_id, "name": customers[w.customer_id].name,
              "owner_id": customers[w.customer_id].owner_id,
              "severity": _two_places(w.severity),
              "signals": [{"kind": s.kind, "usual_days": _two_places(s.usual_days),
                           "silent_days": s.silent_days, "history": s.history,
                           "last_on": s.last_on, "reason": s.reason} for s in w.signals]}
             for w in paged.object_list if w.customer_id in customers]
    return {"as_of": found.as_of, "count": paged.paginator.count, "page": paged.number,
            "pages": paged.paginator.num_pages, "items": items}


@router.get("/list", response=DrillOut)
def drill_down(request: HttpRequest, filters: Query[DrillFilter]):
    """The customers one figure counts: `kind=new` (start, end, optional source and
    province; "__blank__" for none), `kind=rfm` (tier, or `no_orders`), `kind=buyers` or
    `kind=repeaters` (start, end)."""
    actor = _actor(request)
    spec = drill.Spec(kind=filters.kind, start=filters.start, end=filters.end,
                      source=filters.source, province=filters.province, tier=filters.tier)
    paged = Paginator(drill.customers(actor=actor, spec=spec), PAGE_SIZE).get_page(filters.page)
    return {"count": paged.paginator.count, "page": paged.number,
            "pages": paged.paginator.num_pages, "items": list(paged.object_list)}

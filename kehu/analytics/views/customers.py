"""Customer analytics pages: new customers, RFM tiers, repurchase rate, churn warning, and the
drill-down list behind every figure. Figures come from kehu/analytics/customer_metrics."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kehu.analytics import customers_forms as forms
from kehu.analytics.customer_metrics import acquisition, base, churn, drill, repurchase, rfm
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor
from kehu.web.decorators import member_required

PAGE_SIZE = 50


def _require(actor: Actor) -> None:
    if not actor.can("view", "customers.customer"):
        raise PermissionDenied


def _render(request: HttpRequest, template: str, section: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, f"analytics/customers/{template}",
                  {"nav_section": "analytics", "section": section,
                   "snapshot_minutes": base.SNAPSHOT_TTL // 60,
                   "can_view_orders": request.actor.can("view", "orders.order"), **context},
                  status=status)


def drill_url(**params: Any) -> str:
    values = {k: (v.isoformat() if isinstance(v, datetime.date) else v)
              for k, v in params.items() if v is not None}
    return f"{reverse('analytics:customer-drill')}?{urlencode(values)}"


def bucket_label(day: datetime.date, bucket: str) -> str:
    if bucket == "month":
        return f"{day:%Y-%m}"
    if bucket == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return day.isoformat()


def _groups(groups: list[acquisition.Group], field: str, period: dict) -> list[dict]:
    return [{"value": g.value, "count": g.count,
             "url": drill_url(kind="new", start=period["start"], end=period["end"],
                              **{field: g.value or acquisition.BLANK})} for g in groups]


@member_required
@require_GET
def customer_new_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    form = forms.NewCustomersForm(request.GET or None)
    period = form.period()
    figures = acquisition.new_customers(actor=actor, start=period["start"], end=period["end"],
                                        bucket=period["bucket"])
    buckets = [{"label": bucket_label(b.start, figures.bucket), "count": b.count,
                "url": drill_url(kind="new", start=b.start, end=b.end)}
               for b in figures.buckets]
    sources = _groups(figures.by_source, "source", period)
    provinces = _groups(figures.by_province, "province", period)
    return _render(request, "new.html", "new", {
        "form": form, "figures": figures, "buckets": buckets, "sources": sources,
        "provinces": provinces,
        "total_url": drill_url(kind="new", start=period["start"], end=period["end"]),
        "chart": {"buckets": buckets, "sources": sources, "provinces": provinces,
                  "labels": {"new_customers": _("New customers"), "none": _("(none)")}}})


@member_required
@require_GET
def customer_rfm_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    figures = rfm.rfm(actor=actor)
    tiers = [{"key": t.key, "label": t.label, "count": t.count,
              "url": drill_url(kind="rfm", tier=t.key)} for t in figures.tiers]
    return _render(request, "rfm.html", "rfm", {
        "figures": figures, "tiers": tiers,
        "no_orders_url": drill_url(kind="rfm", tier=rfm.NO_ORDERS),
        "chart": {"tiers": tiers, "labels": {"customers": _("Customers")}},
        "rules": {"new_days": rfm.NEW_DAYS, "high": rfm.HIGH}})


@member_required
@require_GET
def customer_repurchase_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    form = forms.RangeForm(request.GET or None)
    period = form.period()
    figures = repurchase.repurchase(actor=actor, start=period["start"], end=period["end"])
    months = [{"label": f"{m.start:%Y-%m}", "buyers": m.buyers, "repeaters": m.repeaters,
               "percent": None if m.percent is None else str(m.percent),
               "buyers_url": drill_url(kind="buyers", start=m.start, end=m.end),
               "repeaters_url": drill_url(kind="repeaters", start=m.start, end=m.end)}
              for m in figures.months]
    return _render(request, "repurchase.html", "repurchase", {
        "form": form, "figures": figures, "months": months,
        "buyers_url": drill_url(kind="buyers", start=period["start"], end=period["end"]),
        "repeaters_url": drill_url(kind="repeaters", start=period["start"], end=period["end"]),
        "chart": {"months": months, "labels": {
            "buyers": _("Buyers"), "repeaters": _("Repeat buyers"), "rate": _("Rate (%)")}}})


@member_required
@require_GET
def customer_churn_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    found = churn.churn_list(actor=actor)
    page = Paginator(found.warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    customers = churn.customers_of(actor, list(page.object_list))
    rows = [{"warning": w, "customer": customers[w.customer_id],
             "severity": f"{w.severity:.1f}"}
            for w in page.object_list if w.customer_id in customers]
    return _render(request, "churn.html", "churn", {
        "found": found, "page": page, "rows": rows, "rule": {
            "history": churn.MIN_HISTORY, "factor": churn.FACTOR,
            "min_days": churn.MIN_SILENT_DAYS}})


@member_required
@require_GET
def customer_drill_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    form = forms.DrillForm(request.GET)
    if not form.is_valid():
        problem = "; ".join(e for errors in form.errors.values() for e in errors)
        return _render(request, "drill.html", "drill", {"problem": problem}, status=422)
    spec = drill.Spec(**form.values())
    try:
        qs = drill.customers(actor=actor, spec=spec)
    except DomainError as exc:
        return _render(request, "drill.html", "drill", {"problem": exc.message}, status=422)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "drill.html", "drill", {
        "page": page, "spec": spec, "tier_label": rfm.TIER_LABELS.get(spec.tier or "", ""),
        "blank": acquisition.BLANK})

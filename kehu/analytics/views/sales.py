"""The sales analytics pages: the funnel (销售漏斗) and the forecast (销售预测)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from kehu.analytics import charts, forecast, funnel, ranges
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors as sales_selectors
from kehu.web.decorators import member_required

OPPORTUNITY = "sales.opportunity"


def _require(actor: Actor) -> None:
    if not actor.can("view", OPPORTUNITY):
        raise PermissionDenied


def _periods(pipeline_id: int, period: ranges.DateRange) -> list[tuple[str, str, str]]:
    page = reverse("analytics:funnel")
    return [(kind, str(label), page + "?" + urlencode({"pipeline": pipeline_id,
                                                      "period": kind}))
            for kind, label in ranges.KINDS.items() if kind != "custom"]


@member_required
def funnel_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    pipeline = funnel.pipeline_for(actor=actor, pipeline_id=request.GET.get("pipeline"))
    period = ranges.from_query(request.GET)
    figures = funnel.funnel(actor=actor, pipeline=pipeline, period=period)
    return render(request, "analytics/funnel.html", {
        "nav_section": "analytics", "tab": "funnel", "funnel": figures, "period": period,
        "pipeline": pipeline, "pipelines": sales_selectors.pipelines_for(actor=actor),
        "periods": _periods(pipeline.pk, period), "kinds": ranges.KINDS,
        "chart": charts.funnel_chart(figures)})


@member_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor)
    figures = forecast.forecast(actor=actor)
    return render(request, "analytics/forecast.html", {
        "nav_section": "analytics", "tab": "forecast", "forecast": figures,
        "chart": charts.forecast_chart(figures),
        "backtest_chart": charts.backtest_chart(figures)})

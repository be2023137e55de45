"""The forecast page and API against the raw rows: the weighted pipeline per expected close
month, the forecast from won history and its backtest, for an admin and for a rep."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.analytics.tests import oracle
from kehu.analytics.tests.test_funnel import list_rows
from kehu.core.common import money
from kehu.core.common.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def trailing(world, membership, month) -> Decimal:
    total = sum((oracle.won_in_month(world, membership, oracle.month_start(month, -n))
                 for n in (1, 2, 3)), money.ZERO)
    return money.quantize(total / 3)


@pytest.mark.parametrize("who", ["admin", "a"])
def test_weighted_pipeline_per_month_agrees_with_the_raw_rows(world, who):
    membership = getattr(world, who)
    client = web_client(membership)
    figures = client.get(reverse("analytics:forecast")).context["forecast"]
    this_month = oracle.month_start(timezone.localdate())
    assert [m.month for m in figures.months] == [oracle.month_start(this_month, n)
                                                 for n in range(6)]
    assert any(m.count for m in figures.months)
    for m in figures.months:
        assert (m.count, m.weighted) == oracle.open_in_month(world, membership, m.month)
        assert len(list_rows(client, m.url)) == m.count
        assert m.forecast == trailing(world, membership, this_month)
    assert len(list_rows(client, figures.overdue_url)) == figures.overdue_count


@pytest.mark.parametrize("who", ["admin", "a"])
def test_backtest_uses_only_earlier_months_and_reports_the_error(world, who):
    membership = getattr(world, who)
    client = web_client(membership)
    figures = client.get(reverse("analytics:forecast")).context["forecast"]
    this_month = oracle.month_start(timezone.localdate())
    assert [b.month for b in figures.backtest] == [oracle.month_start(this_month, -n)
                                                   for n in range(6, 0, -1)]
    for b in figures.backtest:
        actual = oracle.won_in_month(world, membership, b.month)
        predicted = trailing(world, membership, b.month)
        assert (b.actual, b.forecast) == (actual, predicted)
        assert b.abs_error == abs(predicted - actual)
        if actual:
            assert b.percent_error == (abs(predicted - actual) * 100 / actual).quantize(
                Decimal("0.1"))
        else:
            assert b.percent_error is None
        won = list_rows(client, b.actual_url)
        assert sum((o.amount for o in won), money.ZERO) == b.actual
    assert any(b.actual for b in figures.backtest)


def test_forecast_api_has_decimal_strings_and_the_same_months(world):
    response = api_client(world.admin).get("/api/v1/analytics/forecast")
    assert response.status_code == 200
    body = response.json()
    assert len(body["months"]) == 6 and len(body["backtest"]) == 6
    this_month = oracle.month_start(timezone.localdate())
    first = body["months"][0]
    assert first["month"] == this_month.isoformat()
    assert isinstance(first["weighted"], str)
    assert (first["count"], Decimal(first["weighted"])) == oracle.open_in_month(
        world, world.admin, this_month)


def test_forecast_page_renders_its_charts(world):
    html = web_client(world.a).get(reverse("analytics:forecast")).content.decode()
    assert 'id="forecast-chart"' in html and 'id="backtest-chart"' in html
    assert "vendor/echarts.min.js" in html

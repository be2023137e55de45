"""The funnel page and API against the raw rows, for an admin and for a rep who sees only
their own deals; every figure's drill-down list holds exactly the rows it counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.analytics.tests import oracle
from kehu.core.common.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def window() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today - datetime.timedelta(days=150), today


def funnel_page(client, first, last):
    return client.get(reverse("analytics:funnel"), {"period": "custom", "start": first,
                                                    "end": last})


def list_rows(client, url: str) -> list:
    """Every row of an opportunity list link, page after page."""
    rows, cursor = [], None
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, url
        rows += response.context["rows"]
        cursor = response.context["next_cursor"]
        if not cursor:
            return rows


def assert_matches(figures, expected):
    assert figures.created == expected["created"]
    assert figures.won == expected["won"]
    assert figures.lost == expected["lost"]
    assert figures.won_amount == expected["won_amount"]
    assert figures.win_rate == expected["win_rate"]
    assert figures.average_deal == expected["average_deal"]
    if expected["cycle_days"] is None:
        assert figures.average_cycle_days is None
    else:
        assert abs(figures.average_cycle_days - expected["cycle_days"]) <= Decimal("0.05")
    for step in figures.steps:
        want = expected["steps"][step.stage_id]
        assert (step.reached, step.reached_amount, step.current, step.current_amount) == (
            want["reached"], want["reached_amount"], want["current"], want["current_amount"])
    assert {r.reason_id: r.count for r in figures.lost_reasons} == dict(
        expected["lost_reasons"])


@pytest.mark.parametrize("who", ["admin", "a"])
def test_funnel_page_agrees_with_the_raw_rows(world, who):
    membership = getattr(world, who)
    first, last = window()
    response = funnel_page(web_client(membership), first, last)
    assert response.status_code == 200
    expected = oracle.funnel(world, membership, first, last)
    assert expected["created"] > 0 and expected["won"] + expected["lost"] > 0
    assert_matches(response.context["funnel"], expected)
    html = response.content.decode()
    for step in response.context["funnel"].steps:
        assert f'data-testid="reached">{step.reached}<' in html


def test_funnel_counts_reach_through_skipped_stages(world):
    # the generator skips open stages now and then: a deal that jumped from the first to the
    # third stage reached the second one too, so "reached" never grows down the funnel
    first, last = window()
    figures = funnel_page(web_client(world.admin), first, last).context["funnel"]
    counts = [step.reached for step in figures.steps]
    assert counts == sorted(counts, reverse=True)
    open_positions = [[c.to_stage.position for c in changes if c.to_stage.kind == "open"]
                      for changes in world.changes.values()]
    assert any(p != list(range(len(p))) for p in open_positions)


def test_stage_times_are_the_average_stays_that_ended_in_the_period(world):
    first, last = window()
    figures = funnel_page(web_client(world.admin), first, last).context["funnel"]
    expected = oracle.stage_days(world, world.admin, first, last)
    assert expected
    for row in figures.stage_times:
        if row.stage_id in expected:
            assert abs(row.average_days - expected[row.stage_id]) <= Decimal("0.05")
        else:
            assert row.average_days is None


@pytest.mark.parametrize("who", ["admin", "a", "manager"])
def test_every_drill_down_list_holds_exactly_the_counted_rows(world, who):
    membership = getattr(world, who)
    client = web_client(membership)
    first, last = window()
    figures = funnel_page(client, first, last).context["funnel"]
    links = [(figures.created_url, figures.created), (figures.won_url, figures.won),
             (figures.lost_url, figures.lost)]
    links += [(s.reached_url, s.reached) for s in figures.steps]
    links += [(s.current_url, s.current) for s in figures.steps]
    links += [(r.url, r.count) for r in figures.lost_reasons]
    for url, count in links:
        assert len(list_rows(client, url)) == count, url


def test_a_rep_does_not_see_other_reps_deals_in_the_funnel(world):
    client = web_client(world.a)
    first, last = window()
    figures = funnel_page(client, first, last).context["funnel"]
    admin_figures = funnel_page(web_client(world.admin), first, last).context["funnel"]
    assert figures.created < admin_figures.created
    for step in figures.steps:
        assert {o.owner_id for o in list_rows(client, step.reached_url)} <= {world.a.user_id}


def test_funnel_api_returns_the_same_figures_as_decimal_strings(world):
    first, last = window()
    expected = oracle.funnel(world, world.a, first, last)
    response = api_client(world.a).get("/api/v1/analytics/funnel", period="custom",
                                       start=first.isoformat(), end=last.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert (body["first_day"], body["last_day"]) == (first.isoformat(), last.isoformat())
    assert body["created"] == expected["created"]
    assert Decimal(body["won_amount"]) == expected["won_amount"]
    assert isinstance(body["won_amount"], str)
    for step in body["steps"]:
        assert step["reached"] == expected["steps"][step["stage_id"]]["reached"]


def test_period_buttons_and_pipeline_default(world):
    response = web_client(world.admin).get(reverse("analytics:funnel"), {"period": "year"})
    period = response.context["period"]
    today = timezone.localdate()
    assert (period.first, period.last) == (datetime.date(today.year, 1, 1),
                                           datetime.date(today.year, 12, 31))
    assert response.context["pipeline"].is_default
    assert 'id="funnel-chart"' in response.content.decode()


def test_funnel_needs_the_right_to_see_opportunities(world):
    from kehu.core.common.testing import member

    agent = member(world.org, "service_agent")
    assert web_client(agent).get(reverse("analytics:funnel")).status_code == 403
    assert api_client(agent).get("/api/v1/analytics/funnel").status_code == 403

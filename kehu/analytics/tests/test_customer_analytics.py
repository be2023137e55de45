"""Customer analytics: every figure of the pages and the API equals the same figure computed
from the raw rows in plain Python (customers_scene.py), for an admin and for a rep who sees
only their own customers; every drill-down lists exactly the customers a figure counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from kehu.analytics.customer_metrics import rfm
from kehu.analytics.tests import customers_scene
from kehu.core.common.testing import api_client, web_client

API = "/api/v1/analytics/customers"


@pytest.fixture
def scene(db):
    cache.clear()  # snapshots are per organization, but ids restart with every test database
    return customers_scene.build()


def who(scene, name):
    return scene.admin if name == "admin" else scene.rep


def drill_ids(client, **params) -> tuple[int, set[int]]:
    """The count and every customer id of an API drill-down, all pages."""
    ids, page, count = set(), 1, None
    while True:
        body = client.get(f"{API}/list", **params, page=page).json()
        count = body["count"]
        ids |= {row["id"] for row in body["items"]}
        if page >= body["pages"]:
            return count, ids
        page += 1


def page_drill_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("name", ["admin", "rep"])
def test_new_customers_equal_the_raw_rows(scene, name):
    membership = who(scene, name)
    start, end = scene.today - datetime.timedelta(days=300), scene.today
    expected = customers_scene.new_customers(scene, membership, start, end)
    api = api_client(membership)

    body = api.get(f"{API}/new", start=start.isoformat(), end=end.isoformat(),
                   bucket="month").json()

    assert body["total"] == expected["total"] > 0
    assert {b["start"][:7]: b["count"] for b in body["buckets"] if b["count"]} == {
        f"{m:%Y-%m}": n for m, n in expected["months"].items()}
    assert {g["value"]: g["count"] for g in body["by_source"]} == dict(expected["by_source"])
    assert {g["value"]: g["count"] for g in body["by_province"]} == dict(
        expected["by_province"])
    assert drill_ids(api, kind="new", start=start.isoformat(), end=end.isoformat()) == (
        expected["total"], expected["ids"])
    for group in body["by_source"]:
        count, _ids = drill_ids(api, kind="new", start=start.isoformat(), end=end.isoformat(),
                                source=group["value"] or "__blank__")
        assert count == group["count"]

    page = web_client(membership).get(reverse("analytics:customer-new"),
                                      {"start": start, "end": end, "bucket": "week"})
    assert page.status_code == 200
    assert page.context["figures"].total == expected["total"]
    assert sum(b["count"] for b in page.context["buckets"]) == expected["total"]
    client = web_client(membership)
    for row in page.context["buckets"] + page.context["provinces"]:
        assert page_drill_count(client, row["url"]) == row["count"]


@pytest.mark.parametrize("name", ["admin", "rep"])
def test_rfm_tiers_equal_the_raw_rows(scene, name):
    membership = who(scene, name)
    expected = customers_scene.rfm_tiers(scene, membership)
    api = api_client(membership)

    body = api.get(f"{API}/rfm").json()

    counts = {t["key"]: t["count"] for t in body["tiers"]}
    assert counts == {key: len(expected.get(key, ())) for key in rfm.TIER_KEYS}
    assert body["without_orders"] == len(expected["no_orders"])
    assert body["with_orders"] > 0
    for key in (*rfm.TIER_KEYS, rfm.NO_ORDERS):
        assert drill_ids(api, kind="rfm", tier=key) == (len(expected.get(key, ())),
                                                        expected.get(key, set()))

    page = web_client(membership).get(reverse("analytics:customer-rfm"))
    assert {t["key"]: t["count"] for t in page.context["tiers"]} == counts
    assert b'data-testid="as-of"' in page.content
    client = web_client(membership)
    for tier in page.context["tiers"]:
        assert page_drill_count(client, tier["url"]) == tier["count"]


@pytest.mark.parametrize("name", ["admin", "rep"])
def test_repurchase_rate_equals_the_raw_rows(scene, name):
    membership = who(scene, name)
    start, end = scene.today - datetime.timedelta(days=400), scene.today
    buyers, repeaters, months = customers_scene.repurchase(scene, membership, start, end)
    api = api_client(membership)

    body = api.get(f"{API}/repurchase", start=start.isoformat(), end=end.isoformat()).json()

    assert (body["buyers"], body["repeaters"]) == (buyers, repeaters)
    assert body["rate_percent"] == f"{repeaters * 100 / buyers:.1f}"
    assert {m["start"][:7]: (m["buyers"], m["repeaters"]) for m in body["months"]
            if m["buyers"]} == {f"{m:%Y-%m}": v for m, v in months.items()}
    assert drill_ids(api, kind="buyers", start=start.isoformat(), end=end.isoformat())[0] == \
        buyers
    assert drill_ids(api, kind="repeaters", start=start.isoformat(),
                     end=end.isoformat())[0] == repeaters

    page = web_client(membership).get(reverse("analytics:customer-repurchase"),
                                      {"start": start, "end": end})
    assert page.context["figures"].total.repeaters == repeaters
    client = web_client(membership)
    for month in page.context["months"]:
        assert page_drill_count(client, month["repeaters_url"]) == month["repeaters"]
        assert page_drill_count(client, month["buyers_url"]) == month["buyers"]


@pytest.mark.parametrize("name", ["admin", "rep"])
def test_churn_list_equals_the_raw_rows(scene, name):
    membership = who(scene, name)
    expected = customers_scene.churn(scene, membership)

    body = api_client(membership).get(f"{API}/churn").json()

    assert body["count"] == len(expected) > 0
    found = {item["customer_id"]: {s["kind"]: (float(s["usual_days"]), s["silent_days"])
                                   for s in item["signals"]} for item in body["items"]}
    assert found == {cid: {kind: (float(usual), silent)
                           for kind, (usual, silent) in kinds.items()}
                     for cid, kinds in expected.items()}
    severities = [float(item["severity"]) for item in body["items"]]
    assert severities == sorted(severities, reverse=True)

    page = web_client(membership).get(reverse("analytics:customer-churn"))
    assert [row["customer"].pk for row in page.context["rows"]] == [
        item["customer_id"] for item in body["items"]]


def test_a_rep_counts_only_their_own_customers(scene):
    mine = {c.pk for c in customers_scene.visible_customers(scene, scene.rep)}
    theirs = {c.pk for c in customers_scene.visible_customers(scene, scene.other_rep)}
    api = api_client(scene.rep)

    _count, listed = drill_ids(api, kind="rfm", tier=rfm.NO_ORDERS)
    churned = {i["customer_id"] for i in api.get(f"{API}/churn").json()["items"]}

    assert listed <= mine
    assert churned <= mine
    assert not (listed | churned) & (theirs - mine)

"""Report results against aggregates computed in Python from the raw rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from kehu.core.common.testing import actor_for
from kehu.customers.models import Contact, FollowUp
from kehu.leads.models import Lead
from kehu.orders.models import Order, Payment
from kehu.reports import selectors
from kehu.reports.engine import NONE_KEY
from kehu.reports.tests.scene import build
from kehu.sales.models import Opportunity

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _month(value: datetime.datetime) -> str:
    return timezone.localtime(value).date().replace(day=1).isoformat()


def _quarter(day: datetime.date) -> str:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1).isoformat()


def _key(value) -> str:
    return NONE_KEY if value is None else str(value)


def _by_keys(result) -> dict[tuple[str, ...], list]:
    return {row.keys: row.values for row in result.rows}


def test_opportunities_by_owner_and_month_count_and_sum():
    scene = build()
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities",
        "group_by": [{"field": "owner"}, {"field": "created_at", "bucket": "month"}],
        "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"},
                     {"fn": "avg", "field": "amount"}, {"fn": "max", "field": "amount"}]})
    expected: dict[tuple, list] = defaultdict(list)
    for opp in Opportunity.objects.filter(organization=scene.org):
        expected[(str(opp.owner_id), _month(opp.created_at))].append(opp.amount)
    assert _by_keys(result) == {
        key: [len(v), sum(v), (sum(v) / len(v)).quantize(CENT, ROUND_HALF_UP), max(v)]
        for key, v in expected.items()}
    assert not result.truncated


def test_custom_select_group_and_custom_number_measure():
    scene = build()
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities", "group_by": [{"field": "custom.region"}],
        "measures": [{"fn": "count"}, {"fn": "sum", "field": "custom.score"},
                     {"fn": "min", "field": "custom.score"}],
        "chart": "pie"})
    expected: dict[tuple, list] = defaultdict(list)
    for opp in Opportunity.objects.filter(organization=scene.org):
        expected[(_key(opp.custom_data.get("region")),)].append(opp.custom_data.get("score"))
    assert _by_keys(result) == {
        key: [len(v), sum(s for s in v if s is not None),
              min(s for s in v if s is not None)] for key, v in expected.items()}


def test_custom_date_bucket_and_filters():
    scene = build()
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities",
        "filters": [{"field": "status", "op": "in", "value": ["open", "won"]},
                    {"field": "amount", "op": "between", "value": ["300", "1000"]},
                    {"field": "custom.signed", "op": "not_empty"}],
        "group_by": [{"field": "custom.signed", "bucket": "quarter"}],
        "measures": [{"fn": "count"}]})
    expected: dict[tuple, int] = defaultdict(int)
    for opp in Opportunity.objects.filter(organization=scene.org, status__in=["open", "won"],
                                          amount__gte=300, amount__lte=1000):
        if opp.custom_data.get("signed"):
            day = datetime.date.fromisoformat(opp.custom_data["signed"])
            expected[(_quarter(day),)] += 1
    assert expected  # the scene has rows for this report
    assert {k: v[0] for k, v in _by_keys(result).items()} == dict(expected)


def test_datetime_filter_uses_local_days():
    scene = build()
    start, end = datetime.date(2026, 2, 1), datetime.date(2026, 4, 30)
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities",
        "filters": [{"field": "created_at", "op": "between",
                     "value": [start.isoformat(), end.isoformat()]},
                    {"field": "owner", "op": "ne", "value": scene.rep.user_id}],
        "measures": [{"fn": "count"}, {"fn": "sum", "field": "weighted_amount"}]})
    rows = [o for o in Opportunity.objects.filter(organization=scene.org)
            if start <= timezone.localtime(o.created_at).date() <= end
            and o.owner_id != scene.rep.user_id]
    assert result.rows[0].values == [len(rows), sum(o.weighted_amount for o in rows)]


def test_money_in_several_currencies_is_marked_mixed():
    scene = build()
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities", "group_by": [{"field": "owner"}],
        "measures": [{"fn": "sum", "field": "amount"}]})
    usd_owner = Opportunity.objects.get(organization=scene.org, currency="USD").owner_id
    currencies = {row.keys[0]: row.currencies[0] for row in result.rows}
    assert currencies.pop(str(usd_owner)) == "*"
    assert set(currencies.values()) == {"CNY"}


def test_orders_payments_leads_contacts_follow_ups():
    scene = build()
    actor = actor_for(scene.admin)

    def run(data):
        return _by_keys(selectors.report_run(actor=actor, data=data))

    orders = defaultdict(lambda: [0, Decimal(0)])
    for o in Order.objects.filter(organization=scene.org):
        orders[(str(o.team_id),)][0] += 1
        orders[(str(o.team_id),)][1] += o.amount
    assert run({"object": "orders", "group_by": [{"field": "team"}],
                "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}) == dict(orders)

    payments = defaultdict(lambda: [0, Decimal(0)])
    for p in Payment.objects.filter(organization=scene.org).select_related("order"):
        key = (str(p.order.owner_id), p.method)
        payments[key][0] += 1
        payments[key][1] += p.amount
    assert run({"object": "payments", "group_by": [{"field": "owner"}, {"field": "method"}],
                "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}) == dict(payments)

    leads = defaultdict(int)
    for lead in Lead.objects.filter(organization=scene.org):
        leads[(_key(lead.owner_id), lead.status)] += 1
    assert {k: v[0] for k, v in run({
        "object": "leads", "group_by": [{"field": "owner"}, {"field": "status"}],
        "measures": [{"fn": "count"}]}).items()} == dict(leads)

    contacts = defaultdict(int)
    for c in Contact.objects.filter(organization=scene.org).select_related("customer"):
        contacts[(str(c.customer.owner_id), c.role)] += 1
    got = run({"object": "contacts", "group_by": [{"field": "owner"}, {"field": "role"}],
               "measures": [{"fn": "count"}]})
    assert {k: v[0] for k, v in got.items()} == dict(contacts)

    days = defaultdict(int)
    for f in FollowUp.objects.filter(organization=scene.org):
        days[(timezone.localtime(f.happened_at).date().isoformat(),)] += 1
    got = run({"object": "follow_ups", "group_by": [{"field": "happened_at", "bucket": "day"}],
               "measures": [{"fn": "count"}]})
    assert {k: v[0] for k, v in got.items()} == dict(days)


def test_week_bucket_starts_on_monday():
    scene = build()
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "payments", "group_by": [{"field": "received_on", "bucket": "week"}],
        "measures": [{"fn": "count"}]})
    expected = defaultdict(int)
    for p in Payment.objects.filter(organization=scene.org):
        monday = p.received_on - datetime.timedelta(days=p.received_on.weekday())
        expected[(monday.isoformat(),)] += 1
    assert {k: v[0] for k, v in _by_keys(result).items()} == dict(expected)


@pytest.mark.parametrize(("bucket", "zone"), [
    ("day", "Asia/Shanghai"), ("week", "Asia/Shanghai"), ("month", "Asia/Shanghai"),
    ("quarter", "Asia/Shanghai"), ("year", "Asia/Shanghai"),
    ("day", "Europe/Berlin"), ("month", "Europe/Berlin")])  # a zone with summer time
def test_every_date_bucket_matches_local_calendar(bucket, zone):
    scene = build()
    with timezone.override(zone):
        result = selectors.report_run(actor=actor_for(scene.admin), data={
            "object": "opportunities", "group_by": [{"field": "created_at", "bucket": bucket}],
            "measures": [{"fn": "count"}]})
        _check_buckets(scene, result, bucket)


def _check_buckets(scene, result, bucket):
    starts = {
        "day": lambda d: d,
        "week": lambda d: d - datetime.timedelta(days=d.weekday()),
        "month": lambda d: d.replace(day=1),
        "quarter": lambda d: datetime.date.fromisoformat(_quarter(d)),
        "year": lambda d: d.replace(month=1, day=1),
    }
    expected = defaultdict(int)
    for opp in Opportunity.objects.filter(organization=scene.org):
        expected[(starts[bucket](timezone.localtime(opp.created_at).date()).isoformat(),)] += 1
    assert {k: v[0] for k, v in _by_keys(result).items()} == dict(expected)


def test_results_are_capped_with_a_message(monkeypatch):
    from kehu.reports import engine

    scene = build()
    monkeypatch.setattr(engine, "MAX_GROUPS", 3)
    result = selectors.report_run(actor=actor_for(scene.admin), data={
        "object": "opportunities", "group_by": [{"field": "created_at", "bucket": "day"}],
        "measures": [{"fn": "count"}]})
    assert len(result.rows) == 3 and result.truncated and result.message

"""Churn warning on hand-built customers: the reason in words, who is left out, severity order
and the data scope; plus the snapshot rule (a figure is reused, never older than stated)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from kehu.analytics.customer_metrics import base, churn, rfm
from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    api_client,
    member,
    web_client,
)
from kehu.customers.models import FollowUp
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders.models import Order

API = "/api/v1/analytics/customers"


@pytest.fixture
def org(db):
    cache.clear()
    return OrganizationFactory()


def orders_every(customer, owner, *, days: int, last_days_ago: int, count: int,
                 status: str = "signed") -> None:
    today = timezone.localdate()
    for k in range(count):
        Order.objects.create(
            organization=customer.organization, number=f"SO-{customer.pk}-{k}", title="合同",
            customer=customer, status=status, amount=Decimal("1000.00"), owner=owner,
            signed_on=today - datetime.timedelta(days=last_days_ago + k * days))


def follow_ups_every(customer, *, days: int, last_days_ago: int, count: int) -> None:
    now = timezone.now()
    for k in range(count):
        FollowUp.objects.create(organization=customer.organization, customer=customer,
                                content="拜访",
                                happened_at=now - datetime.timedelta(days=last_days_ago + k * days))


def reasons(membership) -> dict[int, list[str]]:
    with translation.override("en"):
        found = churn.churn_list(actor=actor_for(membership))
        return {w.customer_id: [s.reason for s in w.signals] for w in found.warnings}


def test_broken_rhythms_are_listed_with_their_reason(org):
    admin = admin_of(org)
    buyer = CustomerFactory(organization=org, owner=admin.user)
    orders_every(buyer, admin.user, days=30, last_days_ago=95, count=4)
    visited = CustomerFactory(organization=org, owner=admin.user)
    follow_ups_every(visited, days=14, last_days_ago=60, count=4)

    found = reasons(admin)

    assert found == {
        buyer.pk: ["Orders every ~30 days, none for 95 days"],
        visited.pk: ["Followed up every ~14 days, none for 60 days"],
    }


def test_customers_keeping_their_rhythm_or_with_little_history_are_not_listed(org):
    admin = admin_of(org)
    steady = CustomerFactory(organization=org, owner=admin.user)
    orders_every(steady, admin.user, days=30, last_days_ago=40, count=5)  # 40 < 2 × 30
    short = CustomerFactory(organization=org, owner=admin.user)
    orders_every(short, admin.user, days=10, last_days_ago=200, count=2)  # two orders only
    quick = CustomerFactory(organization=org, owner=admin.user)
    orders_every(quick, admin.user, days=5, last_days_ago=20, count=6)  # 20 days: too soon
    cancelled = CustomerFactory(organization=org, owner=admin.user)
    orders_every(cancelled, admin.user, days=10, last_days_ago=200, count=5, status="cancelled")

    assert reasons(admin) == {}


def test_the_median_interval_ignores_one_long_pause_and_same_day_orders(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, owner=admin.user)
    today = timezone.localdate()
    for k, days_ago in enumerate((100, 100, 120, 140, 160, 400)):  # gaps 20, 20, 20, 240
        Order.objects.create(organization=org, number=f"SO-{k}", title="合同", customer=customer,
                             status="completed", amount=Decimal(1), owner=admin.user,
                             signed_on=today - datetime.timedelta(days=days_ago))

    assert reasons(admin) == {customer.pk: ["Orders every ~20 days, none for 100 days"]}


def test_most_severe_first_and_both_reasons_on_one_customer(org):
    admin = admin_of(org)
    mild = CustomerFactory(organization=org, owner=admin.user)
    orders_every(mild, admin.user, days=30, last_days_ago=70, count=3)  # × 2.3
    severe = CustomerFactory(organization=org, owner=admin.user)
    orders_every(severe, admin.user, days=10, last_days_ago=90, count=3)  # × 9
    follow_ups_every(severe, days=7, last_days_ago=35, count=3)  # × 5

    warnings = churn.churn_list(actor=actor_for(admin)).warnings

    assert [w.customer_id for w in warnings] == [severe.pk, mild.pk]
    assert {s.kind for s in warnings[0].signals} == {churn.ORDERS, churn.FOLLOW_UPS}
    assert warnings[0].severity == 9


def test_a_rep_sees_only_warnings_of_their_own_customers(org):
    rep, colleague = member(org, "sales_rep"), member(org, "sales_rep")
    own = CustomerFactory(organization=org, owner=rep.user)
    follow_ups_every(own, days=10, last_days_ago=90, count=3)
    other = CustomerFactory(organization=org, owner=colleague.user)
    follow_ups_every(other, days=10, last_days_ago=90, count=3)
    pooled = CustomerFactory(organization=org, owner=None)
    follow_ups_every(pooled, days=10, last_days_ago=90, count=3)

    body = api_client(rep).get(f"{API}/churn").json()
    page = web_client(rep).get(reverse("analytics:customer-churn"))

    assert [i["customer_id"] for i in body["items"]] == [own.pk]
    assert [row["customer"].pk for row in page.context["rows"]] == [own.pk]
    assert set(reasons(admin_of(org))) == {own.pk, other.pk, pooled.pk}


def test_expensive_figures_are_reused_for_the_stated_time_only(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, owner=admin.user)
    orders_every(customer, admin.user, days=10, last_days_ago=5, count=1)
    actor = actor_for(admin)
    first = rfm.rfm(actor=actor)

    orders_every(CustomerFactory(organization=org, owner=admin.user), admin.user, days=10,
                 last_days_ago=5, count=1)
    again = rfm.rfm(actor=actor_for(admin))
    cache.delete(f"kehu:analytics:customers:rfm:{base.scope_key(actor)}")  # the TTL ran out
    fresh = rfm.rfm(actor=actor_for(admin))

    assert (first.with_orders, again.with_orders, fresh.with_orders) == (1, 1, 2)
    assert again.as_of == first.as_of
    assert base.SNAPSHOT_TTL <= 10 * 60
    page = web_client(admin).get(reverse("analytics:customer-rfm"))
    assert timezone.localtime(fresh.as_of).strftime("%H:%M").encode() in page.content


def test_bad_input_is_refused_with_422(org):
    client = api_client(admin_of(org))

    assert client.get(f"{API}/new", start="2026-05-01", end="2026-01-01").status_code == 422
    assert client.get(f"{API}/new", start="2020-01-01", end="2026-01-01",
                      bucket="day").status_code == 422
    assert client.get(f"{API}/list", kind="rfm", tier="gold").status_code == 422
    assert client.get(f"{API}/list", kind="new").status_code == 422
    page = web_client(admin_of(org)).get(reverse("analytics:customer-drill"),
                                         {"kind": "rfm", "tier": "gold"})
    assert page.status_code == 422

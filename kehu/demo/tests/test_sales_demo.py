"""The demo's sales data: deterministic, consistent, and usable by every sales page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import Count, Sum

from kehu.customers.models import Customer
from kehu.demo import customers, people, sales
from kehu.orders.models import Instalment, Order, Payment
from kehu.sales.models import Opportunity, StageChange

NOW = datetime(2026, 1, 15, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def _demo(seed: int = 5, count: int = 200, slug: str = "bench"):
    team = people.create_people(org_name="Bench", slug=slug, admin_email=f"a@{slug}.test")
    customers.create_customers(organization=team.organization, users=team.reps, count=count,
                               seed=seed, with_activity=False)
    written = sales.create_sales(organization=team.organization, since_customer_id=0,
                                 seed=seed, now=NOW)
    return team.organization, written


def _fingerprint(organization) -> list[tuple]:
    return list(Opportunity.objects.filter(organization=organization).order_by("pk")
                .values_list("name", "amount", "status", "stage__position", "customer__name"))


def test_about_half_an_opportunity_per_customer_each_with_its_stage_history():
    organization, written = _demo()
    opportunities = Opportunity.objects.filter(organization=organization)
    assert written == opportunities.count()
    assert 0.35 < written / Customer.objects.filter(organization=organization).count() < 0.65
    assert {"open", "won", "lost"} <= set(opportunities.values_list("status", flat=True))
    assert not opportunities.filter(customer__owner__isnull=True).exists()
    # every deal's history ends at its current stage
    for opportunity in opportunities.annotate(changes=Count("stage_changes")):
        last = StageChange.objects.filter(opportunity=opportunity).order_by("changed_at",
                                                                            "pk").last()
        assert opportunity.changes >= 1 and last.to_stage_id == opportunity.stage_id
    assert not opportunities.filter(status="lost", lost_reason__isnull=True).exists()


def test_won_deals_have_signed_orders_with_plans_that_add_up():
    organization, _written = _demo(seed=6)
    won = Opportunity.objects.filter(organization=organization, status="won")
    orders = Order.objects.filter(organization=organization)
    assert orders.count() == won.count() > 0
    for order in orders:
        planned = Instalment.objects.filter(order=order).aggregate(s=Sum("amount"))["s"]
        paid = Payment.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or 0
        assert planned == order.amount
        assert order.collected_amount == paid <= order.amount
    assert Customer.objects.filter(organization=organization,
                                   last_won_at__isnull=False).count() == \
        won.values("customer").distinct().count()


def test_the_same_seed_gives_the_same_deals():
    first, _ = _demo(seed=7, count=80)
    first_rows = _fingerprint(first)
    second, _ = _demo(seed=7, count=80, slug="again")
    assert _fingerprint(second) == first_rows

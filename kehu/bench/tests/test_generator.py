"""The demo data generator: realistic, deterministic for a seed, written in bulk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import F

from kehu.core.accounts.phones import normalize_login_phone
from kehu.customers.models import Contact, Customer, FollowUp
from kehu.demo import customers, people
from kehu.demo.activity import CONTACTS_PER_CUSTOMER, FOLLOW_UPS_PER_CUSTOMER

NOW = datetime(2026, 1, 15, tzinfo=UTC)


def rows(seed: int, count: int = 300) -> list[tuple]:
    return list(customers.customer_values(organization_id=1, owners=[(1, 2), (3, None)],
                                          count=count, seed=seed, now=NOW))


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_rows_look_like_chinese_customers():
    values = [dict(zip(customers.COLUMNS, row, strict=True)) for row in rows(3, 2000)]
    companies = [v for v in values if v["kind"] == "company"]
    assert 0.75 < len(companies) / len(values) < 0.95
    assert sum(v["name"].endswith("公司") for v in companies) > 0.8 * len(companies)
    assert any(v["name"].endswith("Co., Ltd.") for v in companies)  # foreign-invested
    assert all(normalize_login_phone(v["phone"]) == v["phone"] for v in values)
    assert all(v["phone"].startswith("+861") and len(v["phone"]) == 14 for v in values)
    assert all(v["province"] and v["city"] and v["district"] for v in values)
    assert all(v["created_at"] <= NOW for v in values)
    assert len({v["industry"] for v in values}) >= 8
    assert 0.7 < sum(v["owner_id"] is not None for v in values) / len(values) < 0.9


@pytest.mark.django_db
def test_create_customers_writes_customers_contacts_and_follow_ups_in_bulk(
        django_assert_max_num_queries):
    # given
    team = people.create_people(org_name="Bench", slug="bench", admin_email="a@bench.test")
    # when
    with django_assert_max_num_queries(200):
        written = customers.create_customers(organization=team.organization, users=team.reps,
                                             count=120, seed=5)
    # then
    org_customers = Customer.objects.filter(organization=team.organization)
    assert written == 120 == org_customers.count()
    assert Contact.objects.filter(customer__in=org_customers).count() == \
        120 * CONTACTS_PER_CUSTOMER
    assert FollowUp.objects.filter(customer__in=org_customers).count() == \
        120 * FOLLOW_UPS_PER_CUSTOMER
    owned = org_customers.exclude(owner=None)
    assert {c.owner_id for c in owned} <= {u.pk for u in team.reps}
    assert all(c.team_id is not None for c in owned.select_related("owner"))
    sample = org_customers.filter(kind="company").first()
    assert sample.name_key and sample.custom_data == {} and sample.version == 1
    assert FollowUp.objects.filter(contact__isnull=False).exclude(
        contact__customer_id=F("customer_id")).count() == 0

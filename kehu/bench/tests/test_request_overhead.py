"""What every request costs besides its own work (issue #3): query caps for the pages the
benchmark measures, and the caches behind them taking a change into account at once.

The membership, role, team and custom-field definitions are cached per organization (see
kehu/core/permissions/actor.py); each test here warms the cache first, changes something,
and checks the very next request."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehu.core.accounts import services as account_services
from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    api_client,
    member,
    web_client,
)
from kehu.core.customfields import services as field_services
from kehu.core.permissions.models import Role
from kehu.customers import panels
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Queries measured on 2026-11-23, for the request as a whole (session, user, page content,
# notification badge). Before the caches: list 10, search 12, 360° 18 (with 11 panels and
# figures registered), API list 4.
LIST_PAGE = 8
SEARCH_PAGE = 10
API_LIST = 3
DETAIL_PAGE = 21
DETAIL_EXTENSIONS = 14  # panels + figures registered when DETAIL_PAGE was measured
# what the caches answer: no request of a warm process reads these tables
CACHED_TABLES = ("accounts_membership", "permissions_role", "accounts_team",
                 "customfields_fielddefinition", "tenancy_organization")


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return admin_of(org)


def _customers(org, membership, n=5):
    return [CustomerFactory(organization=org, owner=membership.user, team=membership.team,
                            name=f"星河科技{i}有限公司") for i in range(n)]


def _no_overhead(get):
    """`get()` again with warm caches: its queries, none of them on a cached table."""
    assert get().status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert get().status_code == 200
    return [q["sql"] for q in queries.captured_queries
            if re.search(r'FROM "(\w+)"', q["sql"]).group(1) in CACHED_TABLES]


def test_the_customer_list_page_stays_within_its_queries(org, admin,
                                                         django_assert_max_num_queries):
    _customers(org, admin)
    client = web_client(admin)
    assert client.get(reverse("customers:customer-list")).status_code == 200  # warm caches
    with django_assert_max_num_queries(LIST_PAGE):
        response = client.get(reverse("customers:customer-list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(SEARCH_PAGE):
        response = client.get(reverse("customers:customer-list"), {"q": "星河"})
    assert "星河科技4有限公司" in response.text


def test_the_360_page_stays_within_its_queries(org, admin, django_assert_max_num_queries):
    customer = _customers(org, admin, 1)[0]
    client = web_client(admin)
    path = reverse("customers:customer-detail", args=[customer.pk])
    assert client.get(path).status_code == 200
    extensions = len(panels.panels()) + len(panels.figures())
    with django_assert_max_num_queries(DETAIL_PAGE + 2 * max(0, extensions
                                                             - DETAIL_EXTENSIONS)):
        assert client.get(path).status_code == 200


def test_a_warm_request_reads_no_membership_role_or_field_definitions(org, admin):
    customer = _customers(org, admin, 1)[0]
    web, api = web_client(admin), api_client(admin)
    assert _no_overhead(lambda: api.get("/api/v1/customers")) == []
    assert _no_overhead(lambda: api.get(f"/api/v1/customers/{customer.pk}")) == []
    assert _no_overhead(lambda: web.get(reverse("customers:customer-detail",
                                                 args=[customer.pk]))) == []


def test_the_api_list_stays_within_its_queries(org, admin, django_assert_max_num_queries):
    _customers(org, admin)
    client = api_client(admin)
    assert client.get("/api/v1/customers").status_code == 200
    with django_assert_max_num_queries(API_LIST):
        response = client.get("/api/v1/customers")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 5


def test_a_role_change_applies_on_the_next_request(org, admin):
    rep = member(org, "sales_rep")
    others = _customers(org, admin, 1)[0]
    web, api = web_client(rep), api_client(rep)
    detail = reverse("customers:customer-detail", args=[others.pk])
    assert web.get(detail).status_code == 404
    assert api.get(f"/api/v1/customers/{others.pk}").status_code == 404
    account_services.member_update(actor=actor_for(admin), membership=rep,
                                   role=Role.objects.get(organization=org, key="admin"))
    assert web.get(detail).status_code == 200
    assert api.get(f"/api/v1/customers/{others.pk}").status_code == 200


def test_a_changed_role_applies_to_its_members_on_the_next_request(org, admin):
    rep = member(org, "sales_rep")
    own = CustomerFactory(organization=org, owner=rep.user, name="自己的客户")
    api = api_client(rep)
    assert api.get(f"/api/v1/customers/{own.pk}").status_code == 200
    role = account_services.role_save(actor=actor_for(admin), role=None, name="只看客户",
                                      data_scope="own", grants={})
    account_services.member_update(actor=actor_for(admin), membership=rep, role=role)
    assert api.get(f"/api/v1/customers/{own.pk}").status_code in (403, 404)
    account_services.role_save(actor=actor_for(admin), role=role, name="只看客户",
                               data_scope="own", grants={"customers.customer": ["view"]})
    assert api.get(f"/api/v1/customers/{own.pk}").status_code == 200


def test_a_deactivated_member_is_refused_on_the_next_request(org, admin):
    rep = member(org, "sales_rep")
    web, api = web_client(rep), api_client(rep)
    assert web.get(reverse("customers:customer-list")).status_code == 200
    assert api.get("/api/v1/customers").status_code == 200
    account_services.member_set_active(actor=actor_for(admin), membership=rep, active=False)
    response = web.get(reverse("customers:customer-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert api.get("/api/v1/customers").status_code == 401


def test_a_new_custom_field_shows_on_the_next_request(org, admin):
    CustomerFactory(organization=org, owner=admin.user, name="金牌客户", custom_data={"tier": "金"})
    CustomerFactory(organization=org, owner=admin.user, name="银牌客户", custom_data={"tier": "银"})
    web, api = web_client(admin), api_client(admin)
    assert "客户等级" not in web.get(reverse("customers:customer-create")).text
    assert api.post("/api/v1/customers", {"kind": "company", "name": "新客户一",
                                          "custom": {"tier": "金"}}).status_code == 422
    field_services.field_definition_create(
        actor=actor_for(admin), object_type="customers.customer", key="tier", label="客户等级",
        kind="select", choices=["金", "银"])
    assert "客户等级" in web.get(reverse("customers:customer-create")).text
    listing = web.get(reverse("customers:customer-list"), {"cf_tier": "金"}).text
    assert "金牌客户" in listing
    assert "银牌客户" not in listing
    assert api.post("/api/v1/customers", {"kind": "company", "name": "新客户二",
                                          "custom": {"tier": "金"}}).status_code == 201

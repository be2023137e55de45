"""A member of one organization can neither read, list, search, update, delete nor export
another organization's rows, through the API (the HTML side is in customers' view tests)."""

import pytest

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs():
    ours, theirs = OrganizationFactory(), OrganizationFactory()
    foreign = CustomerFactory(organization=theirs, name="别家华为客户", phone="+8613800001234",
                              email="secret@theirs.cn")
    CustomerFactory(organization=ours, name="我们的华为客户")
    return api_client(admin_of(ours)), foreign


def test_list_and_search_show_only_own_organization(two_orgs):
    client, foreign = two_orgs
    names = [c["name"] for c in client.get("/api/v1/customers").json()["items"]]
    assert names == ["我们的华为客户"]
    for q in ("华为", "1234", "secret@theirs.cn"):
        found = [c["id"] for c in client.get("/api/v1/customers", q=q).json()["items"]]
        assert foreign.pk not in found


def test_read_update_delete_of_foreign_row_is_404_and_changes_nothing(two_orgs):
    client, foreign = two_orgs
    assert client.get(f"/api/v1/customers/{foreign.pk}").status_code == 404
    assert client.get(f"/api/v1/customers/{foreign.pk}/history").status_code == 404
    response = client.patch(f"/api/v1/customers/{foreign.pk}", {"name": "hijacked", "version": 1})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/customers/{foreign.pk}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "别家华为客户"


def test_export_contains_no_foreign_rows(two_orgs):
    client, _foreign = two_orgs
    body = b"".join(client.get("/api/v1/customers/export").streaming_content).decode("utf-8-sig")
    assert "我们的华为客户" in body
    assert "别家华为客户" not in body


def test_created_rows_belong_to_the_token_organization_whatever_the_payload(two_orgs):
    client, foreign = two_orgs
    response = client.post("/api/v1/customers", {"name": "新客户",
                                                  "organization_id": foreign.organization_id})
    assert response.status_code == 201
    created = Customer.objects.get(pk=response.json()["id"])
    assert created.organization_id != foreign.organization_id


def test_owner_from_another_organization_is_refused(two_orgs):
    client, foreign = two_orgs
    stranger = admin_of(foreign.organization).user
    response = client.post("/api/v1/customers", {"name": "x", "owner_id": stranger.pk})
    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]

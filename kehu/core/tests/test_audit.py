"""Every create, update and delete is in the audit log with who, how and field changes."""

import pytest

from kehu.core.audit.models import AppendOnlyError, ChangeRecord
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client, member
from kehu.core.customfields.services import field_definition_create
from kehu.customers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


def test_create_update_delete_are_recorded_with_before_and_after(org):
    admin = admin_of(org)
    actor = actor_for(admin)
    field_definition_create(actor=actor, object_type="customers.customer", key="grade",
                            label="等级", kind="text")
    customer = services.customer_create(actor=actor, values={"name": "甲公司", "city": "深圳"},
                                        custom={"grade": "金牌"})
    services.customer_update(actor=actor, customer=customer, values={"city": "广州"},
                             custom={"grade": "银牌"}, version=1)
    services.customer_delete(actor=actor, customer=customer)

    records = list(ChangeRecord.objects.filter(object_type="customers.customer",
                                               object_id=customer.pk).order_by("id"))
    assert [r.action for r in records] == ["create", "update", "delete"]
    created, updated, deleted = records
    assert created.changes["name"] == [None, "甲公司"]
    assert created.changes["custom.grade"] == [None, "金牌"]
    assert updated.changes == {"city": ["深圳", "广州"], "custom.grade": ["金牌", "银牌"]}
    assert deleted.changes["name"] == ["甲公司", None]
    assert {r.user_id for r in records} == {admin.user_id}
    assert {r.via for r in records} == {"ui"}


def test_an_update_that_changes_nothing_writes_no_record(org):
    actor = actor_for(admin_of(org))
    customer = services.customer_create(actor=actor, values={"name": "乙公司"})
    services.customer_update(actor=actor, customer=customer, values={"name": "乙公司"}, version=1)
    customer.refresh_from_db()
    assert customer.version == 1
    assert ChangeRecord.objects.filter(object_id=customer.pk, action="update").count() == 0


def test_api_changes_are_marked_as_api(org):
    client = api_client(admin_of(org))
    customer_id = client.post("/api/v1/customers", {"name": "丙公司"}).json()["id"]
    record = ChangeRecord.objects.get(object_type="customers.customer", object_id=customer_id)
    assert record.via == "api"


def test_the_log_is_append_only(org):
    actor = actor_for(admin_of(org))
    customer = services.customer_create(actor=actor, values={"name": "丁公司"})
    record = ChangeRecord.objects.get(object_type="customers.customer", object_id=customer.pk)
    record.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.filter(pk=record.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.all().delete()


def test_record_history_is_available_through_the_api(org):
    client = api_client(admin_of(org))
    created = client.post("/api/v1/customers", {"name": "戊公司"}).json()
    client.patch(f"/api/v1/customers/{created['id']}", {"name": "戊集团", "version": 1})
    history = client.get(f"/api/v1/customers/{created['id']}/history").json()
    assert [h["action"] for h in history] == ["update", "create"]
    assert history[0]["changes"]["name"] == ["戊公司", "戊集团"]


def test_only_admins_may_query_the_organization_log(org):
    admin_client = api_client(admin_of(org))
    admin_client.post("/api/v1/customers", {"name": "己公司"})
    items = admin_client.get("/api/v1/audit", object_type="customers.customer").json()["items"]
    assert [i["object_repr"] for i in items] == ["己公司"]
    rep_client = api_client(member(org, "sales_rep"))
    assert rep_client.get("/api/v1/audit").status_code == 403


def test_audit_log_of_another_organization_is_invisible(org):
    other = OrganizationFactory()
    api_client(admin_of(other)).post("/api/v1/customers", {"name": "别人的"})
    items = api_client(admin_of(org)).get("/api/v1/audit").json()["items"]
    assert "别人的" not in [i["object_repr"] for i in items]

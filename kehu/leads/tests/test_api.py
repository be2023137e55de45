"""/api/v1/leads: CRUD with versions, scoping, the pool, follow-ups, assignment, conversion."""

import pytest

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member
from kehu.customers.tests.factories import CustomerFactory
from kehu.leads.models import Lead
from kehu.leads.tests.factories import LeadFactory, RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return api_client(admin_of(org))


def test_create_get_patch_delete(admin):
    created = admin.post("/api/v1/leads", {"name": "韩梅梅", "company": "甲公司",
                                           "mobile": "13812345678"})
    assert created.status_code == 201, created.content
    lead = created.json()
    assert (lead["source"], lead["status"], lead["mobile"]) == ("api", "new", "+8613812345678")
    assert admin.patch(f"/api/v1/leads/{lead['id']}", {"title": "经理"}).status_code == 428
    patched = admin.patch(f"/api/v1/leads/{lead['id']}", {"title": "经理", "version": 1})
    assert patched.json()["title"] == "经理"
    stale = admin.patch(f"/api/v1/leads/{lead['id']}", {"title": "x", "version": 1})
    assert stale.status_code == 409
    assert admin.delete(f"/api/v1/leads/{lead['id']}").status_code == 204
    assert admin.get(f"/api/v1/leads/{lead['id']}").status_code == 404


def test_bad_email_is_422_with_the_field(admin):
    response = admin.post("/api/v1/leads", {"name": "x", "email": "not-an-email"})
    assert response.status_code == 422
    assert "email" in response.json()["error"]["fields"]
    bad_phone = admin.post("/api/v1/leads", {"name": "x", "mobile": "12"})
    assert "mobile" in bad_phone.json()["error"]["fields"]


def test_rep_cannot_see_another_reps_lead_but_sees_the_pool(org):
    rep, other = member(org), member(org)
    theirs = LeadFactory(organization=org, owner=other.user)
    pooled = LeadFactory(organization=org)
    client = api_client(rep)
    assert client.get(f"/api/v1/leads/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/leads/{pooled.pk}").status_code == 200
    listed = [item["id"] for item in client.get("/api/v1/leads").json()["items"]]
    assert listed == [pooled.pk]
    assert client.post(f"/api/v1/leads/{theirs.pk}/claim").status_code == 404
    claimed = client.post(f"/api/v1/leads/{pooled.pk}/claim")
    assert claimed.json()["owner_id"] == rep.user_id
    again = api_client(member(org)).post(f"/api/v1/leads/{pooled.pk}/claim")
    assert again.status_code == 404  # no longer in the pool, so not visible to others
    released = client.post(f"/api/v1/leads/{pooled.pk}/release", {"reason": "不合适"})
    assert released.json()["owner_id"] is None


def test_other_organization_is_404(org):
    lead = LeadFactory(organization=org)
    stranger = api_client(admin_of(OrganizationFactory()))
    assert stranger.get(f"/api/v1/leads/{lead.pk}").status_code == 404
    assert stranger.post(f"/api/v1/leads/{lead.pk}/convert", {}).status_code == 404
    assert stranger.get("/api/v1/leads").json()["items"] == []


def test_cursor_pagination(admin, org):
    for _ in range(5):
        LeadFactory(organization=org)
    first = admin.get("/api/v1/leads", limit=3).json()
    second = admin.get("/api/v1/leads", limit=3, cursor=first["next_cursor"]).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and ids == sorted(ids, reverse=True)
    assert second["next_cursor"] is None


def test_activities_and_disqualify(admin):
    lead = admin.post("/api/v1/leads", {"name": "x"}).json()
    added = admin.post(f"/api/v1/leads/{lead['id']}/activities",
                       {"kind": "wechat", "content": "加了微信"})
    assert added.status_code == 201
    assert admin.get(f"/api/v1/leads/{lead['id']}").json()["status"] == "contacted"
    listed = admin.get(f"/api/v1/leads/{lead['id']}/activities").json()["items"]
    assert [a["content"] for a in listed] == ["加了微信"]
    no_reason = admin.post(f"/api/v1/leads/{lead['id']}/disqualify", {"reason": ""})
    assert no_reason.status_code == 422
    assert "disqualify_reason" in no_reason.json()["error"]["fields"]
    done = admin.post(f"/api/v1/leads/{lead['id']}/disqualify", {"reason": "无预算"})
    assert done.json()["status"] == "disqualified"


def test_assign_endpoint_runs_the_rules(org, admin):
    a, b = member(org), member(org)
    RuleFactory(organization=org, members=[a.user, b.user])
    for _ in range(4):
        LeadFactory(organization=org)
    result = admin.post("/api/v1/leads/assign").json()
    assert (result["considered"], result["assigned"]) == (4, 4)
    assert result["by_owner"] == {str(a.user_id): 2, str(b.user_id): 2}
    assert admin.post("/api/v1/leads/assign").json()["assigned"] == 0
    assert api_client(a).post("/api/v1/leads/assign").status_code == 403


def test_convert_creates_everything_and_refuses_twice(org):
    rep = member(org)
    client = api_client(rep)
    lead = client.post("/api/v1/leads", {"name": "李雷", "company": "星辰科技有限公司",
                                         "status": "qualified"}).json()
    converted = client.post(f"/api/v1/leads/{lead['id']}/convert",
                            {"amount": "12000", "opportunity_name": "星辰 ERP"})
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["lead"]["status"] == "converted" and body["customer_created"]
    assert body["contact_id"] and body["opportunity_id"]
    opportunity = client.get(f"/api/v1/customers/{body['customer_id']}")
    assert opportunity.status_code == 200
    twice = client.post(f"/api/v1/leads/{lead['id']}/convert", {})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "already_converted"


def test_convert_with_a_duplicate_returns_candidates_then_attaches(org, admin):
    existing = CustomerFactory(organization=org, name="星辰科技有限公司")
    lead = admin.post("/api/v1/leads", {"name": "李雷", "company": "星辰科技"}).json()
    conflict = admin.post(f"/api/v1/leads/{lead['id']}/convert", {})
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "duplicate"
    assert [c["customer_id"] for c in error["candidates"]] == [existing.pk]
    attached = admin.post(f"/api/v1/leads/{lead['id']}/convert",
                          {"existing_customer_id": existing.pk, "create_opportunity": False})
    assert attached.status_code == 200
    assert attached.json()["customer_id"] == existing.pk
    assert attached.json()["opportunity_id"] is None
    assert Lead.objects.get(pk=lead["id"]).converted_customer_id == existing.pk


def test_convert_create_anyway_makes_a_second_customer(org, admin):
    CustomerFactory(organization=org, name="星辰科技有限公司")
    lead = admin.post("/api/v1/leads", {"name": "李雷", "company": "星辰科技"}).json()
    made = admin.post(f"/api/v1/leads/{lead['id']}/convert", {"create_anyway": True})
    assert made.status_code == 200 and made.json()["customer_created"]

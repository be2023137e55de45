"""The customer module's API: contacts, follow-ups with files, the pool, tags, segments,
merge and undo, the recycle bin, bulk actions — with the same rules as the UI."""

import datetime

import pytest
from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member, team
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return api_client(admin_of(org))


def test_contacts_crud_with_versions(admin):
    customer = admin.post("/api/v1/customers", {"name": "甲公司"}).json()
    created = admin.post(f"/api/v1/customers/{customer['id']}/contacts",
                         {"name": "张伟", "mobile": "13812345678", "role": "decision_maker"})
    assert created.status_code == 201
    contact = created.json()
    assert (contact["mobile"], contact["is_primary"]) == ("+8613812345678", True)
    bad = admin.post(f"/api/v1/customers/{customer['id']}/contacts", {"name": "x", "mobile": "1"})
    assert bad.status_code == 422
    assert "mobile" in bad.json()["error"]["fields"]
    patched = admin.patch(f"/api/v1/contacts/{contact['id']}", {"title": "总经理", "version": 1})
    assert patched.json()["title"] == "总经理"
    assert admin.patch(f"/api/v1/contacts/{contact['id']}",
                       {"title": "x", "version": 1}).status_code == 409
    assert admin.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert admin.get(f"/api/v1/customers/{customer['id']}/contacts").json() == []


def test_follow_up_with_a_photo_and_a_next_date(org, admin):
    customer = admin.post("/api/v1/customers", {"name": "甲公司"}).json()
    next_week = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin.client.post(f"/api/v1/customers/{customer['id']}/follow-ups", {
        "kind": "visit", "content": "上门拜访", "next_follow_up_on": next_week,
        "files": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]})
    assert response.status_code == 201, response.content
    follow_up = response.json()
    assert follow_up["attachments"][0]["name"] == "现场.png"
    photo = admin.client.get(follow_up["attachments"][0]["url"])
    assert b"".join(photo.streaming_content) == PNG
    listed = admin.get(f"/api/v1/customers/{customer['id']}/follow-ups").json()["items"]
    assert [f["content"] for f in listed] == ["上门拜访"]
    tasks = admin.get("/api/v1/tasks").json()
    assert [(t["customer_id"], t["due_on"]) for t in tasks] == [(customer["id"], next_week)]
    assert admin.get(f"/api/v1/customers/{customer['id']}").json()["last_contacted_at"]


def test_another_organization_cannot_download_an_attachment(org, admin):
    customer = admin.post("/api/v1/customers", {"name": "甲公司"}).json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    follow_up = admin.client.post(f"/api/v1/customers/{customer['id']}/follow-ups", {
        "content": "x", "files": [SimpleUploadedFile("a.png", PNG)]}).json()
    stranger = api_client(admin_of(OrganizationFactory()))
    assert stranger.get(follow_up["attachments"][0]["url"]).status_code == 404


def test_pool_claim_and_release_through_the_api(org, admin):
    rep = member(org, "sales_rep", team=team(org, "华东组"))
    client = api_client(rep)
    pooled = CustomerFactory(organization=org, name="公海客户")
    listed = client.get("/api/v1/customers", pool="true").json()["items"]
    assert [c["id"] for c in listed] == [pooled.pk]
    claimed = client.post(f"/api/v1/customers/{pooled.pk}/claim")
    assert claimed.json()["owner_id"] == rep.user_id
    again = api_client(member(org, "sales_rep")).post(f"/api/v1/customers/{pooled.pk}/claim")
    assert again.status_code in (404, 409)
    assert client.post("/api/v1/customers/release",
                       {"customer_ids": [pooled.pk]}).json() == {"count": 1}
    assert admin.put("/api/v1/customers/pool-policy", {
        "claim_limit": 5, "no_follow_up_days": 30, "no_deal_days": 90}).status_code == 200
    assert client.put("/api/v1/customers/pool-policy", {
        "claim_limit": 500, "no_follow_up_days": 0, "no_deal_days": 0}).status_code == 403
    negative = admin.put("/api/v1/customers/pool-policy", {
        "claim_limit": -1, "no_follow_up_days": 30, "no_deal_days": 90})
    assert negative.status_code == 422
    assert "claim_limit" in negative.json()["error"]["fields"]
    assert admin.get("/api/v1/customers/pool-policy").json()["claim_limit"] == 5


def test_tags_segments_and_segment_export(org, admin):
    a = admin.post("/api/v1/customers", {"name": "甲公司", "city": "深圳"}).json()
    admin.post("/api/v1/customers", {"name": "乙公司", "city": "北京"})
    tag = admin.post("/api/v1/tags", {"name": "重点"}).json()
    assert admin.post("/api/v1/customers/bulk/tag",
                      {"customer_ids": [a["id"]], "tag_ids": [tag["id"]]}).json() == {"count": 1}
    segment = admin.post("/api/v1/segments", {"name": "深圳重点", "conditions": [
        {"field": "city", "op": "eq", "value": "深圳"},
        {"field": "tags", "op": "all", "value": [tag["id"]]}]}).json()
    items = admin.get(f"/api/v1/segments/{segment['id']}/customers").json()["items"]
    assert [(i["name"], i["tags"]) for i in items] == [("甲公司", ["重点"])]
    export = admin.get("/api/v1/customers/export", segment_id=segment["id"])
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "甲公司" in body and "乙公司" not in body
    bad = admin.post("/api/v1/segments", {"name": "x", "conditions": [{"field": "x"}]})
    assert bad.status_code == 422
    assert "conditions.0" in bad.json()["error"]["fields"]


def test_merge_and_undo_through_the_api(org, admin):
    a = admin.post("/api/v1/customers", {"name": "华为技术"}).json()
    b = admin.post("/api/v1/customers", {"name": "华为技术有限公司", "city": "深圳",
                                         "confirm_duplicate": True}).json()
    admin.post(f"/api/v1/customers/{b['id']}/contacts", {"name": "张伟"})
    merge = admin.post(f"/api/v1/customers/{a['id']}/merge", {"merged_id": b["id"]}).json()
    assert admin.get(f"/api/v1/customers/{b['id']}").status_code == 404
    assert [c["name"] for c in admin.get(f"/api/v1/customers/{a['id']}/contacts").json()] == \
        ["张伟"]
    assert admin.get(f"/api/v1/customers/{a['id']}").json()["city"] == "深圳"
    undone = admin.post(f"/api/v1/customers/merges/{merge['id']}/undo")
    assert undone.json()["id"] == b["id"]
    assert [c["name"] for c in admin.get(f"/api/v1/customers/{b['id']}/contacts").json()] == \
        ["张伟"]


def test_recycle_bin_and_restore(org, admin):
    customer = admin.post("/api/v1/customers", {"name": "甲公司"}).json()
    assert admin.delete(f"/api/v1/customers/{customer['id']}").status_code == 204
    assert admin.get(f"/api/v1/customers/{customer['id']}").status_code == 404
    binned = admin.get("/api/v1/customers/recycle-bin").json()["items"]
    assert [c["id"] for c in binned] == [customer["id"]]
    assert admin.post(f"/api/v1/customers/{customer['id']}/restore").status_code == 200
    assert admin.get(f"/api/v1/customers/{customer['id']}").status_code == 200

"""/api/v1/sales: pipelines, opportunities (CRUD, versions, moves, win/lose, lines, history),
the board — with the same rules as the UI."""

import pytest

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member
from kehu.sales.models import LostReason
from kehu.sales.tests.factories import CustomerFactory, opportunity, stage

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sales"


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


def test_pipelines_list_and_admin_writes(org, rep):
    admin = api_client(admin_of(org))
    pipelines = admin.get(f"{BASE}/pipelines").json()
    assert len(pipelines) == 1 and len(pipelines[0]["stages"]) == 6
    created = admin.post(f"{BASE}/pipelines", {"name": "续费"})
    assert created.status_code == 201
    pipeline = created.json()
    assert api_client(rep).post(f"{BASE}/pipelines", {"name": "x"}).status_code == 403
    won = next(s for s in pipeline["stages"] if s["kind"] == "won")
    refused = admin.patch(f"{BASE}/stages/{won['id']}", {"kind": "open"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "won_stage_required"
    second_won = admin.post(f"{BASE}/pipelines/{pipeline['id']}/stages",
                            {"name": "再赢", "kind": "won"})
    assert second_won.status_code == 422
    added = admin.post(f"{BASE}/pipelines/{pipeline['id']}/stages",
                       {"name": "试用", "probability": 30})
    assert added.status_code == 201
    renamed = admin.patch(f"{BASE}/pipelines/{pipeline['id']}", {"name": "续费流程"})
    assert renamed.json()["name"] == "续费流程"
    assert admin.delete(f"{BASE}/stages/{added.json()['id']}").status_code == 204
    reason = admin.post(f"{BASE}/lost-reasons", {"name": "合同未批"})
    assert reason.status_code == 201
    assert admin.patch(f"{BASE}/lost-reasons/{reason.json()['id']}",
                       {"is_active": False}).json()["is_active"] is False


def test_opportunity_crud_with_versions(org, rep):
    client = api_client(rep)
    customer = CustomerFactory(organization=org, owner=rep.user)
    created = client.post(f"{BASE}/opportunities", {"name": "ERP 项目",
                                                    "customer_id": customer.pk,
                                                    "amount": "20000"})
    assert created.status_code == 201
    opp = created.json()
    assert (opp["status"], opp["weighted_amount"]) == ("open", "2000.00")
    bad = client.post(f"{BASE}/opportunities", {"name": "x", "customer_id": 999999})
    assert bad.status_code == 422 and "customer" in bad.json()["error"]["fields"]
    patched = client.patch(f"{BASE}/opportunities/{opp['id']}", {"name": "ERP 二期",
                                                                 "version": 1})
    assert patched.json()["name"] == "ERP 二期" and patched.json()["version"] == 2
    stale = client.patch(f"{BASE}/opportunities/{opp['id']}", {"name": "x", "version": 1})
    assert stale.status_code == 409
    listed = client.get(f"{BASE}/opportunities", q="二期").json()
    assert [o["id"] for o in listed["items"]] == [opp["id"]]
    assert client.delete(f"{BASE}/opportunities/{opp['id']}").status_code == 403  # reps
    admin = api_client(admin_of(org))
    assert admin.delete(f"{BASE}/opportunities/{opp['id']}").status_code == 204
    assert admin.get(f"{BASE}/opportunities/{opp['id']}").status_code == 404
    assert admin.post(f"{BASE}/opportunities/{opp['id']}/restore").status_code == 200


def test_move_win_lose_and_history(org, rep):
    client = api_client(rep)
    opp = opportunity(rep, amount="1000")
    moved = client.post(f"{BASE}/opportunities/{opp.pk}/move",
                        {"stage_id": stage(org, "open", 2).pk, "version": 1})
    assert moved.status_code == 200
    body = moved.json()
    assert body["opportunity"]["weighted_amount"] == "500.00"
    totals = {t["stage_id"]: t for t in body["totals"]}
    assert totals[stage(org, "open", 2).pk]["count"] == 1
    lost = client.post(f"{BASE}/opportunities/{opp.pk}/lose", {})
    assert lost.status_code == 422
    assert lost.json()["error"]["code"] == "lost_reason_required"
    assert "lost_reason_id" in lost.json()["error"]["fields"]
    reason = LostReason.objects.filter(organization=org).first()
    assert client.post(f"{BASE}/opportunities/{opp.pk}/lose",
                       {"lost_reason_id": reason.pk}).json()["status"] == "lost"
    won = client.post(f"{BASE}/opportunities/{opp.pk}/win", {}).json()
    assert won["status"] == "won" and won["closed_at"]
    history = client.get(f"{BASE}/opportunities/{opp.pk}/stage-history").json()
    assert [h["to_stage_id"] for h in history][-1] == stage(org, "won").pk
    assert len(history) == 4


def test_lines_crud(org, rep):
    client = api_client(rep)
    opp = opportunity(rep, amount="1")
    line = client.post(f"{BASE}/opportunities/{opp.pk}/lines",
                       {"name": "服务", "quantity": "2", "unit_price": "100"})
    assert line.status_code == 201 and line.json()["total"] == "200.00"
    assert client.get(f"{BASE}/opportunities/{opp.pk}").json()["amount"] == "200.00"
    bad = client.post(f"{BASE}/opportunities/{opp.pk}/lines",
                      {"name": "x", "quantity": "1", "unit_price": "1",
                       "discount_percent": "150"})
    assert bad.status_code == 422 and "discount_percent" in bad.json()["error"]["fields"]
    patched = client.patch(f"{BASE}/lines/{line.json()['id']}", {"quantity": "3"})
    assert patched.json()["total"] == "300.00"
    assert client.get(f"{BASE}/opportunities/{opp.pk}/lines").json()[0]["quantity"] == "3.000"
    assert client.delete(f"{BASE}/lines/{line.json()['id']}").status_code == 204


def test_rep_sees_only_own_and_other_org_is_404(org, rep):
    other = member(org, "sales_rep")
    mine = opportunity(rep, name="我的")
    theirs = opportunity(other, name="他的")
    client = api_client(rep)
    ids = [o["id"] for o in client.get(f"{BASE}/opportunities").json()["items"]]
    assert ids == [mine.pk]
    assert client.get(f"{BASE}/opportunities/{theirs.pk}").status_code == 404
    assert client.post(f"{BASE}/opportunities/{theirs.pk}/move",
                       {"stage_id": stage(org, "open", 1).pk}).status_code == 404
    board = client.get(f"{BASE}/board").json()
    assert sum(c["count"] for c in board["columns"]) == 1
    foreign = opportunity(admin_of(OrganizationFactory()))
    assert api_client(admin_of(org)).get(f"{BASE}/opportunities/{foreign.pk}") \
        .status_code == 404

import datetime

import pytest

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client
from kehu.targets import services
from kehu.targets.tests.factories import opportunity, payment

pytestmark = pytest.mark.django_db

BASE = "/api/v1/targets"


def test_manager_creates_reads_updates_and_deletes_a_target(people):
    client = api_client(people["manager"])
    created = client.post(BASE, {"user_id": people["a"].user_id, "period_kind": "quarter",
                                 "period_start": "2026-11-17", "amount": "30000"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["period_start"], body["period_end"], body["amount"]) == (
        "2026-10-01", "2026-12-31", "30000.00")
    one = client.get(f"{BASE}/{body['id']}")
    assert one.status_code == 200
    patched = client.patch(f"{BASE}/{body['id']}", {"amount": "35000", "version": 1})
    assert patched.status_code == 200
    assert patched.json()["amount"] == "35000.00"
    stale = client.patch(f"{BASE}/{body['id']}", {"amount": "1", "version": 1})
    assert stale.status_code == 409
    listed = client.get(BASE, period="quarter", date="2026-12-31")
    assert [t["id"] for t in listed.json()["items"]] == [body["id"]]
    assert client.delete(f"{BASE}/{body['id']}").status_code == 204
    assert client.get(f"{BASE}/{body['id']}").status_code == 404


@pytest.mark.parametrize("payload,field", [
    ({"period_kind": "week"}, "period_kind"),
    ({"amount": "-5"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"user_id": None}, "user"),
])
def test_invalid_values_are_422_with_the_field(people, payload, field):
    client = api_client(people["manager"])
    body = {"user_id": people["a"].user_id, "period_kind": "month",
            "period_start": "2026-11-01", "amount": "100", **payload}
    response = client.post(BASE, body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_invalid_period_query_is_422(people):
    response = api_client(people["manager"]).get(f"{BASE}/ranking", period="week")
    assert response.status_code == 422
    assert "period" in response.json()["error"]["fields"]


def test_rep_cannot_create_and_sees_only_own(people):
    manager = actor_for(people["manager"])
    values = {"period_kind": "month", "period_start": datetime.date(2026, 11, 1),
              "amount": "10"}
    own = services.target_create(actor=manager, values={"user": people["a"].user, **values})
    other = services.target_create(actor=manager, values={"user": people["b"].user, **values})
    client = api_client(people["a"])
    assert client.post(BASE, {"user_id": people["a"].user_id, "period_kind": "month",
                              "period_start": "2026-11-01", "amount": "1"}).status_code == 403
    assert client.get(f"{BASE}/{own.pk}").status_code == 200
    assert client.get(f"{BASE}/{other.pk}").status_code == 404
    assert [t["id"] for t in client.get(BASE).json()["items"]] == [own.pk]


def test_other_organizations_target_is_404(people):
    stranger_org = OrganizationFactory()
    foreign = services.target_create(actor=actor_for(admin_of(stranger_org)), values={
        "user": admin_of(stranger_org).user, "period_kind": "month",
        "period_start": datetime.date(2026, 11, 1), "amount": "10"})
    client = api_client(people["manager"])
    assert client.get(f"{BASE}/{foreign.pk}").status_code == 404
    assert client.delete(f"{BASE}/{foreign.pk}").status_code == 404


def test_progress_and_ranking(people):
    opportunity(people["a"], "800.00", closed_on=datetime.date(2026, 11, 3))
    opportunity(people["b"], "900.00", closed_on=datetime.date(2026, 12, 3))
    payment(people["b"], "70.00", datetime.date(2026, 11, 9))
    manager = api_client(people["manager"])
    manager.post(BASE, {"user_id": people["a"].user_id, "period_kind": "month",
                        "period_start": "2026-11-01", "amount": "1000"})
    manager.post(BASE, {"team_id": people["east"].pk, "period_kind": "month",
                        "period_start": "2026-11-01", "amount": "100", "metric": "collected"})
    progress = manager.get(f"{BASE}/progress", period="month", date="2026-11-01").json()
    assert progress["period"]["start"] == "2026-11-01"
    figures = {(p["user_id"], p["team_id"], p["metric"]): (p["actual"], p["percent"])
               for p in progress["items"]}
    assert figures == {(people["a"].user_id, None, "won_amount"): ("800.00", "80.0"),
                       (None, people["east"].pk, "collected"): ("70.00", "70.0")}
    ranking = manager.get(f"{BASE}/ranking", metric="won_amount", period="quarter",
                          date="2026-11-01").json()
    assert [(r["rank"], r["user_id"], r["actual"]) for r in ranking["items"]][:2] == [
        (1, people["b"].user_id, "900.00"), (2, people["a"].user_id, "800.00")]
    rep = api_client(people["a"]).get(f"{BASE}/ranking", metric="won_amount",
                                      period="quarter", date="2026-11-01").json()
    assert [r["user_id"] for r in rep["items"]] == [people["a"].user_id]

"""/api/v1/reports: CRUD with versions, ad-hoc runs, results per viewer."""

from __future__ import annotations

import pytest

from kehu.core.common.testing import api_client, member
from kehu.reports.models import SavedReport
from kehu.reports.tests.scene import build
from kehu.sales.models import Opportunity

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports"
DEFINITION = {"object": "opportunities", "group_by": [{"field": "owner"}],
              "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}], "chart": "bar"}


def test_crud_and_version_conflict():
    scene = build()
    client = api_client(scene.rep)
    created = client.post(URL, {"name": "我的报表", "definition": DEFINITION})
    assert created.status_code == 201, created.content
    report = created.json()
    assert (report["version"], report["can_edit"], report["definition"]["object"]) == (
        1, True, "opportunities")
    detail = client.get(f"{URL}/{report['id']}")
    assert detail["ETag"] == '"1"'
    changed = client.patch(f"{URL}/{report['id']}", {"name": "改名", "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(f"{URL}/{report['id']}", {"name": "again"}, **{"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert client.patch(f"{URL}/{report['id']}", {"name": "x"}).status_code == 428
    listed = client.get(URL).json()["items"]
    assert [r["name"] for r in listed] == ["改名"]
    # reps may not delete (the built-in role grants no delete on reports); the manager may not
    # see a report nobody shared with them
    assert client.delete(f"{URL}/{report['id']}").status_code == 403
    assert api_client(scene.manager).get(f"{URL}/{report['id']}").status_code == 404
    admin = api_client(scene.admin)
    assert admin.delete(f"{URL}/{report['id']}").status_code == 204
    assert not SavedReport.objects.filter(pk=report["id"]).exists()


def test_invalid_definition_is_422_naming_the_field():
    scene = build()
    response = api_client(scene.rep).post(URL, {"name": "x", "definition": {
        **DEFINITION, "measures": [{"fn": "sum", "field": "owner"}]}})
    assert response.status_code == 422
    assert "measures.0.field" in response.json()["error"]["fields"]


def test_run_and_result_are_scoped_to_the_caller():
    scene = build()
    run = api_client(scene.rep).post(f"{URL}/run", DEFINITION)
    assert run.status_code == 200, run.content
    body = run.json()
    mine = Opportunity.objects.filter(organization=scene.org, owner=scene.rep.user)
    assert body["rows"] == [{  # only the rep's own deals; one of them is in USD
        "keys": [str(scene.rep.user_id)], "labels": [str(scene.rep.user)],
        "values": [mine.count(), str(sum(o.amount for o in mine))], "currencies": ["", "*"]}]
    assert [m["key"] for m in body["measures"]] == ["count", "sum:amount"]

    manager = api_client(scene.manager)
    report = manager.post(URL, {"name": "共享", "definition": DEFINITION}).json()
    shared = manager.put(f"{URL}/{report['id']}/shares", {"user_ids": [scene.rep.user_id]})
    assert shared.json()["shares"]["user_ids"] == [scene.rep.user_id]
    result = api_client(scene.rep).get(f"{URL}/{report['id']}/result").json()
    assert result["rows"] == body["rows"]
    pinned = api_client(scene.rep).post(f"{URL}/{report['id']}/pin")
    assert pinned.json()["pinned"] is True
    assert api_client(scene.rep).patch(f"{URL}/{report['id']}",
                                       {"name": "x", "version": 1}).status_code == 403


def test_objects_catalog_lists_custom_fields_and_respects_roles():
    scene = build()
    objects = {o["key"]: o for o in api_client(scene.rep).get(f"{URL}/objects").json()}
    fields = {f["key"]: f for f in objects["opportunities"]["fields"]}
    assert fields["custom.score"]["measurable"] and fields["custom.region"]["groupable"]
    assert fields["created_at"]["buckets"]
    agent = api_client(member(scene.org, "service_agent"))
    assert agent.get(f"{URL}/objects").status_code == 403
    assert agent.post(f"{URL}/run", DEFINITION).status_code == 403

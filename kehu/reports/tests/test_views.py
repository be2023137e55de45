"""The pages: builder preview, report page, drill-down (its count is the figure) and exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from kehu.core.common.testing import actor_for, web_client
from kehu.core.customfields import services as cf_services
from kehu.reports import services
from kehu.reports.tests.scene import build

pytestmark = pytest.mark.django_db

BY_ROLE = {"object": "contacts", "group_by": [{"field": "name"}], "measures": [{"fn": "count"}]}


def _report(membership, definition, name="报表"):
    return services.report_create(actor=actor_for(membership),
                                  values={"name": name, "definition": definition})


def test_builder_saves_a_report_and_preview_shows_errors():
    scene = build()
    client = web_client(scene.rep)
    assert client.get("/reports/new/").status_code == 200
    definition = {"object": "opportunities", "group_by": [{"field": "stage"}],
                  "measures": [{"fn": "count"}], "chart": "funnel"}
    preview = client.post("/reports/preview/", {"definition": json.dumps(definition)})
    assert preview.status_code == 200
    assert b'data-report-chart="chart-data-preview"' in preview.content
    bad = client.post("/reports/preview/", {"definition": json.dumps(
        {**definition, "group_by": [{"field": "nope"}]})})
    assert bad.status_code == 422 and b'data-testid="report-errors"' in bad.content
    saved = client.post("/reports/new/", {"name": "阶段漏斗", "definition": json.dumps(definition)})
    assert saved.status_code == 302
    page = client.get(saved["Location"])
    assert page.status_code == 200 and b"chart-data-report-" in page.content


def test_drill_down_lists_exactly_the_rows_of_the_figure():
    scene = build()
    report = _report(scene.manager, {
        "object": "opportunities", "group_by": [{"field": "owner"},
                                                {"field": "created_at", "bucket": "month"}],
        "measures": [{"fn": "count"}], "chart": "bar"})
    client = web_client(scene.manager)
    from kehu.reports import selectors

    result = selectors.report_result(actor=actor_for(scene.manager), report=report)
    assert result.rows
    for row in result.rows:
        page = client.get(f"/reports/{report.pk}/rows/", [("g", k) for k in row.keys])
        assert page.status_code == 200
        assert page.context["page"].paginator.count == row.values[0]
    assert client.get(f"/reports/{report.pk}/rows/", {"g": "bogus"}).status_code == 404


def test_exports_neutralize_formulas():
    scene = build()
    cf_services.field_definition_create(actor=actor_for(scene.admin),
                                        object_type="customers.contact", key="x",
                                        label="=SUM(A1)", kind="text")
    report = _report(scene.admin, {"object": "contacts",
                                   "filters": [{"field": "name", "op": "contains",
                                                "value": "cmd"}],
                                   "group_by": [{"field": "customer"}, {"field": "custom.x"}],
                                   "measures": [{"fn": "count"}]})
    from kehu.customers.models import Customer

    customer = Customer.objects.get(contacts__name="=cmd0")
    Customer.objects.filter(pk=customer.pk).update(name="=HYPERLINK(\"http://x\")")
    client = web_client(scene.admin)
    text = b"".join(client.get(f"/reports/{report.pk}/export/csv/").streaming_content)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][1] == "'=SUM(A1)"
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[1][2] == "1"
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/export/xlsx/").content)
                          ).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][1] == "'=SUM(A1)"
    assert cells[1][0] == "'=HYPERLINK(\"http://x\")" and cells[1][2] == 1


def test_list_detail_share_pin_and_delete_pages():
    scene = build()
    report = _report(scene.manager, {"object": "leads", "group_by": [{"field": "status"}],
                                     "measures": [{"fn": "count"}], "chart": "pie"})
    manager = web_client(scene.manager)
    shared = manager.post(f"/reports/{report.pk}/share/", {"users": [scene.rep.user_id]})
    assert shared.status_code == 302
    rep = web_client(scene.rep)
    listing = rep.get("/reports/")
    assert [r.pk for r in listing.context["shared"]] == [report.pk]
    detail = rep.get(f"/reports/{report.pk}/")
    assert detail.status_code == 200 and not detail.context["can_edit"]
    assert rep.get(f"/reports/{report.pk}/edit/").status_code == 404
    assert rep.post(f"/reports/{report.pk}/pin/").status_code == 302
    assert rep.get("/reports/").context["pinned"] == {report.pk}
    assert rep.post(f"/reports/{report.pk}/delete/").status_code == 403
    assert manager.post(f"/reports/{report.pk}/delete/").status_code == 302
    assert rep.get(f"/reports/{report.pk}/").status_code == 404


def test_preview_figures_link_to_their_rows():
    scene = build()
    client = web_client(scene.rep)
    definition = {"object": "payments", "group_by": [{"field": "method"}],
                  "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}
    preview = client.post("/reports/preview/", {"definition": json.dumps(definition)})
    table = preview.context["table"]
    assert table
    for item in table:
        rows = client.get(item["url"])
        assert rows.status_code == 200
        assert rows.context["page"].paginator.count == item["row"].values[0]


def test_pinned_partial_renders_each_report_compactly():
    from django.template.loader import render_to_string

    from kehu.reports import selectors

    scene = build()
    report = _report(scene.rep, {"object": "opportunities", "group_by": [{"field": "status"}],
                                 "measures": [{"fn": "count"}], "chart": "bar"})
    table_report = _report(scene.rep, {"object": "orders", "measures": [{"fn": "count"}]})
    actor = actor_for(scene.rep)
    services.report_pin(actor=actor, report=report)
    services.report_pin(actor=actor, report=table_report)
    html = render_to_string("reports/_pinned.html", {"pinned": selectors.pinned_reports(actor)})
    assert f'data-report-chart="chart-data-pinned-{report.pk}"' in html
    assert f'/reports/{table_report.pk}/rows/' in html  # the table report shows its figure


def test_saving_is_audited():
    from kehu.core.audit.models import ChangeRecord

    scene = build()
    report = _report(scene.rep, {"object": "leads", "measures": [{"fn": "count"}]})
    services.report_share(actor=actor_for(scene.rep), report=report,
                          team_ids=[scene.east.pk])
    actions = list(ChangeRecord.objects.filter(object_type="reports.savedreport",
                                               object_id=report.pk)
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update"]


def test_editing_with_an_old_version_keeps_the_form_and_says_why():
    scene = build()
    definition = {"object": "leads", "measures": [{"fn": "count"}]}
    report = _report(scene.rep, definition)
    client = web_client(scene.rep)
    assert client.get(f"/reports/{report.pk}/edit/").status_code == 200
    services.report_update(actor=actor_for(scene.rep), report=report,
                           values={"name": "elsewhere"}, version=1)
    stale = client.post(f"/reports/{report.pk}/edit/", {
        "name": "mine", "version": "1", "definition": json.dumps(definition)})
    assert stale.status_code == 422 and stale.context["name"] == "mine"
    assert web_client(scene.other_rep).get(f"/reports/{report.pk}/edit/").status_code == 404


def test_a_pinned_report_shows_on_its_viewers_home_page_only():
    scene = build()
    report = _report(scene.rep, {"object": "opportunities", "group_by": [{"field": "stage"}],
                                 "measures": [{"fn": "count"}], "chart": "bar"},
                     name="商机阶段分布图")
    services.report_pin(actor=actor_for(scene.rep), report=report)
    home = web_client(scene.rep).get("/").content.decode()
    assert 'data-testid="pinned-reports"' in home and "商机阶段分布图" in home
    assert "vendor/echarts.min.js" in home
    other = web_client(scene.other_rep).get("/").content.decode()
    assert "商机阶段分布图" not in other

"""The sales pages: board (totals, scope, query cap, drag and drop), list, detail, forms,
settings, the customer 360° panel, escaping."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from kehu.core.common.testing import OrganizationFactory, admin_of, member, web_client
from kehu.sales.models import LostReason, Opportunity
from kehu.sales.services.pipelines import pipeline_default
from kehu.sales.tests.factories import CustomerFactory, OpportunityFactory, opportunity, stage

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def url(name, *args):
    return reverse(f"sales:{name}", args=args)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


@pytest.fixture
def other(org):
    return member(org, "sales_rep")


def test_anonymous_is_sent_to_login(client):
    for path in (url("board"), url("opportunity-list"), url("pipeline-settings")):
        assert client.get(path).status_code == 302


def test_board_shows_only_own_cards_and_counts_only_visible_ones(org, rep, other):
    opportunity(rep, name="我的商机", amount="1000")
    opportunity(other, name="别人的商机", amount="5000")
    response = web_client(rep).get(url("board"))
    assert response.status_code == 200
    assert "我的商机" in response.content.decode()
    assert "别人的商机" not in response.content.decode()
    first = next(c for c in response.context["columns"] if c.stage == stage(org))
    assert (first.count, first.amount, first.weighted) == (1, Decimal("1000"), Decimal("100"))
    admin_columns = web_client(admin_of(org)).get(url("board")).context["columns"]
    assert next(c for c in admin_columns if c.stage == stage(org)).count == 2


def test_board_filters_by_owner(org, rep, other):
    opportunity(rep, name="甲")
    opportunity(other, name="乙")
    client = web_client(admin_of(org))
    body = client.get(url("board"), {"owner": rep.user_id}).content.decode()
    assert "甲" in body and "乙" not in body
    assert "甲" not in web_client(admin_of(org)).get(url("board"), {"mine": "1"}) \
        .content.decode()


def test_board_query_count_is_capped(org, rep, django_assert_max_num_queries):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, owner=admin.user)
    for column in (stage(org, "open", 0), stage(org, "open", 1), stage(org, "won"),
                   stage(org, "lost")):
        for _ in range(25):
            OpportunityFactory(organization=org, customer=customer, stage=column,
                               owner=admin.user)
    client = web_client(admin)
    client.get(url("board"))  # the default pipeline exists now
    with django_assert_max_num_queries(10):
        response = client.get(url("board"))
    columns = response.context["columns"]
    assert [len(c.cards) for c in columns if c.count] == [20, 20, 20, 20]
    assert all(c.more for c in columns if c.count)
    first = columns[0].cards
    assert [c.board_rank for c in first] == sorted(c.board_rank for c in first)
    # "load more" brings the other five
    last = first[-1]
    more = client.get(url("board-column", columns[0].stage.pipeline_id, columns[0].stage.pk),
                      {"after": f"{last.board_rank}:{last.pk}"})
    assert more.content.decode().count('class="board-card') == 5


def test_drag_and_drop_answers_the_new_totals(org, rep):
    opp = opportunity(rep, amount="1000")
    target = stage(org, "open", 2)
    response = web_client(rep).post(url("opportunity-move", opp.pk),
                                    {"stage": target.pk, "version": opp.version})
    assert response.status_code == 200
    data = response.json()
    assert data["opportunity"]["version"] == opp.version + 1
    assert data["totals"][str(target.pk)]["count"] == 1
    assert data["totals"][str(target.pk)]["weighted_amount"] == "500.00"
    assert data["totals"][str(stage(org).pk)]["count"] == 0
    assert f'data-id="{opp.pk}"' in data["card"]


def test_drag_to_lost_without_reason_is_refused_with_a_message(org, rep):
    opp = opportunity(rep)
    client = web_client(rep)
    response = client.post(url("opportunity-move", opp.pk), {"stage": stage(org, "lost").pk})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "lost_reason_required"
    assert response.json()["error"]["message"]
    reason = LostReason.objects.filter(organization=org).first()
    ok = client.post(url("opportunity-move", opp.pk),
                     {"stage": stage(org, "lost").pk, "lost_reason": reason.pk})
    assert ok.status_code == 200
    assert Opportunity.objects.get(pk=opp.pk).status == "lost"


def test_stale_drag_is_refused(org, rep):
    opp = opportunity(rep)
    response = web_client(rep).post(url("opportunity-move", opp.pk),
                                    {"stage": stage(org, "open", 1).pk, "version": 99})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"


def test_rep_cannot_move_or_open_someone_elses(org, rep, other):
    opp = opportunity(other)
    client = web_client(rep)
    assert client.get(url("opportunity-detail", opp.pk)).status_code == 404
    assert client.post(url("opportunity-move", opp.pk),
                       {"stage": stage(org, "open", 1).pk}).status_code == 404


def test_other_organization_is_404(org, rep):
    foreign = opportunity(admin_of(OrganizationFactory()))
    client = web_client(admin_of(org))
    assert client.get(url("opportunity-detail", foreign.pk)).status_code == 404
    assert client.get(url("board-pipeline", foreign.pipeline_id)).status_code == 404


def test_list_filters_and_scope(org, rep, other):
    opportunity(rep, name="大单", amount="90000")
    opportunity(rep, name="小单", amount="100")
    opportunity(other, name="别人的", amount="90000")
    client = web_client(rep)
    body = client.get(url("opportunity-list")).content.decode()
    assert "大单" in body and "小单" in body and "别人的" not in body
    body = client.get(url("opportunity-list"), {"amount_min": "1000"}).content.decode()
    assert "大单" in body and "小单" not in body
    body = client.get(url("opportunity-list"), {"q": "小"}).content.decode()
    assert "小单" in body and "大单" not in body
    body = client.get(url("opportunity-list"), {"status": "won"}).content.decode()
    assert "大单" not in body


def test_list_pages_with_a_cursor(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, owner=admin.user)
    for _ in range(55):
        OpportunityFactory(organization=org, customer=customer, stage=stage(org),
                           owner=admin.user)
    client = web_client(admin)
    first = client.get(url("opportunity-list"))
    assert len(first.context["rows"]) == 50 and first.context["next_cursor"]
    second = client.get(url("opportunity-list"), {"cursor": first.context["next_cursor"]})
    assert len(second.context["rows"]) == 5


def test_create_edit_and_invalid_form(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user)
    client = web_client(rep)
    assert client.get(url("opportunity-create"), {"customer": customer.pk}).status_code == 200
    form = {"name": "", "customer": customer.pk, "pipeline": pipeline_default(
        organization=org).pk, "amount": "5000", "currency": "CNY"}
    invalid = client.post(url("opportunity-create"), form)
    assert invalid.status_code == 422
    created = client.post(url("opportunity-create"), {**form, "name": "新商机"})
    assert created.status_code == 302
    opp = Opportunity.objects.get(name="新商机")
    assert opp.owner_id == rep.user_id and opp.amount == Decimal("5000")
    edit = {"name": "改名", "customer": customer.pk, "amount": "6000", "currency": "CNY",
            "version": opp.version}
    assert client.post(url("opportunity-edit", opp.pk), edit).status_code == 302
    stale = client.post(url("opportunity-edit", opp.pk), {**edit, "name": "再改"})
    assert stale.status_code == 409
    assert client.post(url("opportunity-edit", opp.pk),
                       {**edit, "name": "", "version": opp.version + 1}).status_code == 422


def test_detail_win_lose_buttons(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user)
    opp = opportunity(rep, customer=customer)
    client = web_client(rep)
    page = client.get(url("opportunity-detail", opp.pk))
    assert page.status_code == 200 and "stage-history" in page.content.decode()
    refused = client.post(url("opportunity-lose", opp.pk), {"lost_reason": ""})
    assert refused.status_code == 422
    assert "action-error" in refused.content.decode()
    assert client.post(url("opportunity-win", opp.pk)).status_code == 302
    customer.refresh_from_db()
    assert customer.last_won_at is not None


def test_lines_on_the_detail_page(org, rep):
    opp = opportunity(rep, amount="1")
    client = web_client(rep)
    added = client.post(url("line-create", opp.pk), {"name": "实施服务", "quantity": "2",
                                                      "unit_price": "500", "tax_rate": "6"})
    assert added.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("1060.00")
    bad = client.post(url("line-create", opp.pk), {"name": "x", "quantity": "-1",
                                                    "unit_price": "5"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422


def test_user_text_is_escaped(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, owner=admin.user, name=XSS)
    opp = opportunity(admin, customer=customer, name=XSS)
    client = web_client(admin)
    for response in (client.get(url("board")), client.get(url("opportunity-list")),
                     client.get(url("opportunity-detail", opp.pk)),
                     client.get(reverse("customers:customer-detail", args=[customer.pk]))):
        body = response.content.decode()
        assert response.status_code == 200
        assert XSS not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_customer_page_shows_the_panel_and_figures(org, rep, other):
    customer = CustomerFactory(organization=org, owner=rep.user)
    opportunity(rep, customer=customer, name="看得见", amount="2000")
    opportunity(other, customer=customer, name="看不见", amount="3000")
    response = web_client(rep).get(reverse("customers:customer-detail", args=[customer.pk]))
    body = response.content.decode()
    assert "看得见" in body and "看不见" not in body
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    assert figures["open_deals"] == 1
    assert figures["open_deal_amount"] == "¥2,000.00"
    assert url("opportunity-create") + f"?customer={customer.pk}" in body


def test_settings_are_for_admins(org, rep):
    assert web_client(rep).get(url("pipeline-settings")).status_code == 403
    client = web_client(admin_of(org))
    assert client.get(url("pipeline-settings")).status_code == 200
    created = client.post(url("pipeline-create"), {"name": "大客户流程"})
    assert created.status_code == 302
    pipeline = pipeline_default(organization=org).__class__.objects.get(name="大客户流程")
    assert client.get(url("pipeline-edit", pipeline.pk)).status_code == 200
    won = pipeline.stages.get(kind="won")
    refused = client.post(url("stage-update", won.pk), {
        f"s{won.pk}-name": won.name, f"s{won.pk}-kind": "open", f"s{won.pk}-probability": "90",
        f"s{won.pk}-is_active": "on"})
    assert refused.status_code == 422
    assert "有且只有一个启用的赢单阶段" in refused.content.decode()
    ok = client.post(url("stage-create", pipeline.pk), {"name": "试点", "kind": "open",
                                                        "probability": "40"})
    assert ok.status_code == 302
    ids = list(pipeline.stages.order_by("-position").values_list("pk", flat=True))
    assert client.post(url("stage-reorder", pipeline.pk), {"stage": ids}).status_code == 302
    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True)) == ids
    assert client.post(url("lost-reason-create"), {"name": "延期"}).status_code == 302


def test_board_renders_json_safe_totals(org, rep):
    opportunity(rep)
    response = web_client(rep).get(url("board"))
    assert json.loads(json.dumps(response.context["filter_query"])) == ""

from decimal import Decimal

import pytest

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, web_client
from kehu.quotes import services
from kehu.quotes.models import Quote, QuoteSettings
from kehu.quotes.tests.factories import line, opportunity_for, quote_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep_member(org):
    return member(org, "sales_rep")


@pytest.fixture
def rep(rep_member):
    return actor_for(rep_member)


@pytest.fixture
def client(rep_member):
    return web_client(rep_member)


def test_create_from_an_opportunity_and_see_the_detail_page(rep, client):
    opportunity = opportunity_for(rep, name="智慧园区项目")
    form = client.get(f"/quotes/new/?opportunity={opportunity.pk}").content.decode()
    assert "智慧园区项目" in form
    response = client.post("/quotes/new/", {"opportunity": opportunity.pk, "copy_lines": "on"})
    assert response.status_code == 302
    quote = Quote.objects.get(opportunity=opportunity)
    page = client.get(response["Location"]).content.decode()
    assert quote.number in page and "智慧园区项目" in page


def test_htmx_line_editor_adds_edits_and_removes_lines(rep, client):
    quote = quote_for(rep)
    headers = {"HX-Request": "true"}
    added = client.post(f"/quotes/{quote.pk}/lines/add/", {
        "new-name": "部署服务", "new-quantity": "3", "new-unit_price": "99.99",
        "new-discount_percent": "10", "new-tax_rate": "13"}, headers=headers)
    assert added.status_code == 200
    assert "quote-changed" in added["HX-Trigger"]
    assert "¥305.07" in added.content.decode()
    invalid = client.post(f"/quotes/{quote.pk}/lines/add/", {"new-quantity": "1"},
                          headers=headers)
    assert invalid.status_code == 422
    line_id = quote.lines.get().pk
    form = client.get(f"/quotes/{quote.pk}/lines/{line_id}/edit/", headers=headers)
    assert 'name="line-' in form.content.decode()
    edited = client.post(f"/quotes/{quote.pk}/lines/{line_id}/edit/", {
        f"line-{line_id}-name": "部署服务", f"line-{line_id}-quantity": "1",
        f"line-{line_id}-unit_price": "99.99", f"line-{line_id}-discount_percent": "0",
        f"line-{line_id}-tax_rate": "13"}, headers=headers)
    assert "¥112.99" in edited.content.decode()
    removed = client.post(f"/quotes/{quote.pk}/lines/{line_id}/delete/", headers=headers)
    assert removed.status_code == 200
    quote.refresh_from_db()
    assert quote.total == Decimal("0.00")


def test_submit_and_approve_from_the_page(org, rep, client):
    approver = member(org, "sales_manager")
    QuoteSettings.objects.create(organization=org, approver=approver.user)
    quote = quote_for(rep, lines=[line(discount="20")])
    client.post(f"/quotes/{quote.pk}/submit/")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING_APPROVAL
    assert client.post(f"/quotes/{quote.pk}/approve/").status_code == 403
    boss = web_client(approver)
    listing = boss.get("/quotes/", {"awaiting": "on"}).content.decode()
    assert quote.number in listing
    detail = boss.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-testid="decision-form"' in detail
    boss.post(f"/quotes/{quote.pk}/reject/", {"comment": "请降低折扣"})
    quote.refresh_from_db()
    assert (quote.status, quote.approval_comment) == (Quote.Status.REJECTED, "请降低折扣")


def test_print_page_escapes_user_text(org, rep, client):
    QuoteSettings.objects.create(organization=org, company_name="客户科技<i>",
                                 default_terms="付款：合同签订后 7 日内")
    quote = quote_for(rep, lines=[line(name="<script>alert(1)</script>")])
    page = client.get(f"/quotes/{quote.pk}/print/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "客户科技&lt;i&gt;" in page and quote.number in page
    assert "¥113.00" in page


def test_pdf_page(rep, client):
    quote = quote_for(rep, lines=[line(name="中文产品 <b>&")])
    response = client.get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_other_reps_and_other_organizations_get_404(org, client):
    other = quote_for(actor_for(member(org, "sales_rep")))
    foreign = quote_for(actor_for(admin_of(OrganizationFactory())))
    for quote in (other, foreign):
        assert client.get(f"/quotes/{quote.pk}/").status_code == 404
        assert client.get(f"/quotes/{quote.pk}/print/").status_code == 404
        assert client.post(f"/quotes/{quote.pk}/submit/").status_code == 404


def test_settings_page_is_for_admins(org, client):
    assert client.get("/quotes/settings/").status_code == 403
    admin = web_client(admin_of(org))
    approver = member(org, "sales_manager")
    response = admin.post("/quotes/settings/", {
        "approval_threshold": "12.5", "approver": approver.user_id, "validity_days": "15",
        "company_name": "上海客户科技有限公司", "company_address": "", "company_phone": "",
        "tax_number": "", "bank_account": "", "default_terms": "含税价"})
    assert response.status_code == 302
    saved = QuoteSettings.objects.get(organization=org)
    assert (saved.approval_threshold, saved.approver_id, saved.default_terms) == (
        Decimal("12.5"), approver.user_id, "含税价")
    bad = admin.post("/quotes/settings/", {"approval_threshold": "150", "validity_days": "15"})
    assert bad.status_code == 422


def test_customer_panel_lists_quotes(rep, client):
    quote = quote_for(rep)
    services.line_add(actor=rep, quote=quote, values=line())
    page = client.get(f"/customers/{quote.customer_id}/").content.decode()
    assert quote.number in page


def test_opportunity_page_lists_its_quotes_with_a_new_quote_link(rep, client):
    quote = quote_for(rep)
    page = client.get(f"/sales/{quote.opportunity_id}/").content.decode()
    assert quote.number in page
    assert f"/quotes/new/?opportunity={quote.opportunity_id}" in page

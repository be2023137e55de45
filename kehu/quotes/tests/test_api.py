import re
from decimal import Decimal

import pytest
from django.utils import translation

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client, member
from kehu.core.notifications.models import Notification
from kehu.quotes import pdf, selectors, services
from kehu.quotes.models import QuoteSettings
from kehu.quotes.tests.factories import opportunity_for, quote_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep_member(org):
    return member(org, "sales_rep")


@pytest.fixture
def rep(rep_member):
    return api_client(rep_member)


def test_create_from_an_opportunity_add_lines_and_read_totals(rep, rep_member):
    opportunity = opportunity_for(actor_for(rep_member))
    created = rep.post("/api/v1/quotes", {"opportunity_id": opportunity.pk, "title": "一期报价"})
    assert created.status_code == 201, created.content
    quote = created.json()
    assert (quote["title"], quote["status"], quote["total"]) == ("一期报价", "draft", "0.00")
    line = rep.post(f"/api/v1/quotes/{quote['id']}/lines", {
        "name": "软件许可", "quantity": "3", "unit_price": "99.99", "discount_percent": "10",
        "tax_rate": "13"})
    assert line.status_code == 201, line.content
    assert line.json()["total"] == "305.07"
    got = rep.get(f"/api/v1/quotes/{quote['id']}").json()
    assert (got["subtotal"], got["discount_total"], got["tax_total"], got["total"]) == (
        "299.97", "30.00", "35.10", "305.07")
    assert isinstance(got["lines"][0]["unit_price"], str)
    patched = rep.patch(f"/api/v1/quotes/{quote['id']}/lines/{line.json()['id']}",
                        {"quantity": "1"})
    assert patched.json()["total"] == "101.69"
    bad = rep.patch(f"/api/v1/quotes/{quote['id']}/lines/{line.json()['id']}",
                    {"discount_percent": "120"})
    assert bad.status_code == 422
    assert "discount_percent" in bad.json()["error"]["fields"]
    stale = rep.patch(f"/api/v1/quotes/{quote['id']}", {"title": "x", "version": 1})
    assert stale.status_code == 409
    ok = rep.patch(f"/api/v1/quotes/{quote['id']}", {"title": "二期报价",
                                                     "version": got["version"] + 1})
    assert ok.json()["title"] == "二期报价"
    assert rep.delete(f"/api/v1/quotes/{quote['id']}/lines/{line.json()['id']}") \
        .status_code == 204


def test_approval_flow_over_the_api(org, rep, rep_member):
    approver = member(org, "sales_manager")
    QuoteSettings.objects.create(organization=org, approver=approver.user)
    quote = quote_for(actor_for(rep_member))
    rep.post(f"/api/v1/quotes/{quote.pk}/lines", {"name": "服务", "unit_price": "1000",
                                                  "discount_percent": "20"})
    submitted = rep.post(f"/api/v1/quotes/{quote.pk}/submit")
    assert submitted.json()["status"] == "pending"
    assert Notification.objects.filter(recipient=approver.user).count() == 1
    assert rep.post(f"/api/v1/quotes/{quote.pk}/approve", {}).status_code == 403
    outsider = api_client(member(org, "sales_manager"))
    assert outsider.post(f"/api/v1/quotes/{quote.pk}/approve", {}).status_code in (403, 404)
    boss = api_client(approver)
    awaiting = boss.get("/api/v1/quotes", awaiting_me="true").json()["items"]
    assert [q["id"] for q in awaiting] == [quote.pk]
    approved = boss.post(f"/api/v1/quotes/{quote.pk}/approve", {"comment": "同意"})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approval_comment"]) == (
        "approved", "同意")
    assert rep.post(f"/api/v1/quotes/{quote.pk}/send").json()["status"] == "sent"
    revised = rep.post(f"/api/v1/quotes/{quote.pk}/revise")
    assert revised.status_code == 201
    assert revised.json()["number"] == f"{quote.number}-2"
    assert rep.get(f"/api/v1/quotes/{quote.pk}").json()["status"] == "superseded"
    assert rep.post(f"/api/v1/quotes/{quote.pk}/accept").status_code == 409


def test_small_discount_is_approved_at_once(rep, rep_member):
    quote = quote_for(actor_for(rep_member))
    rep.post(f"/api/v1/quotes/{quote.pk}/lines", {"name": "服务", "unit_price": "1000",
                                                  "discount_percent": "5"})
    assert rep.post(f"/api/v1/quotes/{quote.pk}/submit").json()["status"] == "approved"


def test_pdf_with_chinese_text(org, rep, rep_member):
    QuoteSettings.objects.create(organization=org, company_name="上海客户科技有限公司",
                                 bank_account="招商银行 6225 8888 <b>", tax_number="91310000")
    quote = quote_for(actor_for(rep_member))
    rep.post(f"/api/v1/quotes/{quote.pk}/lines", {"name": "客户管理系统 <专业版> & 实施",
                                                  "unit_price": "99.99", "quantity": "3"})
    response = rep.client.get(f"/api/v1/quotes/{quote.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF") and len(content) > 2000
    assert quote.number.encode() in content  # the document title


def _pdf_text(content: bytes) -> str:
    """The text of an uncompressed reportlab PDF: its (…) Tj strings are UTF-16BE (the CID
    font's encoding) with PDF literal-string escapes."""
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    texts = []
    for raw in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", content, flags=re.S):
        out, i = bytearray(), 0
        while i < len(raw):
            if raw[i:i + 1] == b"\\":
                octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
                if octal:
                    out.append(int(octal.group(), 8))
                    i += 1 + len(octal.group())
                    continue
                out += escapes.get(raw[i + 1:i + 2], raw[i + 1:i + 2])
                i += 2
                continue
            out += raw[i:i + 1]
            i += 1
        texts.append(bytes(out).decode("utf-16-be", errors="replace"))
    return " ".join(texts)


def test_pdf_text_has_the_number_the_chinese_lines_and_the_totals(org, rep_member):
    actor = actor_for(rep_member)
    QuoteSettings.objects.create(organization=org, company_name="上海客户科技有限公司")
    quote = quote_for(actor)
    services.line_add(actor=actor, quote=quote, values={
        "name": "客户管理系统 <专业版> & 实施", "quantity": Decimal("3"),
        "unit_price": Decimal("99.99"), "discount_percent": Decimal("10"),
        "tax_rate": Decimal("13")})
    quote.refresh_from_db()
    with translation.override("zh-hans"):
        content = pdf.build_pdf(quote=quote, settings=selectors.settings_get(organization=org),
                                compress=False)
    text = _pdf_text(content)
    assert quote.number in text
    assert "上海客户科技有限公司" in text
    assert "客户管理系统 &lt;专业版&gt; &amp; 实施" not in text  # escaped markup, not shown
    assert "客户管理系统 <专业版> & 实施" in text
    assert "¥305.07" in text


def test_rep_cannot_see_another_reps_quote_and_other_orgs_are_404(org, rep):
    other = actor_for(member(org, "sales_rep"))
    quote = quote_for(other)
    assert rep.get(f"/api/v1/quotes/{quote.pk}").status_code == 404
    assert rep.get(f"/api/v1/quotes/{quote.pk}/pdf").status_code == 404
    foreign_org = OrganizationFactory()
    foreign = quote_for(actor_for(admin_of(foreign_org)))
    admin = api_client(admin_of(org))
    assert admin.get(f"/api/v1/quotes/{foreign.pk}").status_code == 404
    assert admin.get(f"/api/v1/quotes/{quote.pk}").status_code == 200
    assert [q["id"] for q in rep.get("/api/v1/quotes").json()["items"]] == []


def test_money_is_never_a_float(rep, rep_member):
    quote = quote_for(actor_for(rep_member))
    rep.post(f"/api/v1/quotes/{quote.pk}/lines", {"name": "x", "unit_price": "0.10",
                                                  "quantity": "3", "tax_rate": "13"})
    body = rep.get(f"/api/v1/quotes/{quote.pk}").json()
    assert Decimal(body["total"]) == Decimal("0.34")
    assert all(not isinstance(v, float) for v in body.values())

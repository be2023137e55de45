import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, web_client
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders import services
from kehu.orders.models import Order
from kehu.orders.tests.factories import order_for, won_opportunity

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


def test_creating_an_order_from_a_won_opportunity(rep):
    opportunity = won_opportunity(rep, lines=[("许可", "2", "5000")])
    client = web_client(rep)
    url = reverse("orders:order-create") + f"?opportunity={opportunity.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert opportunity.name in page.content.decode()
    response = client.post(url, {"title": "ERP 合同", "starts_on": "2026-01-01",
                                 "ends_on": "2026-12-31"})
    order = Order.objects.get(opportunity=opportunity)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order-detail", args=[order.pk])
    assert (order.title, order.amount, order.lines.count()) == ("ERP 合同", Decimal("10000.00"), 1)


def test_an_invalid_contract_period_is_422_with_the_field(rep):
    opportunity = won_opportunity(rep)
    client = web_client(rep)
    url = reverse("orders:order-create") + f"?opportunity={opportunity.pk}"
    response = client.post(url, {"title": "x", "starts_on": "2026-05-01",
                                 "ends_on": "2026-04-01"})
    assert response.status_code == 422
    assert "ends_on" in response.context["form"].errors
    assert not Order.objects.exists()


def test_creating_an_order_directly_for_a_customer(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user)
    client = web_client(rep)
    url = reverse("orders:order-create") + f"?customer={customer.pk}"
    response = client.post(url, {"title": "维保", "currency": "CNY", "amount": "1200"})
    assert response.status_code == 302
    assert Order.objects.get(customer=customer).amount == Decimal("1200.00")


def test_the_list_filters_and_shows_only_the_reps_orders(org, rep):
    mine = order_for(rep)
    draft = order_for(rep, signed=False)
    theirs = order_for(member(org, "sales_rep"))
    client = web_client(rep)
    page = client.get(reverse("orders:order-list")).content.decode()
    assert mine.number in page and draft.number in page and theirs.number not in page
    filtered = client.get(reverse("orders:order-list"), {"status": "draft"},
                          headers={**HTMX, "HX-Target": "order-results"})
    assert draft.number in filtered.content.decode()
    assert mine.number not in filtered.content.decode()
    assert client.get(reverse("orders:order-detail", args=[theirs.pk])).status_code == 404


def test_another_organizations_order_is_404(rep):
    foreign = order_for(admin_of(OrganizationFactory()))
    client = web_client(rep)
    assert client.get(reverse("orders:order-detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("orders:payment-create", args=[foreign.pk]),
                       {"amount": "1"}).status_code == 404


def test_detail_page_highlights_overdue_instalments(rep):
    order = order_for(rep, amount="1000")
    actor = actor_for(rep)
    today = timezone.localdate()
    services.instalment_create(actor=actor, order=order, values={
        "due_on": today - datetime.timedelta(days=3), "amount": Decimal("400")})
    services.instalment_create(actor=actor, order=order, values={
        "due_on": today + datetime.timedelta(days=30), "amount": Decimal("600")})
    page = web_client(rep).get(reverse("orders:order-detail", args=[order.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('data-overdue="1"') == 1


def test_recording_a_payment_inline_and_an_overpayment_is_422(rep):
    order = order_for(rep, amount="1000")
    client = web_client(rep)
    url = reverse("orders:payment-create", args=[order.pk])
    ok = client.post(url, {"amount": "300", "received_on": "2026-02-01", "method": "bank"},
                     headers=HTMX)
    assert ok.status_code == 200
    assert "order-changed" in ok["HX-Trigger"]
    order.refresh_from_db()
    assert order.collected_amount == Decimal("300.00")
    over = client.post(url, {"amount": "800", "received_on": "2026-02-01", "method": "bank"},
                       headers=HTMX)
    assert over.status_code == 422
    assert "amount" in over.context["payment_form"].errors
    assert 'name="allow_overpayment"' in over.content.decode()
    allowed = client.post(url, {"amount": "800", "received_on": "2026-02-01", "method": "bank",
                                "allow_overpayment": "on"}, headers=HTMX)
    assert allowed.status_code == 200


def test_split_and_a_duplicate_invoice_number_inline(rep):
    order = order_for(rep, amount="100")
    client = web_client(rep)
    split = client.post(reverse("orders:instalment-split", args=[order.pk]),
                        {"count": "3", "first_due_on": "2026-03-01", "interval_months": "1"},
                        headers=HTMX)
    assert split.status_code == 200
    assert [str(i.amount) for i in order.instalments.all()] == ["33.33", "33.33", "33.34"]
    invoice_url = reverse("orders:invoice-create", args=[order.pk])
    data = {"number": "88", "kind": "vat_normal", "amount": "10", "issued_on": "2026-03-01"}
    assert client.post(invoice_url, data, headers=HTMX).status_code == 200
    duplicate = client.post(invoice_url, data, headers=HTMX)
    assert duplicate.status_code == 422
    assert "number" in duplicate.context["invoice_form"].errors
    over = client.post(invoice_url, {**data, "number": "89", "amount": "90.01"}, headers=HTMX)
    assert over.status_code == 422
    assert "amount" in over.context["invoice_form"].errors


def test_signing_from_the_detail_page(rep):
    order = order_for(rep, signed=False)
    client = web_client(rep)
    response = client.post(reverse("orders:order-status", args=[order.pk]),
                           {"status": "signed", "signed_on": "2026-02-02",
                            "version": order.version})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.signed_on) == ("signed", datetime.date(2026, 2, 2))


def test_a_stale_edit_is_409(rep):
    order = order_for(rep)
    client = web_client(rep)
    url = reverse("orders:order-edit", args=[order.pk])
    data = {"title": "改 1", "currency": "CNY", "amount": "10000", "version": order.version}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "title": "改 2"}).status_code == 409
    order.refresh_from_db()
    assert order.title == "改 1"


def test_attachment_upload_and_bad_type_is_422(rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = order_for(rep)
    client = web_client(rep)
    url = reverse("orders:attachment-upload", args=[order.pk])
    ok = client.post(url, {"files": [SimpleUploadedFile("scan.pdf", b"%PDF-1.7")]},
                     headers=HTMX)
    assert ok.status_code == 200
    assert "scan.pdf" in ok.content.decode()
    bad = client.post(url, {"files": [SimpleUploadedFile("a.exe", b"MZ")]}, headers=HTMX)
    assert bad.status_code == 422
    attachment = order.attachments.get()
    download = client.get(reverse("orders:attachment", args=[attachment.pk]))
    assert download.status_code == 200


def test_overdue_list_page(rep):
    order = order_for(rep, amount="100")
    services.instalment_create(actor=actor_for(rep), order=order, values={
        "due_on": timezone.localdate() - datetime.timedelta(days=9), "amount": Decimal("100")})
    page = web_client(rep).get(reverse("orders:overdue-list"))
    assert page.status_code == 200
    assert order.number in page.content.decode()


def test_customer_360_shows_orders_and_figures(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user)
    order = order_for(rep, amount="2000", customer=customer,
                      signed_on=datetime.date(2026, 4, 8))
    services.payment_create(actor=actor_for(rep), order=order, values={"amount": Decimal("500")})
    page = web_client(rep).get(reverse("customers:customer-detail", args=[customer.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert order.number in html
    assert "¥2,000.00" in html and "¥500.00" in html

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders.models import Order
from kehu.orders.tests.factories import order_for, won_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


def test_create_from_a_won_opportunity_plan_pay_and_read_back(rep):
    client = api_client(rep)
    opportunity = won_opportunity(rep, lines=[("许可", "1", "10000")])
    response = client.post("/api/v1/orders", {"opportunity_id": opportunity.pk,
                                              "starts_on": "2026-01-01",
                                              "ends_on": "2026-12-31"})
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["amount"] == "10000.00" and len(order["lines"]) == 1
    patched = client.patch(f"/api/v1/orders/{order['id']}", {
        "status": "signed", "signed_on": "2026-01-05", "version": order["version"]})
    assert patched.status_code == 200, patched.json()
    split = client.post(f"/api/v1/orders/{order['id']}/instalments/split",
                        {"count": 2, "first_due_on": "2026-02-01"})
    assert split.status_code == 201
    first = split.json()[0]
    paid = client.post(f"/api/v1/orders/{order['id']}/payments",
                       {"amount": "5000", "instalment_id": first["id"], "method": "alipay"})
    assert paid.status_code == 201
    detail = client.get(f"/api/v1/orders/{order['id']}").json()
    assert (detail["collected_amount"], detail["outstanding_amount"]) == ("5000.00", "5000.00")
    assert [i["outstanding_amount"] for i in detail["instalments"]] == ["0.00", "5000.00"]
    listed = client.get("/api/v1/orders", status="signed").json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]


def test_an_overpayment_is_409_until_confirmed(rep):
    client = api_client(rep)
    order = order_for(rep, amount="100")
    response = client.post(f"/api/v1/orders/{order.pk}/payments", {"amount": "100.01"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "overpayment"
    response = client.post(f"/api/v1/orders/{order.pk}/payments",
                           {"amount": "100.01", "allow_overpayment": True})
    assert response.status_code == 201


def test_a_duplicate_invoice_number_is_422_on_the_number(rep):
    client = api_client(rep)
    order = order_for(rep, amount="1000")
    assert client.post(f"/api/v1/orders/{order.pk}/invoices",
                       {"number": "No.8801", "amount": "100"}).status_code == 201
    response = client.post(f"/api/v1/orders/{order.pk}/invoices",
                           {"number": "No.8801", "amount": "100"})
    assert response.status_code == 422
    assert "number" in response.json()["error"]["fields"]
    over = client.post(f"/api/v1/orders/{order.pk}/invoices",
                       {"number": "No.8802", "amount": "900.01"})
    assert over.status_code == 422
    assert "amount" in over.json()["error"]["fields"]


def test_a_stale_version_is_409(rep):
    client = api_client(rep)
    order = order_for(rep)
    assert client.patch(f"/api/v1/orders/{order.pk}", {"title": "新标题",
                                                       "version": order.version}).status_code == 200
    response = client.patch(f"/api/v1/orders/{order.pk}", {"title": "旧的",
                                                           "version": order.version})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"


def test_a_rep_sees_only_their_own_orders(org, rep):
    other = member(org, "sales_rep")
    mine, theirs = order_for(rep), order_for(other)
    client = api_client(rep)
    assert [o["id"] for o in client.get("/api/v1/orders").json()["items"]] == [mine.pk]
    assert client.get(f"/api/v1/orders/{theirs.pk}").status_code == 404
    assert client.post(f"/api/v1/orders/{theirs.pk}/payments",
                       {"amount": "1"}).status_code == 404


def test_another_organizations_order_is_404(rep):
    foreign = order_for(admin_of(OrganizationFactory()))
    client = api_client(rep)
    assert client.get(f"/api/v1/orders/{foreign.pk}").status_code == 404
    assert client.delete(f"/api/v1/orders/{foreign.pk}").status_code == 404


def test_a_rep_may_not_delete_orders(rep):
    order = order_for(rep)
    assert api_client(rep).delete(f"/api/v1/orders/{order.pk}").status_code == 403


def test_direct_create_with_lines_and_customer_summary(org, rep):
    client = api_client(rep)
    customer = CustomerFactory(organization=org, owner=rep.user)
    response = client.post("/api/v1/orders", {
        "customer_id": customer.pk, "title": "备件",
        "lines": [{"name": "硬盘", "quantity": "3", "unit_price": "100", "tax_rate": "13"}]})
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["amount"] == "339.00"
    client.patch(f"/api/v1/orders/{order['id']}", {"status": "signed",
                                                   "signed_on": "2026-04-01",
                                                   "version": order["version"]})
    summary = client.get(f"/api/v1/orders/customers/{customer.pk}/summary").json()
    assert (summary["count"], summary["amount"], summary["last_signed_on"]) == (
        1, "339.00", "2026-04-01")
    assert client.post("/api/v1/orders", {"title": "无客户"}).status_code == 422


def test_instalments_payments_and_invoices_can_be_deleted(org, rep):
    client = api_client(rep)
    admin = api_client(admin_of(org))
    order = order_for(rep, amount="300")
    instalment = client.post(f"/api/v1/orders/{order.pk}/instalments",
                             {"due_on": "2026-06-01", "amount": "300"}).json()
    payment = client.post(f"/api/v1/orders/{order.pk}/payments",
                          {"amount": "300", "instalment_id": instalment["id"]}).json()
    invoice = client.post(f"/api/v1/orders/{order.pk}/invoices",
                          {"number": "F-1", "amount": "300"}).json()
    blocked = client.delete(f"/api/v1/orders/instalments/{instalment['id']}")
    assert blocked.status_code == 409
    assert client.delete(f"/api/v1/orders/payments/{payment['id']}").status_code == 204
    assert client.delete(f"/api/v1/orders/invoices/{invoice['id']}").status_code == 204
    assert client.delete(f"/api/v1/orders/instalments/{instalment['id']}").status_code == 204
    order.refresh_from_db()
    assert (order.collected_amount, order.invoiced_amount) == (0, 0)
    assert admin.delete(f"/api/v1/orders/{order.pk}").status_code == 204
    assert Order.objects.get(pk=order.pk).deleted_at is not None


def test_attachments_upload_download_and_bad_types(rep):
    client = api_client(rep)
    order = order_for(rep)
    pdf = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    response = client.client.post(f"/api/v1/orders/{order.pk}/attachments", {"files": [pdf]})
    assert response.status_code == 201, response.json()
    url = response.json()[0]["url"]
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    bad = client.client.post(f"/api/v1/orders/{order.pk}/attachments", {"files": [exe]})
    assert bad.status_code == 422
    assert "files" in bad.json()["error"]["fields"]


def test_overdue_list(rep):
    client = api_client(rep)
    order = order_for(rep, amount="100")
    client.post(f"/api/v1/orders/{order.pk}/instalments",
                {"due_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
                 "amount": "100"})
    items = client.get("/api/v1/orders/overdue").json()["items"]
    assert [(i["order_number"], i["outstanding_amount"]) for i in items] == [
        (order.number, "100.00")]

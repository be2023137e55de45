"""What the API fuzzing found, pinned down: each of these answered 500 before."""

import pytest

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client
from kehu.customers.models import Customer
from kehu.orders.tests.factories import order_for

pytestmark = pytest.mark.django_db

TOO_BIG = 2**80


@pytest.fixture
def admin():
    return admin_of(OrganizationFactory())


def test_null_for_a_text_field_stores_it_empty(admin):
    response = api_client(admin).post("/api/v1/customers", {"name": "深圳客户", "notes": None,
                                                            "short_name": None})
    assert response.status_code == 201
    assert Customer.objects.get(pk=response.json()["id"]).notes == ""


def test_null_in_a_custom_field_patch_leaves_the_value(admin):
    client = api_client(admin)
    created = client.post("/api/v1/custom-fields", {
        "object_type": "customers.customer", "key": "region", "label": "区域", "kind": "text",
        "help_text": "华东或华南"}).json()
    response = client.patch(f"/api/v1/custom-fields/{created['id']}", {"help_text": None})
    assert response.status_code == 200
    assert response.json()["help_text"] == "华东或华南"


def test_an_id_too_large_for_the_database_is_not_found_or_invalid(admin):
    client = api_client(admin)
    assert client.get(f"/api/v1/customers/{TOO_BIG}").status_code == 404
    response = client.post("/api/v1/customers/bulk/delete", {"customer_ids": [TOO_BIG]})
    # SQLite cannot bind the number (422); PostgreSQL compares it and finds nothing
    assert (response.status_code, response.json()) in (
        (422, {"error": {"code": "invalid", "message": response.json().get("error", {})
                         .get("message")}}),
        (200, {"count": 0}))


def test_an_amount_too_large_to_round_is_invalid(admin):
    order = order_for(admin)
    response = api_client(admin).post(f"/api/v1/orders/{order.pk}/invoices",
                                      {"number": "FP-1", "amount": "4.8e89"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_the_schema_documents_the_error_answers_in_the_error_shape():
    from kehu.config.api import api

    operation = api.get_openapi_schema(path_prefix="/api/v1/")["paths"][
        "/api/v1/customers/{customer_id}"]["patch"]
    assert {"401", "403", "404", "409", "422", "428"} <= {str(s) for s in
                                                          operation["responses"]}
    assert operation["responses"][404]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}

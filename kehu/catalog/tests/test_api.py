import pytest

from kehu.catalog.tests.factories import ProductFactory
from kehu.core.common.testing import OrganizationFactory, api_client, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def manager(org):
    return api_client(member(org, "sales_manager"))


def test_products_crud_with_duplicate_sku_error(manager):
    created = manager.post("/api/v1/catalog/products", {
        "sku": "CRM-PRO", "name": "客户管理系统 专业版", "list_price": "19999.50",
        "tax_rate": "6", "unit": "套"})
    assert created.status_code == 201, created.content
    product = created.json()
    assert (product["list_price"], product["tax_rate"]) == ("19999.50", "6.0000")
    dup = manager.post("/api/v1/catalog/products", {"sku": "CRM-PRO", "name": "x",
                                                    "list_price": "1"})
    assert dup.status_code == 422
    assert "sku" in dup.json()["error"]["fields"]
    patched = manager.patch(f"/api/v1/catalog/products/{product['id']}",
                            {"list_price": "18000", "version": 1})
    assert patched.json()["list_price"] == "18000.00"
    found = manager.get("/api/v1/catalog/products", q="crm-pro").json()["items"]
    assert [p["sku"] for p in found] == ["CRM-PRO"]
    assert manager.delete(f"/api/v1/catalog/products/{product['id']}").status_code == 204


def test_reps_read_but_do_not_write(org):
    rep = api_client(member(org, "sales_rep"))
    ProductFactory(organization=org, sku="A-1")
    assert [p["sku"] for p in rep.get("/api/v1/catalog/products").json()["items"]] == ["A-1"]
    response = rep.post("/api/v1/catalog/products", {"sku": "B", "name": "B",
                                                     "list_price": "1"})
    assert response.status_code == 403


def test_another_organizations_product_is_404(manager):
    foreign = ProductFactory(organization=OrganizationFactory())
    assert manager.get(f"/api/v1/catalog/products/{foreign.pk}").status_code == 404


def test_categories_and_price_books(org, manager):
    top = manager.post("/api/v1/catalog/categories", {"name": "硬件"}).json()
    child = manager.post("/api/v1/catalog/categories", {"name": "服务器",
                                                        "parent_id": top["id"]})
    assert child.status_code == 201
    assert [c["name"] for c in manager.get("/api/v1/catalog/categories").json()] == [
        "硬件", "服务器"]
    product = ProductFactory(organization=org)
    book = manager.post("/api/v1/catalog/price-books", {"name": "A级客户",
                                                        "customer_level": "a"}).json()
    price = manager.put(f"/api/v1/catalog/price-books/{book['id']}/prices/{product.pk}",
                        {"price": "75.5"})
    assert price.json()["price"] == "75.50"
    listed = manager.get(f"/api/v1/catalog/price-books/{book['id']}/prices").json()
    assert [(p["product_id"], p["price"]) for p in listed] == [(product.pk, "75.50")]

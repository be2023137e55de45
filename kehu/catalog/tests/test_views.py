import pytest

from kehu.catalog.models import Product
from kehu.catalog.tests.factories import ProductFactory
from kehu.core.common.testing import OrganizationFactory, member, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


def test_product_list_filters_by_search_and_hides_inactive(org):
    ProductFactory(organization=org, name="标准版", sku="STD")
    ProductFactory(organization=org, name="旧版", sku="OLD", is_active=False)
    client = web_client(member(org, "sales_rep"))
    page = client.get("/products/").content.decode()
    assert "标准版" in page and "旧版" not in page
    page = client.get("/products/", {"q": "old", "active": "all"}).content.decode()
    assert "旧版" in page and "标准版" not in page


def test_manager_creates_a_product_and_a_duplicate_sku_is_shown_on_the_form(org):
    client = web_client(member(org, "sales_manager"))
    data = {"sku": "S-1", "name": "实施服务", "unit": "人天", "list_price": "1500",
            "currency": "CNY", "tax_rate": "6", "is_active": "on"}
    response = client.post("/products/new/", data)
    assert response.status_code == 302
    assert Product.objects.get(organization=org, sku="S-1").name == "实施服务"
    again = client.post("/products/new/", {**data, "name": "另一个"})
    assert again.status_code == 422
    assert "S-1" in again.content.decode()


def test_reps_cannot_open_the_create_page(org):
    client = web_client(member(org, "sales_rep"))
    assert client.get("/products/new/").status_code == 403


def test_price_book_page_saves_prices(org):
    product = ProductFactory(organization=org)
    client = web_client(member(org, "sales_manager"))
    response = client.post("/products/price-books/", {"name": "A级", "customer_level": "a",
                                                      "currency": "CNY", "is_active": "on"})
    assert response.status_code == 302
    url = response["Location"]
    bad = client.post(url, {"part": "prices", f"price-{product.pk}": "abc"})
    assert bad.status_code == 422
    assert client.post(url, {"part": "prices", f"price-{product.pk}": "66"}).status_code == 302
    assert "66.00" in client.get(url).content.decode()


def test_categories_detail_and_edit_pages(org):
    client = web_client(member(org, "sales_manager"))
    assert client.post("/products/categories/", {"name": "软件"}).status_code == 302
    assert client.post("/products/categories/", {"name": "软件"}).status_code == 422
    product = ProductFactory(organization=org, name="<b>标准版</b>")
    detail = client.get(f"/products/{product.pk}/").content.decode()
    assert "&lt;b&gt;标准版&lt;/b&gt;" in detail
    response = client.post(f"/products/{product.pk}/edit/", {
        "version": product.version, "sku": product.sku, "name": "标准版", "list_price": "-1",
        "currency": "CNY", "tax_rate": "13"})
    assert response.status_code == 422
    response = client.post(f"/products/{product.pk}/edit/", {
        "version": product.version, "sku": product.sku, "name": "标准版", "list_price": "10",
        "currency": "CNY", "tax_rate": "13"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.is_active) == ("标准版", False)


def test_another_organizations_product_page_is_404(org):
    client = web_client(member(org, "sales_rep"))
    foreign = ProductFactory(organization=OrganizationFactory())
    assert client.get(f"/products/{foreign.pk}/").status_code == 404

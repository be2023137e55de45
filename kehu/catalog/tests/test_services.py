from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.catalog import selectors, services
from kehu.catalog.models import Product
from kehu.catalog.tests.factories import PriceBookEntryFactory, PriceBookFactory, ProductFactory
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def manager(org):
    return actor_for(member(org, "sales_manager"))


def test_create_product_and_refuse_a_duplicate_sku(org, manager):
    product = services.product_create(actor=manager, values={
        "sku": "CRM-STD", "name": "客户管理系统 标准版", "unit": "套",
        "list_price": Decimal("9999.00"), "tax_rate": Decimal("13")})
    assert (product.currency, product.is_active) == ("CNY", True)
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=manager, values={
            "sku": "crm-std", "name": "重复", "list_price": Decimal("1")})
    assert "sku" in exc.value.message_dict


def test_a_rep_cannot_create_products(org):
    rep = actor_for(member(org, "sales_rep"))
    with pytest.raises(PermissionDeniedError):
        services.product_create(actor=rep, values={"sku": "X", "name": "X",
                                                   "list_price": Decimal("1")})


def test_price_for_uses_the_level_book_then_the_default_book_then_the_list_price(org, manager):
    product = ProductFactory(organization=org, list_price=Decimal("100.00"))
    level_a = PriceBookFactory(organization=org, customer_level="a")
    default = PriceBookFactory(organization=org, customer_level="")
    PriceBookEntryFactory(price_book=level_a, product=product, price=Decimal("80.00"))
    a_customer = CustomerFactory(organization=org, level="a")
    b_customer = CustomerFactory(organization=org, level="b")

    assert selectors.price_for(actor=manager, product=product, customer=a_customer) \
        == Decimal("80.00")
    assert selectors.price_for(actor=manager, product=product, customer=b_customer) \
        == Decimal("100.00")
    PriceBookEntryFactory(price_book=default, product=product, price=Decimal("95.00"))
    assert selectors.price_for(actor=manager, product=product, customer=b_customer) \
        == Decimal("95.00")


def test_inactive_price_books_are_ignored(org, manager):
    product = ProductFactory(organization=org)
    book = PriceBookFactory(organization=org, customer_level="a", is_active=False)
    PriceBookEntryFactory(price_book=book, product=product, price=Decimal("1.00"))
    customer = CustomerFactory(organization=org, level="a")
    assert selectors.price_for(actor=manager, product=product, customer=customer) \
        == product.list_price


def test_delete_removes_an_unused_product(org, manager):
    product = ProductFactory(organization=org)
    assert services.product_delete(actor=manager, product=product) is True
    assert not Product.objects.filter(pk=product.pk).exists()


def test_categories_nest_one_level(org):
    admin = actor_for(admin_of(org))
    top = services.category_create(actor=admin, values={"name": "软件"})
    child = services.category_create(actor=admin, values={"name": "SaaS", "parent": top})
    with pytest.raises(ValidationError) as exc:
        services.category_create(actor=admin, values={"name": "深层", "parent": child})
    assert "parent" in exc.value.message_dict
    assert [c.name for c in selectors.category_tree(actor=admin)] == ["软件", "SaaS"]


def test_price_book_prices_can_be_set_and_removed(org, manager):
    product = ProductFactory(organization=org)
    book = services.pricebook_create(actor=manager, values={"name": "A级", "customer_level": "a"})
    entry = services.pricebook_price_set(actor=manager, pricebook=book, product=product,
                                         price=Decimal("88.8"))
    assert entry.price == Decimal("88.80")
    services.pricebook_price_set(actor=manager, pricebook=book, product=product, price=None)
    assert not selectors.pricebook_entries(actor=manager, pricebook=book).exists()

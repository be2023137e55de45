from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kehu.catalog.models import PriceBook, PriceBookEntry, Product, ProductCategory


class ProductCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ProductCategory

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(DjangoModelFactory):
    """A product written directly (no audit): pass `organization`."""

    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    unit = "套"
    list_price = Decimal("100.00")
    tax_rate = Decimal("13")


class PriceBookFactory(DjangoModelFactory):
    class Meta:
        model = PriceBook

    name = factory.Sequence(lambda n: f"价格表{n}")
    customer_level = ""


class PriceBookEntryFactory(DjangoModelFactory):
    class Meta:
        model = PriceBookEntry

    organization = factory.SelfAttribute("price_book.organization")

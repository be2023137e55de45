"""Reads of products, categories and price books, always through the central scoping."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from kehu.catalog.models import PriceBook, PriceBookEntry, Product, ProductCategory
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor


def product_list(*, actor: Actor, q: str = "", category_id: int | None = None,
                 active: bool | None = None, action: str = "view") -> QuerySet[Product]:
    """Products by name; `q` matches the name or the SKU, a category includes its children."""
    qs = scoping.visible(actor, Product.objects.all(), action).select_related(
        "category", "category__parent")
    if q:
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(sku__icontains=q.strip()))
    if category_id:
        qs = qs.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("name", "id")


def product_get(*, actor: Actor, product_id: object, action: str = "view") -> Product:
    return scoping.get_visible(actor, Product.objects.select_related("category"), product_id,
                               action)


def category_list(*, actor: Actor) -> QuerySet[ProductCategory]:
    return scoping.visible(actor, ProductCategory.objects.select_related("parent")) \
        .order_by("name", "id")


def category_tree(*, actor: Actor) -> list[ProductCategory]:
    """Top-level categories, each followed by its children (one level of nesting)."""
    categories = list(category_list(actor=actor))
    children: dict[int | None, list[ProductCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[ProductCategory] = []
    for top in children.get(None, []):
        ordered.append(top)
        ordered.extend(children.get(top.pk, []))
    return ordered


def category_choices(*, actor: Actor) -> list[tuple[int, str]]:
    return [(c.pk, ("\u3000" if c.parent_id else "") + c.name)
            for c in category_tree(actor=actor)]


def category_get(*, actor: Actor, category_id: object, action: str = "view") -> ProductCategory:
    return scoping.get_visible(actor, ProductCategory.objects.all(), category_id, action)


def pricebook_list(*, actor: Actor, active: bool | None = None) -> QuerySet[PriceBook]:
    qs = scoping.visible(actor, PriceBook.objects.all())
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("customer_level", "name", "id")


def pricebook_get(*, actor: Actor, pricebook_id: object, action: str = "view") -> PriceBook:
    return scoping.get_visible(actor, PriceBook.objects.all(), pricebook_id, action)


def pricebook_entries(*, actor: Actor, pricebook: PriceBook) -> QuerySet[PriceBookEntry]:
    return (scoping.visible(actor, PriceBookEntry.objects.filter(price_book=pricebook))
            .select_related("product").order_by("product__name", "product_id"))


def pricebook_for(*, actor: Actor, customer) -> PriceBook | None:
    """The active price book of the customer's level (A/B/C/D), else the default one (no
    level), else None."""
    books = pricebook_list(actor=actor, active=True)
    level = getattr(customer, "level", "") or ""
    if level:
        book = books.filter(customer_level=level).first()
        if book is not None:
            return book
    return books.filter(customer_level="").first()


def price_quote(*, actor: Actor, product: Product, customer=None) -> tuple[Decimal,
                                                                           PriceBook | None]:
    """(unit price, the book it came from): the entry in the book of the customer's level,
    else in the default book, else the product's list price (book None)."""
    level = getattr(customer, "level", "") or ""
    entries = scoping.visible(actor, PriceBookEntry.objects.filter(
        product=product, price_book__is_active=True)).select_related("price_book")
    by_level: dict[str, PriceBookEntry] = {}
    for e in entries.order_by("price_book__name", "price_book_id"):
        by_level.setdefault(e.price_book.customer_level, e)
    entry = by_level.get(level) if level else None
    entry = entry or by_level.get("")
    if entry is None:
        return product.list_price, None
    return entry.price, entry.price_book


def price_for(*, actor: Actor, product: Product, customer=None) -> Decimal:
    """The unit price this customer gets for the product (see `price_quote`)."""
    return price_quote(actor=actor, product=product, customer=customer)[0]

"""Writes of the product catalog: products, categories, price books and their prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kehu.catalog.models import PriceBook, PriceBookEntry, Product, ProductCategory
from kehu.core.audit import services as audit
from kehu.core.common import money, records
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor


def _clean_text(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _check_sku(actor: Actor, sku: str | None, exclude_pk: int | None = None) -> None:
    if not sku:
        return
    taken = Product.objects.filter(organization=actor.organization, sku__iexact=sku)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"sku": _("Another product already uses the SKU “%(sku)s”.")
                               % {"sku": sku}})


def _check_category(actor: Actor, values: dict[str, Any]) -> None:
    category = values.get("category")
    if category is not None and category.organization_id != actor.organization.pk:
        raise ValidationError({"category": _("Choose a category of this organization.")})


def _check_numbers(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    price = values.get("list_price")
    if price is not None and price < 0:
        errors["list_price"] = _("A price cannot be negative.")
    rate = values.get("tax_rate")
    if rate is not None and not (0 <= rate <= 100):
        errors["tax_rate"] = _("Enter a rate between 0 and 100.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, actor: Actor, values: dict[str, Any],
                   custom: dict[str, Any] | None = None) -> Product:
    values = _clean_text(values)
    values.setdefault("currency", actor.organization.default_currency)
    _check_sku(actor, values.get("sku"))
    _check_category(actor, values)
    _check_numbers(values)
    product = records.create_record(actor=actor, model=Product, values=values, custom=custom)
    product.refresh_from_db()
    return product


@transaction.atomic
def product_update(*, actor: Actor, product: Product, values: dict[str, Any],
                   custom: dict[str, Any] | None = None, version: int | None = None) -> Product:
    values = _clean_text(values)
    if "sku" in values:
        _check_sku(actor, values["sku"], exclude_pk=product.pk)
    _check_category(actor, values)
    _check_numbers(values)
    product = records.update_record(actor=actor, instance=product, values=values,
                                    custom=custom, version=version)
    product.refresh_from_db()
    return product


@transaction.atomic
def product_delete(*, actor: Actor, product: Product) -> bool:
    """Delete an unused product; one that quotes, orders or opportunities use is deactivated
    instead (their lines keep pointing at it). Returns True when it was deleted."""
    scoping.require(actor, "delete", Product)
    try:
        with transaction.atomic():
            records.delete_record(actor=actor, instance=product)
        return True
    except ProtectedError:
        pass
    if product.is_active:
        records.update_record(actor=actor, instance=product, values={"is_active": False})
    return False


# -- categories -------------------------------------------------------------------------------

def _save_plain(actor: Actor, instance: models.Model, before: dict[str, Any] | None) -> None:
    instance.full_clean(exclude=["organization"], validate_unique=False)
    instance.save()
    audit.change_record(actor=actor, action="create" if before is None else "update",
                        instance=instance, before=before, after=audit.snapshot(instance))


def _category_values(actor: Actor, category: ProductCategory, values: dict[str, Any]) -> None:
    values = _clean_text(values)
    for name, value in values.items():
        setattr(category, name, value)
    parent = category.parent
    if parent is not None:
        if parent.organization_id != actor.organization.pk:
            raise ValidationError({"parent": _("Choose a category of this organization.")})
        if parent.parent_id is not None or parent.pk == category.pk:
            raise ValidationError({"parent": _("Choose a top-level category: categories nest "
                                               "one level deep.")})
        if category.pk and category.children.exists():
            raise ValidationError({"parent": _("This category has sub-categories, so it must "
                                               "stay at the top level.")})
    clash = ProductCategory.objects.filter(organization=actor.organization,
                                           parent=category.parent,
                                           name__iexact=category.name)
    if category.pk:
        clash = clash.exclude(pk=category.pk)
    if category.name and clash.exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})


@transaction.atomic
def category_create(*, actor: Actor, values: dict[str, Any]) -> ProductCategory:
    scoping.require(actor, "create", ProductCategory)
    category = ProductCategory(organization=actor.organization)
    _category_values(actor, category, values)
    _save_plain(actor, category, None)
    return category


@transaction.atomic
def category_update(*, actor: Actor, category: ProductCategory,
                    values: dict[str, Any]) -> ProductCategory:
    scoping.require(actor, "edit", ProductCategory)
    before = audit.snapshot(category)
    _category_values(actor, category, values)
    _save_plain(actor, category, before)
    return category


@transaction.atomic
def category_delete(*, actor: Actor, category: ProductCategory) -> None:
    """Products of the category keep existing without a category; sub-categories must go
    first."""
    scoping.require(actor, "delete", ProductCategory)
    if category.children.exists():
        raise ValidationError({"parent": _("Delete or move its sub-categories first.")})
    before = audit.snapshot(category)
    pk = category.pk
    category.delete()
    category.pk = pk
    audit.change_record(actor=actor, action="delete", instance=category, before=before,
                        after=None)


# -- price books -------------------------------------------------------------------------------

def _pricebook_values(actor: Actor, book: PriceBook, values: dict[str, Any]) -> None:
    for name, value in _clean_text(values).items():
        setattr(book, name, value)
    if book.customer_level not in ("", "a", "b", "c", "d"):
        raise ValidationError({"customer_level": _("Choose A, B, C, D or no level.")})
    clash = PriceBook.objects.filter(organization=actor.organization, name__iexact=book.name)
    if book.pk:
        clash = clash.exclude(pk=book.pk)
    if book.name and clash.exists():
        raise ValidationError({"name": _("A price book with this name already exists.")})


@transaction.atomic
def pricebook_create(*, actor: Actor, values: dict[str, Any]) -> PriceBook:
    scoping.require(actor, "create", PriceBook)
    values = dict(values)
    values.setdefault("currency", actor.organization.default_currency)
    book = PriceBook(organization=actor.organization)
    _pricebook_values(actor, book, values)
    _save_plain(actor, book, None)
    return book


@transaction.atomic
def pricebook_update(*, actor: Actor, pricebook: PriceBook, values: dict[str, Any]) -> PriceBook:
    scoping.require(actor, "edit", PriceBook)
    before = audit.snapshot(pricebook)
    _pricebook_values(actor, pricebook, values)
    _save_plain(actor, pricebook, before)
    return pricebook


@transaction.atomic
def pricebook_delete(*, actor: Actor, pricebook: PriceBook) -> None:
    scoping.require(actor, "delete", PriceBook)
    before = audit.snapshot(pricebook)
    pk = pricebook.pk
    pricebook.delete()
    pricebook.pk = pk
    audit.change_record(actor=actor, action="delete", instance=pricebook, before=before,
                        after=None)


@transaction.atomic
def pricebook_price_set(*, actor: Actor, pricebook: PriceBook, product: Product,
                        price: Decimal | None) -> PriceBookEntry | None:
    """Set the book's price of a product; None removes it (the list price applies again)."""
    scoping.require(actor, "edit", PriceBook)
    if product.organization_id != actor.organization.pk:
        raise ValidationError({"product": _("Choose a product of this organization.")})
    entry = PriceBookEntry.objects.filter(price_book=pricebook, product=product).first()
    if price is None:
        if entry is not None:
            entry.delete()
        return None
    price = money.to_decimal(price)
    if price < 0:
        raise ValidationError({"price": _("A price cannot be negative.")})
    before = audit.snapshot(entry) if entry is not None else None
    if entry is None:
        entry = PriceBookEntry(organization=actor.organization, price_book=pricebook,
                               product=product)
    entry.price = money.quantize(price, pricebook.currency)
    _save_plain(actor, entry, before)
    return entry

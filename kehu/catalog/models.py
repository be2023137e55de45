"""Products (产品) and price books (价格表) per customer level."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.core.common.models import BusinessRecord
from kehu.core.tenancy.models import OrganizationScopedModel


class ProductCategory(OrganizationScopedModel):
    permission_object_type = "catalog.product"

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent category"))

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "parent", "name"],
                                               name="productcategory_unique_name")]

    def __str__(self) -> str:
        return self.name


class Product(BusinessRecord):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    list_price = money.amount_field(_("list price"))
    currency = money.currency_field()
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=7,
                                   decimal_places=money.RATE_PLACES, default=13)
    category = models.ForeignKey(ProductCategory, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="products",
                                 verbose_name=_("category"))
    description = models.TextField(_("description"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "sku"],
                                               name="product_unique_sku")]
        indexes = [models.Index(fields=["organization", "is_active", "name"],
                                name="product_org_active_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PriceBook(OrganizationScopedModel):
    """Prices for customers of one level (A/B/C/D); no level means the default book."""

    permission_object_type = "catalog.product"

    name = models.CharField(_("name"), max_length=100)
    customer_level = models.CharField(_("customer level"), max_length=2, blank=True,
                                      default="")
    currency = money.currency_field()
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price book")
        verbose_name_plural = _("price books")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="pricebook_unique_name")]

    def __str__(self) -> str:
        return self.name


class PriceBookEntry(OrganizationScopedModel):
    permission_object_type = "catalog.product"

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries",
                                   verbose_name=_("price book"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices",
                                verbose_name=_("product"))
    price = money.amount_field(_("price"))

    class Meta:
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book entries")
        constraints = [models.UniqueConstraint(fields=["price_book", "product"],
                                               name="pricebookentry_unique_product")]

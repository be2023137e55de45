"""Forms of the catalog pages: they parse input only; services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.catalog.models import ProductCategory
from kehu.core.common import money

LEVEL_CHOICES = [("", _("Default (all levels)")), ("a", _("Level A")), ("b", _("Level B")),
                 ("c", _("Level C")), ("d", _("Level D"))]


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int,
                                      empty_value=None)
    active = forms.ChoiceField(label=_("Status"), required=False, initial="1", choices=[
        ("1", _("Active")), ("0", _("Inactive")), ("all", _("All"))])

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]

    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active") or "1"
        return None if value == "all" else value == "1"


class ProductForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False,
                           help_text=_("E.g. piece, set, year, user."))
    list_price = forms.DecimalField(label=_("List price"), max_digits=money.AMOUNT_DIGITS,
                                    decimal_places=money.AMOUNT_PLACES, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=money.Currency.choices)
    tax_rate = forms.DecimalField(label=_("Tax rate (%)"), max_digits=7,
                                  decimal_places=money.RATE_PLACES, min_value=0, max_value=100,
                                  initial=13)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int,
                                      empty_value=None)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]

    def values(self, organization) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        category_id = data.pop("category")
        data["category"] = (ProductCategory.objects.filter(organization=organization,
                                                           pk=category_id).first()
                            if category_id else None)
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.TypedChoiceField(label=_("Parent category"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args: Any, parents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("None (top level)")), *parents]


class PriceBookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    customer_level = forms.ChoiceField(label=_("Customer level"), choices=LEVEL_CHOICES,
                                       required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=money.Currency.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

"""Forms of the quote pages: they parse input only; services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.quotes.models import Quote, QuoteSettings

STATUS_CHOICES = [("", _("All statuses")), *Quote.Status.choices]


class QuoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    awaiting = forms.BooleanField(label=_("Awaiting my approval"), required=False)


class QuoteCreateForm(forms.Form):
    opportunity = forms.TypedChoiceField(label=_("Opportunity"), coerce=int)
    copy_lines = forms.BooleanField(label=_("Copy the opportunity's product lines"),
                                    required=False, initial=True)

    def __init__(self, *args: Any, opportunities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].choices = [("", "—"), *opportunities]


class QuoteHeaderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    contact = forms.TypedChoiceField(label=_("Contact"), coerce=int, required=False,
                                     empty_value=None)
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    terms = forms.CharField(label=_("Terms"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, contacts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—"), *contacts]


def _rate(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=7, decimal_places=money.RATE_PLACES,
                              min_value=0, max_value=100, required=False)


class LineForm(forms.Form):
    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False,
                                     empty_value=None)
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Leave empty to use the product's name."))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3,
                                  min_value=0, initial=1)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=money.AMOUNT_DIGITS,
                                    decimal_places=money.AMOUNT_PLACES, min_value=0,
                                    required=False,
                                    help_text=_("Empty: the customer's price-book price."))
    discount_percent = _rate(_("Discount (%)"))
    tax_rate = _rate(_("Tax rate (%)"))

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("Free line (no product)")), *products]

    def values(self, product) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "product"}
        data["product"] = product
        data = {k: v for k, v in data.items() if v not in (None, "") or k == "product"}
        data.setdefault("discount_percent", money.ZERO)
        return data


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class QuoteSettingsForm(forms.ModelForm):
    approver = forms.TypedChoiceField(label=_("Approver"), coerce=int, required=False,
                                      empty_value=None,
                                      help_text=_("Without one, any organization admin "
                                                  "approves."))

    class Meta:
        model = QuoteSettings
        fields = ["approval_threshold", "approver", "validity_days", "company_name",
                  "company_address", "company_phone", "tax_number", "bank_account",
                  "default_terms"]
        widgets = {"default_terms": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approver"].choices = [("", _("Organization admins")), *members]
        if self.instance.approver_id:
            self.initial["approver"] = self.instance.approver_id

    def _post_clean(self) -> None:  # the service validates and saves
        pass

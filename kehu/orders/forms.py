"""Forms of the order pages. They parse input only; services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.customers.forms_360 import MultipleFileField
from kehu.orders.models import Invoice, Order, Payment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=money.AMOUNT_DIGITS,
                              decimal_places=money.AMOUNT_PLACES, min_value=0,
                              widget=forms.NumberInput(attrs={"step": "0.01"}), **kwargs)


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Order.Status.choices])
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OrderForm(forms.Form):
    """Create (direct, from an opportunity or a quote) and edit an order."""

    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, required=True)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=money.Currency.choices)
    amount = amount_field(_("Amount"), required=False)
    starts_on = forms.DateField(label=_("Contract start"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Contract end"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, customers: list[tuple[int, str]] | None = None,
                 source: str = "", editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customers is None or source or editing:
            del self.fields["customer"]
        else:
            self.fields["customer"].choices = [("", _("Choose a customer…")), *customers]
        if source or editing:
            # the amount and currency come from the opportunity or quote; edits keep them
            # unless changed on purpose
            self.fields["currency"].required = False
        if source:
            del self.fields["amount"]
            del self.fields["currency"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("customer", None)
        if data.get("amount") is None:
            data.pop("amount", None)
        if not data.get("currency"):
            data.pop("currency", None)
        return data


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signing date"), widget=DATE)


class InstalmentForm(forms.Form):
    due_on = forms.DateField(label=_("Due date"), widget=DATE)
    amount = amount_field(_("Amount"))
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)


class SplitForm(forms.Form):
    count = forms.IntegerField(label=_("Instalments"), min_value=1, max_value=60, initial=2)
    first_due_on = forms.DateField(label=_("First due date"), widget=DATE)
    interval_months = forms.IntegerField(label=_("Every (months)"), min_value=0,
                                         max_value=24, initial=1)


class PaymentForm(forms.Form):
    amount = amount_field(_("Amount"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    instalment = forms.TypedChoiceField(label=_("Instalment"), coerce=int, required=False,
                                        empty_value=None)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)
    allow_overpayment = forms.BooleanField(
        label=_("Record it even though it is more than the outstanding amount"),
        required=False)

    def __init__(self, *args: Any, instalments: list = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instalment"].choices = [("", _("No particular instalment"))] + [
            (i.pk, f"#{i.sequence} · {i.due_on:%Y-%m-%d} · {i.amount}") for i in instalments]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("allow_overpayment", None)
        data["instalment_id"] = data.pop("instalment", None)
        return data


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=64)
    kind = forms.ChoiceField(label=_("Type"), choices=Invoice.Kind.choices)
    amount = amount_field(_("Amount"))
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)


class AttachmentForm(forms.Form):
    """Contract scans and other files; the service checks their types and sizes."""

    files = MultipleFileField(label=_("Files"))

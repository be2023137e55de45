"""The person search and the erasure confirmation on the personal data page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    name = forms.CharField(label=_("Name (exact)"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(f, "").strip() for f in ("phone", "email", "name")):
            raise forms.ValidationError(_("Enter a phone number, an email or a name."))
        return data


class EraseForm(PersonForm):
    reason = forms.CharField(label=_("Request reference and reason"), max_length=200,
                             help_text=_("Kept in the audit log; do not repeat the person's "
                                         "details here."))
    records = forms.MultipleChoiceField(
        error_messages={"required": _("Choose the records to erase.")},
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, keys: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = [(k, k) for k in keys]

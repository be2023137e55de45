"""Forms of the task pages: the quick add of "my day"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.tasks.models import Task


class QuickTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200, widget=forms.TextInput(attrs={
        "placeholder": _("What needs doing?"), "autocomplete": "off"}))
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Type"), choices=Task.Kind.choices,
                             initial=Task.Kind.OTHER)
    customer = forms.TypedChoiceField(label=_("Customer"), required=False, coerce=int,
                                      empty_value=None)

    def __init__(self, *args: Any, customers: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"due_on": timezone.localdate(), "kind": Task.Kind.OTHER})
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", _("No customer")),
                                           *((str(pk), name) for pk, name in customers)]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Enter what needs doing."))
        return title

"""Forms of the sales pages: the opportunity form, its product lines, the lost dialog, the
list filters and the pipeline settings. Forms render and collect; services validate and
write (their ValidationErrors are put back on the fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.core.accounts import selectors as accounts
from kehu.core.customfields.forms import CustomFieldsFormMixin
from kehu.core.customfields.models import FieldDefinition
from kehu.sales.models import LostReason, Opportunity, OpportunityLine, Stage

OBJECT_TYPE = "sales.opportunity"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpportunityForm(CustomFieldsFormMixin, forms.ModelForm):
    """Create and edit. The customer is picked by id (a search fills the select); creating
    also picks the pipeline and stage; `can_assign` adds the owner; editing adds the version."""

    customer = forms.TypedChoiceField(label=capfirst(_("customer")), coerce=int)
    contact = forms.TypedChoiceField(label=capfirst(_("contact")), coerce=int, required=False,
                                     empty_value=None)
    pipeline = forms.TypedChoiceField(label=capfirst(_("pipeline")), coerce=int)
    stage = forms.TypedChoiceField(label=capfirst(_("stage")), coerce=int, required=False,
                                   empty_value=None)
    owner = forms.TypedChoiceField(label=capfirst(_("owner")), required=False, coerce=int,
                                   empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = ["name", "amount", "currency", "expected_close_on", "next_step", "competitors",
                  "source", "description"]
        widgets = {"expected_close_on": DATE,
                   "description": forms.Textarea(attrs={"rows": 4}),
                   "amount": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})}

    def __init__(self, *args: Any, organization, definitions: list[FieldDefinition],
                 can_assign: bool, user=None, customers: list[tuple[int, str]],
                 contacts: list[tuple[int, str]], pipelines: list, stages: list[Stage],
                 amount_locked: bool = False, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        creating = instance is None or instance.pk is None
        super().__init__(*args, definitions=definitions, organization=organization,
                         custom_data=None if creating else instance.custom_data, **kwargs)
        self.creating = creating
        self.fields["customer"].choices = [("", "—"), *customers]
        self.fields["contact"].choices = [("", "—"), *contacts]
        if creating:
            self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines]
            self.fields["stage"].choices = [("", _("First stage"))] + [
                (s.pk, f"{s.pipeline.name} · {s.name}") for s in stages]
            del self.fields["version"]
            self.fields["currency"].initial = organization.default_currency
        else:
            del self.fields["pipeline"], self.fields["stage"]
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
            self.fields["customer"].initial = self.instance.customer_id
            self.fields["contact"].initial = self.instance.contact_id
        self.fields["amount"].required = False
        if amount_locked:
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = _("The total of the product lines.")
        if can_assign:
            owner_id = getattr(user, "pk", None) if creating else self.instance.owner_id
            self.fields["owner"].choices = [
                ("", "—"), *accounts.member_choices(organization=organization,
                                                    keep_user_id=owner_id)]
            self.fields["owner"].initial = owner_id
        else:
            del self.fields["owner"]

    def values(self) -> dict[str, Any]:
        """Model values for the service (customer, contact, pipeline, stage as ids)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self._meta.fields
                  if name in data and not self.fields[name].disabled}
        if values.get("amount") is None and "amount" in values:
            values.pop("amount")
        values["customer_id"] = data.get("customer")
        values["contact_id"] = data.get("contact")
        if "owner" in self.fields:
            values["owner_id"] = data.get("owner")
        if self.creating:
            values["pipeline_id"] = data.get("pipeline")
            values["stage_id"] = data.get("stage")
        return values

    def add_service_errors(self, exc, *, aliases=None) -> None:
        super().add_service_errors(exc, aliases={"owner_id": "owner", "team": "owner",
                                                 **(aliases or {})})

    def _post_clean(self) -> None:
        pass  # the service validates the model


class LineForm(forms.ModelForm):
    product = forms.TypedChoiceField(label=capfirst(_("product")), coerce=int, required=False,
                                     empty_value=None)

    class Meta:
        model = OpportunityLine
        fields = ["name", "quantity", "unit_price", "discount_percent", "tax_rate"]
        widgets = {name: forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
                   for name in ("quantity", "unit_price", "discount_percent", "tax_rate")}

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("No product")), *products]
        if self.instance.pk:
            self.fields["product"].initial = self.instance.product_id
        for name in ("name", "unit_price", "quantity", "discount_percent", "tax_rate"):
            self.fields[name].required = False
        self.order_fields(["product", "name", "quantity", "unit_price", "discount_percent",
                           "tax_rate"])

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self._meta.fields}
        values["product_id"] = data.get("product")
        return values

    def _post_clean(self) -> None:
        pass


class LoseForm(forms.Form):
    lost_reason = forms.TypedChoiceField(label=_("Why was it lost?"), coerce=int,
                                         empty_value=None, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, reasons: list[LostReason], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].choices = [("", "—"), *((r.pk, r.name) for r in reasons)]


class OpportunityFilterForm(forms.Form):
    """The list's filters, read from the query string. Never invalid: a value that does not
    fit is ignored."""

    q = forms.CharField(label=_("Search"), required=False)
    pipeline = forms.TypedChoiceField(label=_("pipeline"), required=False, coerce=int,
                                      empty_value=None)
    stage = forms.TypedChoiceField(label=_("stage"), required=False, coerce=int,
                                   empty_value=None)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *Opportunity.Status.choices])
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int,
                                   empty_value=None)
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    close_from = forms.DateField(label=_("Closing from"), required=False, widget=DATE)
    close_to = forms.DateField(label=_("Closing until"), required=False, widget=DATE)
    amount_min = forms.DecimalField(label=_("Amount from"), required=False, min_value=0,
                                    widget=forms.NumberInput(attrs={"step": "any"}))
    amount_max = forms.DecimalField(label=_("Amount up to"), required=False, min_value=0,
                                    widget=forms.NumberInput(attrs={"step": "any"}))
    # set by the analytics drill-down links (kept as hidden fields while filtering)
    currency = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)
    created_from = forms.DateField(required=False, widget=forms.HiddenInput)
    created_to = forms.DateField(required=False, widget=forms.HiddenInput)
    closed_from = forms.DateField(required=False, widget=forms.HiddenInput)
    closed_to = forms.DateField(required=False, widget=forms.HiddenInput)
    reached_stage = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lost_reason = forms.IntegerField(required=False, widget=forms.HiddenInput)

    DRILL_DOWN = ("currency", "created_from", "created_to", "closed_from", "closed_to",
                  "reached_stage", "lost_reason")

    def __init__(self, data, *, pipelines: list, stages: list[Stage],
                 members: list[tuple[str, str]] | None) -> None:
        super().__init__(data)
        self.fields["pipeline"].choices = [("", _("All pipelines")),
                                           *((p.pk, p.name) for p in pipelines)]
        several = len(pipelines) > 1
        self.fields["stage"].choices = [("", _("All stages"))] + [
            (s.pk, f"{s.pipeline.name} · {s.name}" if several else s.name) for s in stages]
        if members is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("All owners")), *members]

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)


class BoardFilterForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int,
                                   empty_value=None)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, data, *, members: list[tuple[str, str]] | None) -> None:
        super().__init__(data)
        if members is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("All owners")), *members]

    def value(self, name: str) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name)


# --- settings --------------------------------------------------------------------------------

class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0,
                                     max_value=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

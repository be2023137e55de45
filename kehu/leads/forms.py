"""Forms of the lead pages. Forms render and collect; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.accounts import selectors as accounts
from kehu.core.customfields.forms import CustomFieldsFormMixin
from kehu.core.customfields.models import FieldDefinition
from kehu.leads.models import AssignmentRule, Lead, LeadActivity, WebForm

EDITABLE_STATUSES = [(v, label) for v, label in Lead.Status.choices
                     if v != Lead.Status.CONVERTED]
WIDE_WIDGETS = ("textarea", "checkboxselectmultiple")


class LeadForm(CustomFieldsFormMixin, forms.ModelForm):
    """Create and edit. `can_assign` adds the owner select; editing adds the hidden version."""

    owner = forms.TypedChoiceField(label=capfirst(_("owner")), required=False, coerce=int,
                                   empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lead
        fields = ["name", "company", "title", "mobile", "phone", "email", "wechat", "province",
                  "city", "industry", "source", "status", "disqualify_reason", "notes"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "mobile": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args: Any, organization, definitions: list[FieldDefinition],
                 can_assign: bool, user=None, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        creating = instance is None or instance.pk is None
        super().__init__(*args, definitions=definitions, organization=organization,
                         custom_data=None if creating else instance.custom_data, **kwargs)
        self.fields["status"].choices = EDITABLE_STATUSES
        if creating:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        if can_assign:
            owner_id = getattr(user, "pk", None) if creating else self.instance.owner_id
            members = accounts.member_choices(organization=organization, keep_user_id=owner_id)
            self.fields["owner"].choices = [("", _("Nobody (lead pool)")), *members]
            self.fields["owner"].initial = owner_id
        else:
            del self.fields["owner"]

    @property
    def wide_fields(self) -> list[forms.BoundField]:
        return [bf for bf in self.visible_fields() if bf.widget_type in WIDE_WIDGETS]

    @property
    def narrow_fields(self) -> list[forms.BoundField]:
        return [bf for bf in self.visible_fields() if bf.widget_type not in WIDE_WIDGETS]

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self._meta.fields
                  if name in self.cleaned_data}
        if "owner" in self.fields:
            values["owner_id"] = self.cleaned_data.get("owner")
        return values

    def add_service_errors(self, exc, *, aliases=None) -> None:
        super().add_service_errors(exc, aliases={"owner_id": "owner", "team": "owner",
                                                 **(aliases or {})})

    def _post_clean(self) -> None:
        # model validation (and phone normalization) belongs to the service
        pass


class LeadFilterForm(forms.Form):
    """The list's search and filters from the query string; a value that does not fit is
    ignored."""

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Name, company, phone or email"),
        "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *Lead.Status.choices])
    source = forms.ChoiceField(label=_("source"), required=False,
                               choices=[("", _("All sources")), *Lead.Source.choices])
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int,
                                   empty_value=None)
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)
    pool = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, members: list[tuple[str, str]] | None) -> None:
        super().__init__(data)
        if members is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("All owners")), *members]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            valid = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            valid = self.cleaned_data
        return {"q": valid.get("q", ""), "status": valid.get("status", ""),
                "source": valid.get("source", ""), "owner_id": valid.get("owner"),
                "mine": bool(valid.get("mine")), "pool": True if valid.get("pool") else None}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = LeadActivity
        fields = ["kind", "content", "happened_at"]
        widgets = {
            "kind": forms.RadioSelect,
            "content": forms.Textarea(attrs={"rows": 3}),
            "happened_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                               format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_at"].required = False


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Why is this lead disqualified?"), max_length=255,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ConvertForm(forms.Form):
    existing_customer = forms.TypedChoiceField(
        label=_("Attach to an existing customer"), required=False, coerce=int,
        empty_value=None, widget=forms.RadioSelect)
    create_anyway = forms.BooleanField(
        label=_("Create a new customer anyway: this is a different one"), required=False)
    create_opportunity = forms.BooleanField(label=_("Also create an opportunity"),
                                            required=False, initial=True)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200,
                                       required=False)
    amount = forms.DecimalField(label=_("Expected amount"), required=False, min_value=0,
                                max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, candidates: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["existing_customer"].choices = [("", _("No, create a new customer")),
                                                    *(candidates or [])]


class WebFormSettingsForm(forms.ModelForm):
    default_owner = forms.TypedChoiceField(label=capfirst(_("default owner")), required=False,
                                           coerce=int, empty_value=None)
    new_token = forms.BooleanField(
        label=_("Make a new address (the old link and embeds stop working)"), required=False)

    class Meta:
        model = WebForm
        fields = ["enabled", "title", "intro", "thank_you"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3}),
                   "thank_you": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.default_owner_id
        self.fields["default_owner"].choices = [
            ("", _("Nobody (lead pool)")),
            *accounts.member_choices(organization=organization, keep_user_id=current)]
        self.fields["default_owner"].initial = current
        self.fields["default_owner"].help_text = WebForm._meta.get_field(
            "default_owner").help_text

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self._meta.fields}
        values["default_owner_id"] = self.cleaned_data.get("default_owner")
        return values

    def _post_clean(self) -> None:
        pass


class RuleForm(forms.ModelForm):
    members = forms.TypedMultipleChoiceField(
        label=_("Members who get the leads"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Deactivated members are skipped."))
    team = forms.TypedChoiceField(label=capfirst(_("team")), required=False, coerce=int,
                                  empty_value=None,
                                  help_text=_("Or: the active members of this team."))

    class Meta:
        model = AssignmentRule
        fields = ["name", "is_active", "match_source", "match_province", "match_city",
                  "match_industry", "match_custom_key", "match_custom_value", "strategy"]

    def __init__(self, *args: Any, organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match_source"].choices = [("", pgettext_lazy("any source", "Any")),
                                               *Lead.Source.choices]
        self.fields["members"].choices = [
            (int(pk), name) for pk, name in accounts.member_choices(organization=organization)]
        self.fields["team"].choices = [("", "—"), *(
            (t.pk, str(t)) for t in accounts.team_list(organization=organization))]
        if self.instance.pk:
            self.fields["members"].initial = [u.pk for u in self.instance.members.all()]
            self.fields["team"].initial = self.instance.team_id

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self._meta.fields}
        values["team_id"] = self.cleaned_data.get("team")
        return values

    def _post_clean(self) -> None:
        pass


class PublicLeadForm(forms.Form):
    """What a visitor fills in on the public form. `website` is the honeypot (hidden from
    people, filled by bots); `started` is the signed time the form was shown."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False,
                             widget=forms.TextInput(attrs={"type": "tel",
                                                           "inputmode": "tel"}))
    email = forms.EmailField(label=_("Email"), required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    notes = forms.CharField(label=_("Message"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("mobile") and not data.get("email"):
            self.add_error("mobile", _("Leave a mobile number or an email address."))
        return data

    def lead_values(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k, "") for k in ("name", "company", "mobile", "email",
                                                          "city", "notes")}


class LeadImportForm(forms.Form):
    file = forms.FileField(label=_("File"),
                           help_text=_("A .csv or .xlsx file, as Excel or WPS saves it."))
    dry_run = forms.BooleanField(label=_("Dry run: check the file, import nothing"),
                                 required=False)

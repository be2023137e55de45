"""Forms of the customer pages: the archive form (model plus custom fields) and the list filters.
(Contacts, follow-ups and tags: forms_360.py; bulk actions, columns, segments, the pool policy
and merging: forms_lists.py.)

Forms render and collect; the service validates and writes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.core.accounts import selectors as accounts
from kehu.core.customfields.forms import YES_NO, AnyChoiceField, CustomFieldsFormMixin
from kehu.core.customfields.models import FieldDefinition
from kehu.customers.models import Customer

OBJECT_TYPE = "customers.customer"
WIDE_WIDGETS = ("textarea", "checkboxselectmultiple")
SECTIONS = [
    (_("Basic information"), ["kind", "name", "short_name", "status", "level", "industry",
                              "source"]),
    (_("Contact"), ["phone", "email", "website", "province", "city", "district", "address"]),
    (_("Follow-up"), ["owner", "next_follow_up_on", "notes"]),
]


class CustomerForm(CustomFieldsFormMixin, forms.ModelForm):
    """Create and edit. `can_assign` adds the owner select; editing adds the hidden version."""

    owner = forms.TypedChoiceField(label=capfirst(_("owner")), required=False, coerce=int,
                                   empty_value=None)
    website = forms.URLField(label=capfirst(_("website")), required=False, assume_scheme="https",
                             widget=forms.URLInput(attrs={"placeholder": "https://"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    allow_duplicates = forms.BooleanField(
        label=_("Save anyway: this is a different customer"), required=False)

    class Meta:
        model = Customer
        fields = ["kind", "name", "short_name", "status", "level", "industry", "source", "phone",
                  "email", "website", "province", "city", "district", "address",
                  "next_follow_up_on", "notes"]
        widgets = {
            "next_follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args: Any, organization, definitions: list[FieldDefinition],
                 can_assign: bool, user=None, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        creating = instance is None or instance.pk is None
        super().__init__(*args, definitions=definitions, organization=organization,
                         custom_data=None if creating else instance.custom_data, **kwargs)
        self.fields["level"].choices = [("", "—"), *Customer.Level.choices]
        if creating:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        if can_assign:
            owner_id = getattr(user, "pk", None) if creating else self.instance.owner_id
            members = accounts.member_choices(organization=organization, keep_user_id=owner_id)
            self.fields["owner"].choices = [("", _("Nobody (customer pool)")), *members]
            self.fields["owner"].initial = owner_id
        else:
            del self.fields["owner"]

    def sections(self) -> list[dict[str, Any]]:
        """The model fields in titled groups, then the custom fields. Each group splits into
        `fields` (laid out two per row) and `wide` ones (text areas, checkbox lists)."""
        # allow_duplicates is shown by the template only next to the duplicates found
        groups = [(title, [self[name] for name in names if name in self.fields])
                  for title, names in SECTIONS]
        if self.custom_fields:
            groups.append((_("Custom fields"), self.custom_fields))
        return [{"title": title,
                 "fields": [bf for bf in bound if bf.widget_type not in WIDE_WIDGETS],
                 "wide": [bf for bf in bound if bf.widget_type in WIDE_WIDGETS]}
                for title, bound in groups if bound]

    @property
    def allow_duplicates_requested(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("allow_duplicates"))

    def values(self) -> dict[str, Any]:
        """The model values for the service (owner as owner_id)."""
        values = {name: self.cleaned_data[name] for name in self._meta.fields
                  if name in self.cleaned_data}
        if "owner" in self.fields:
            values["owner_id"] = self.cleaned_data.get("owner")
        return values

    def add_service_errors(self, exc, *, aliases=None) -> None:
        super().add_service_errors(exc, aliases={"owner_id": "owner", "team": "owner",
                                                 **(aliases or {})})

    def _post_clean(self) -> None:
        # Model validation belongs to the service (it also normalizes phone and email);
        # run it there once instead of twice with different messages.
        pass


# --- list filters --------------------------------------------------------------------------

FILTER_KINDS = (FieldDefinition.Kind.SELECT, FieldDefinition.Kind.BOOLEAN,
                FieldDefinition.Kind.TEXT)
SORTABLE_KINDS = (FieldDefinition.Kind.TEXT, FieldDefinition.Kind.INTEGER,
                  FieldDefinition.Kind.DECIMAL, FieldDefinition.Kind.MONEY,
                  FieldDefinition.Kind.DATE, FieldDefinition.Kind.DATETIME,
                  FieldDefinition.Kind.SELECT, FieldDefinition.Kind.PHONE,
                  FieldDefinition.Kind.EMAIL, FieldDefinition.Kind.URL)
CUSTOM_FILTER_PREFIX = "cf_"


class CustomerFilterForm(forms.Form):
    """The list's search, filters and sort, read from the query string. Never invalid: a value
    that does not fit is ignored."""

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Name, phone or email"), "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *Customer.Status.choices])
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int,
                                   empty_value=None)
    tag = forms.TypedChoiceField(label=_("tag"), required=False, coerce=int, empty_value=None)
    segment = forms.TypedChoiceField(label=_("Segment"), required=False, coerce=int,
                                     empty_value=None)
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data, *, definitions: list[FieldDefinition],
                 members: list[tuple[str, str]] | None = None,
                 tags: list[tuple[int, str]] | None = None,
                 segments: list | None = None) -> None:
        """`members` are the owner filter's choices; None leaves the owner filter out."""
        super().__init__(data)
        self.definitions = definitions
        if members is not None:
            self.fields["owner"].choices = [("", _("All owners")), *members]
        else:
            del self.fields["owner"]
        if tags:
            self.fields["tag"].choices = [("", _("All tags")),
                                          *((str(pk), name) for pk, name in tags)]
        else:
            del self.fields["tag"]
        if segments is not None:
            self.fields["segment"].choices = [("", _("No segment")),
                                              *((str(s.pk), s.name) for s in segments)]
        else:
            del self.fields["segment"], self.fields["mine"]
        sorts = [("-created", _("Newest first")), ("created", _("Oldest first")),
                 ("name", _("Name A→Z")), ("-name", _("Name Z→A"))]
        for d in definitions:
            if d.kind in SORTABLE_KINDS:
                sorts += [(f"{CUSTOM_FILTER_PREFIX}{d.key}", f"{d.label} ↑"),
                          (f"-{CUSTOM_FILTER_PREFIX}{d.key}", f"{d.label} ↓")]
        self.fields["sort"].choices = sorts
        for d in self.filter_definitions:
            name = f"{CUSTOM_FILTER_PREFIX}{d.key}"
            if d.kind == FieldDefinition.Kind.TEXT:
                self.fields[name] = forms.CharField(label=d.label, required=False)
            elif d.kind == FieldDefinition.Kind.BOOLEAN:
                self.fields[name] = AnyChoiceField(label=d.label, required=False,
                                                   choices=YES_NO)
            else:
                self.fields[name] = forms.ChoiceField(
                    label=d.label, required=False,
                    choices=[("", "—")] + [(str(c), str(c)) for c in d.choices])

    @property
    def filter_definitions(self) -> list[FieldDefinition]:
        return [d for d in self.definitions if d.kind in FILTER_KINDS]

    @property
    def custom_filter_fields(self) -> list[forms.BoundField]:
        return [self[f"{CUSTOM_FILTER_PREFIX}{d.key}"] for d in self.filter_definitions]

    def value(self, name: str) -> Any:
        """The cleaned value of one field, or its empty value when it did not fit."""
        if not self.is_bound:
            return None
        self.is_valid()
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        return None

    @property
    def extra_filter_fields(self) -> list[forms.BoundField]:
        """The selects after the status: owner, tag, segment (those this form has)."""
        return [self[name] for name in ("owner", "tag", "segment") if name in self.fields]

    @property
    def active_custom_filter_count(self) -> int:
        return sum(1 for bf in self.custom_filter_fields if self.value(bf.name) not in (None, ""))

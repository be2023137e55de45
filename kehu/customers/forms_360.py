"""Forms of the customer 360° page: contacts (with their custom fields), follow-ups with files,
and tags. They render and collect; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.customfields.forms import CustomFieldsFormMixin
from kehu.core.customfields.models import FieldDefinition
from kehu.customers.models import Contact, FollowUp

# What the file picker offers (the service checks every file again).
ACCEPT_FILES = ("image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.txt,.csv,.zip,"
                ".mp3,.m4a,.amr")


class ContactForm(CustomFieldsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = ["name", "title", "role", "mobile", "phone", "email", "wechat", "is_primary",
                  "notes"]
        widgets = {
            "mobile": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organization, definitions: list[FieldDefinition],
                 **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        creating = instance is None or instance.pk is None
        super().__init__(*args, definitions=definitions, organization=organization,
                         custom_data=None if creating else instance.custom_data, **kwargs)
        self.fields["role"].choices = [("", "—"), *Contact.Role.choices]
        if creating:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self._meta.fields
                  if name in self.cleaned_data}
        if self.instance.pk is None and not values.get("is_primary"):
            values.pop("is_primary", None)  # the service makes a first contact primary
        return values

    def _post_clean(self) -> None:
        # the service validates the model (and normalizes phones); see CustomerForm
        pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files in one input; the service checks their types and sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_FILES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=FollowUp.Kind.choices,
                             initial=FollowUp.Kind.CALL, widget=forms.RadioSelect)
    content = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={
        "rows": 3, "placeholder": _("Who you spoke to, what was agreed, what comes next…")}))
    happened_at = forms.DateTimeField(
        label=_("When"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    contact = forms.TypedChoiceField(label=_("Contact"), required=False, coerce=int,
                                     empty_value=None)
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"), required=False,
        help_text=_("Creates a reminder for the customer's owner."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    location = forms.CharField(label=_("Location"), required=False, max_length=255)
    files = MultipleFileField(label=_("Files and photos"))
    photos = MultipleFileField(label=_("Take a photo"), widget=MultipleFileInput(attrs={
        "accept": "image/*", "capture": "environment"}))

    def __init__(self, *args: Any, contacts: list[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—"), *((str(c.pk), c.name) for c in contacts)]
        if not self.is_bound:
            self.initial.setdefault("happened_at",
                                    timezone.localtime().replace(second=0, microsecond=0))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {"kind": data["kind"], "content": data["content"],
                  "next_follow_up_on": data["next_follow_up_on"],
                  "location": data["location"]}
        if data.get("happened_at"):
            values["happened_at"] = data["happened_at"]
        return values

    def uploads(self) -> list[Any]:
        return [*self.cleaned_data.get("files", []), *self.cleaned_data.get("photos", [])]


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=30, widget=forms.TextInput(attrs={
        "placeholder": _("Add a tag…"), "autocomplete": "off", "list": "tag-options"}))

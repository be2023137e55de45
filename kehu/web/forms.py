"""Forms of the shell and the settings pages. They parse and validate input only; the views
hand the cleaned data to services, and `add_service_errors` puts what a service refused back
on the form."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.accounts import selectors as account_selectors
from kehu.core.accounts.models import Team
from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions import registry
from kehu.core.permissions.models import Role


def add_service_errors(form: forms.Form, exc: DomainError | ValidationError,
                       field_map: dict[str, str] | None = None) -> None:
    """Put a service's DomainError or ValidationError on `form`: errors about a field the form
    has go next to that field (after renaming through `field_map`), the rest on top."""
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = (field_map or {}).get(name, name)
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def team_tree(teams: Iterable[Team]) -> list[Team]:
    """Teams in tree order (each parent followed by its children, siblings by name)."""
    teams = list(teams)
    known = {t.pk for t in teams}
    children: dict[int | None, list[Team]] = {}
    for t in teams:
        parent = t.parent_id if t.parent_id in known else None
        children.setdefault(parent, []).append(t)
    ordered: list[Team] = []

    def walk(parent_id: int | None) -> None:
        for t in sorted(children.get(parent_id, []), key=lambda t: (t.name, t.pk)):
            ordered.append(t)
            walk(t.pk)

    walk(None)
    return ordered


def _team_choices(teams: Iterable[Team], empty_label: str) -> list[tuple[object, str]]:
    return [("", empty_label)] + [
        (t.pk, "\u3000" * max(t.depth, 0) + t.name) for t in team_tree(teams)]


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or mobile phone and the password do not match."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email or mobile phone")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "placeholder": _("name@company.com or 138…")})
        self.fields["password"].label = _("Password")


class MemberUpdateForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = account_selectors.role_list(organization=organization)
        teams = account_selectors.team_list(organization=organization)
        self.fields["team"].queryset = teams
        self.fields["team"].choices = _team_choices(teams, _("(no team)"))


class MemberInviteForm(MemberUpdateForm):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False,
                            help_text=_("Optional; lets them sign in with their phone."))

    field_order = ["email", "name", "phone", "role", "team"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(label=_("Parent team"), queryset=Team.objects.none(),
                                    required=False)

    def __init__(self, *args, organization, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = account_selectors.team_list(organization=organization)
        if team is not None:  # a team cannot move under itself or its own sub-teams
            teams = teams.exclude(path__startswith=team.path)
        self.fields["parent"].queryset = teams
        self.fields["parent"].choices = _team_choices(teams, _("(top level)"))


def _grant_value(object_type: str, action: str) -> str:
    return f"{object_type}:{action}"


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    data_scope = forms.ChoiceField(
        label=_("Data scope"), choices=Role.DataScope.choices,
        help_text=_("Which owned records (customers, deals…) members with this role see."))
    is_admin = forms.BooleanField(
        label=_("Organization admin"), required=False,
        help_text=_("Manages members, teams, roles, custom fields and reads the audit log."))
    grants = forms.MultipleChoiceField(label=_("Permissions"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grants"].choices = [
            (_grant_value(ot.key, action), f"{ot.label}: {label}")
            for ot in registry.object_types() for action, label in registry.ACTIONS]

    @staticmethod
    def initial_for(role: Role) -> dict[str, object]:
        return {"name": role.name if not role.is_builtin else str(role),
                "data_scope": role.data_scope, "is_admin": role.is_admin,
                "grants": [_grant_value(ot, action)
                           for ot, actions in role.effective_grants().items()
                           for action in actions]}

    def clean_grants(self) -> dict[str, list[str]]:
        chosen = set(self.cleaned_data["grants"])
        return {ot.key: [action for action, _label in registry.ACTIONS
                         if _grant_value(ot.key, action) in chosen]
                for ot in registry.object_types()}

    def matrix(self) -> list[dict[str, object]]:
        """Rows (object types) of cells (actions) for the grants table."""
        value = self["grants"].value() or []
        chosen = {str(v) for v in value}
        return [{"object_type": ot, "cells": [
                    {"action": action, "label": label, "value": _grant_value(ot.key, action),
                     "checked": _grant_value(ot.key, action) in chosen}
                    for action, label in registry.ACTIONS]}
                for ot in registry.object_types()]


def object_type_choices() -> list[tuple[str, str]]:
    return [(ot.key, str(ot.label)) for ot in registry.all_object_types()]


KINDS_WITH_OPTIONS = (FieldDefinition.Kind.SELECT, FieldDefinition.Kind.MULTISELECT)


class FieldDefinitionForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"))
    key = forms.SlugField(label=_("Key"), max_length=50,
                          help_text=_("Letters, digits, _ and -. Used in the API and imports; "
                                      "cannot be changed later."))
    label = forms.CharField(label=_("Label"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=FieldDefinition.Kind.choices,
                             help_text=_("Cannot be changed later."))
    options = forms.CharField(label=_("Options"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("For select types: one option per line."))
    required = forms.BooleanField(label=_("Required"), required=False)
    unique = forms.BooleanField(label=_("Unique"), required=False,
                                help_text=_("No two records may have the same value."))
    default = forms.CharField(label=_("Default value"), required=False, max_length=200)
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=200)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    LOCKED_ON_EDIT = ("object_type", "key", "kind")
    SERVICE_FIELD_MAP = {"choices": "options"}

    def __init__(self, *args, definition: FieldDefinition | None = None, **kwargs):
        if definition is not None:
            kwargs.setdefault("initial", self.initial_for(definition))
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = object_type_choices()
        self.definition = definition
        if definition is not None:
            for name in self.LOCKED_ON_EDIT:
                self.fields[name].disabled = True
                self.fields[name].required = False
            if definition.object_type not in dict(self.fields["object_type"].choices):
                self.fields["object_type"].choices += [(definition.object_type,
                                                        definition.object_type)]

    @staticmethod
    def initial_for(definition: FieldDefinition) -> dict[str, object]:
        default = definition.default
        if isinstance(default, list):
            default = ", ".join(str(v) for v in default)
        elif isinstance(default, dict):  # money
            default = default.get("amount", "")
        return {"object_type": definition.object_type, "key": definition.key,
                "label": definition.label, "kind": definition.kind,
                "options": "\n".join(str(c) for c in definition.choices),
                "required": definition.required, "unique": definition.unique,
                "default": "" if default is None else default,
                "help_text": definition.help_text, "position": definition.position}

    def clean_options(self) -> list[str]:
        lines = (self.cleaned_data.get("options") or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean_default(self) -> object:
        value = (self.cleaned_data.get("default") or "").strip()
        if not value:
            return None
        kind = self.cleaned_data.get("kind") or (self.definition.kind if self.definition else "")
        if kind == FieldDefinition.Kind.MULTISELECT:
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def service_options(self) -> dict[str, object]:
        """The keyword arguments for field_definition_create/update."""
        data = self.cleaned_data
        kind = data.get("kind") or (self.definition.kind if self.definition else "")
        return {"label": data["label"],
                "choices": data["options"] if kind in KINDS_WITH_OPTIONS else [],
                "required": data["required"], "unique": data["unique"],
                "default": data["default"], "help_text": data["help_text"],
                "position": data["position"]}


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, for example ERP sync."))


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int,
                                  empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *ChangeRecord.Action.choices])
    before = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, object_types: list[tuple[str, str]],
                 users: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("All object types")), *object_types]
        self.fields["user"].choices = [("", _("All users")), *users]

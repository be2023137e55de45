"""Custom fields in HTML forms: one form field per active definition, and back again.

The form only renders and collects. Every value goes to the service as typed, and
`custom_data_clean` coerces and validates it; its errors (`custom.<key>`) are put back on the
form fields here. Form fields are therefore lenient: they never reject a value themselves, and
`required` only gives the asterisk and the browser hint.

    form = CustomerForm(data, definitions=defs, organization=org, custom_data=customer.custom_data)
    services.customer_update(..., custom=form.custom_values())
    except ValidationError as exc: form.add_service_errors(exc)
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.customfields.models import FieldDefinition

Kind = FieldDefinition.Kind
PREFIX = "custom__"
ERROR_PREFIX = "custom."
CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "TWD", "SGD", "KRW", "AUD", "CAD"]


def field_name(key: str) -> str:
    return f"{PREFIX}{key}"


# --- fields that collect; the service validates ---------------------------------------------

class CollectingField:
    """Renders like its base field (including `required`: the asterisk and the browser hint)
    but never rejects a value: the service's messages are the ones people see."""

    def validate(self, value: Any) -> None:
        return None


class TextField(CollectingField, forms.CharField):
    pass


class AnyChoiceField(CollectingField, forms.ChoiceField):
    """A select whose value the service checks (an option may have been removed since the
    record was saved, and is still shown)."""


class AnyMultipleChoiceField(CollectingField, forms.MultipleChoiceField):
    pass


class MoneyWidget(forms.MultiWidget):
    def __init__(self, currencies: Iterable[str], attrs: dict[str, Any] | None = None) -> None:
        widgets = {
            # side by side without a stylesheet rule of their own (inputs are inline)
            "amount": forms.NumberInput(attrs={
                "step": "0.01", "inputmode": "decimal", "class": "money-amount",
                "style": "width: calc(100% - 112px)"}),
            "currency": forms.Select(choices=[(c, c) for c in currencies], attrs={
                "class": "money-currency", "style": "width: 100px; margin-left: 6px",
                "aria-label": gettext_lazy("Currency")}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get("amount"), value.get("currency")]
        if value in (None, ""):
            return [None, None]
        return [value, None]


class MoneyField(forms.MultiValueField):
    """Amount plus currency; collects {"amount": "...", "currency": "CNY"}, or None."""

    def __init__(self, *, currencies: Iterable[str], **kwargs: Any) -> None:
        currencies = list(currencies)
        fields = (forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields, require_all_fields=False, widget=MoneyWidget(currencies),
                         **kwargs)

    def clean(self, value: Any) -> dict[str, str] | None:
        if not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        return self.compress(["" if v is None else str(v).strip() for v in value])

    def compress(self, data_list: list[Any]) -> dict[str, str] | None:
        if not data_list or not str(data_list[0] or "").strip():
            return None
        amount, currency = data_list[0], data_list[1] if len(data_list) > 1 else ""
        return {"amount": str(amount).strip(), "currency": str(currency or "").strip()}


# --- one builder per kind --------------------------------------------------------------------

YES_NO = [("", "—"), ("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]


def _text(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.TextInput(attrs={"maxlength": 255}))


def _long_text(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.Textarea(attrs={"rows": 3}), strip=False)


def _integer(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}))


def _decimal(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.NumberInput(attrs={"step": "any",
                                                           "inputmode": "decimal"}))


def _money(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    currencies = [ctx["default_currency"], *CURRENCIES]
    current = ctx["value"]
    if isinstance(current, dict) and current.get("currency"):
        currencies.append(str(current["currency"]))
    return MoneyField(currencies=dict.fromkeys(currencies))


def _date(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.DateInput(attrs={"type": "date"}))


def _datetime(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def _boolean(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return AnyChoiceField(choices=YES_NO)


def _options(d: FieldDefinition, current: Any) -> list[str]:
    options = [str(c) for c in d.choices]
    extra = current if isinstance(current, list) else [] if current in (None, "") else [current]
    return options + [str(v) for v in extra if str(v) not in options]


def _select(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return AnyChoiceField(choices=[("", "—")] + [(o, o) for o in _options(d, ctx["value"])])


def _multiselect(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return AnyMultipleChoiceField(choices=[(o, o) for o in _options(d, ctx["value"])],
                                  widget=forms.CheckboxSelectMultiple)


def _user(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    from kehu.core.accounts import selectors as accounts

    members = accounts.member_list(organization=ctx["organization"])
    current = ctx["value"]
    choices = [("", "—")] + [(str(m.user_id), str(m.user)) for m in members
                             if m.is_active or str(m.user_id) == str(current)]
    return AnyChoiceField(choices=choices)


def _phone(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))


def _email(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.EmailInput())


def _url(d: FieldDefinition, ctx: dict[str, Any]) -> forms.Field:
    return TextField(widget=forms.URLInput(attrs={"placeholder": "https://"}))


BUILDERS: dict[str, Callable[[FieldDefinition, dict[str, Any]], forms.Field]] = {
    Kind.TEXT: _text,
    Kind.LONG_TEXT: _long_text,
    Kind.INTEGER: _integer,
    Kind.DECIMAL: _decimal,
    Kind.MONEY: _money,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.BOOLEAN: _boolean,
    Kind.SELECT: _select,
    Kind.MULTISELECT: _multiselect,
    Kind.USER: _user,
    Kind.PHONE: _phone,
    Kind.EMAIL: _email,
    Kind.URL: _url,
}


def initial_value(definition: FieldDefinition, value: Any) -> Any:
    """A stored value as its widget shows it."""
    if value is None:
        return None
    if definition.kind == Kind.BOOLEAN:
        return "true" if value is True else "false" if value is False else None
    if definition.kind == Kind.DATETIME:
        parsed = parse_datetime(str(value)) if not isinstance(value, datetime.datetime) else value
        if parsed is None:
            return str(value)
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return parsed.strftime("%Y-%m-%dT%H:%M")
    if definition.kind == Kind.MULTISELECT:
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if definition.kind in (Kind.USER, Kind.INTEGER, Kind.DECIMAL):
        return str(value)
    return value


def form_field(definition: FieldDefinition, *, organization: Any, value: Any = None,
               creating: bool = False) -> forms.Field:
    """The form field for one definition. `value` is the record's stored value; a new record
    starts from the definition's default."""
    if creating and value is None:
        value = definition.default
    ctx = {"organization": organization, "value": value,
           "default_currency": getattr(organization, "default_currency", "") or "CNY"}
    field = BUILDERS[definition.kind](definition, ctx)
    field.required = definition.required  # shown, not enforced: see CollectingField
    field.label = definition.label
    field.help_text = definition.help_text
    initial = initial_value(definition, value)
    if definition.kind == Kind.MONEY and initial is None:
        initial = {"amount": None, "currency": ctx["default_currency"]}
    field.initial = initial
    field.definition = definition  # type: ignore[attr-defined]
    return field


# --- the form side -------------------------------------------------------------------------

class CustomFieldsFormMixin:
    """Adds `custom__<key>` fields for the active definitions to a (Model)Form.

    Pass `definitions` (active, in display order), `organization` and the record's current
    `custom_data` (None when creating). `custom_values()` is the dict for the service;
    `add_service_errors(exc)` puts the service's ValidationError on the fields.
    """

    def __init__(self, *args: Any, definitions: Iterable[FieldDefinition], organization: Any,
                 custom_data: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_definitions = list(definitions)
        self.custom_creating = custom_data is None
        current = custom_data or {}
        for definition in self.custom_definitions:
            self.fields[field_name(definition.key)] = form_field(
                definition, organization=organization, value=current.get(definition.key),
                creating=self.custom_creating)

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[field_name(d.key)] for d in self.custom_definitions]

    @property
    def model_fields(self) -> list[forms.BoundField]:
        return [bf for bf in self.visible_fields() if not bf.name.startswith(PREFIX)]

    def custom_values(self, *, changed_only: bool | None = None) -> dict[str, Any]:
        """What the user submitted for each custom field, keyed by definition key.

        Editing sends only the fields the user changed, so a value the service would no longer
        accept (an option since removed) is kept when the user did not touch it.
        """
        if changed_only is None:
            changed_only = not self.custom_creating
        data = getattr(self, "cleaned_data", {})
        changed = set(self.changed_data)
        values = {}
        for definition in self.custom_definitions:
            name = field_name(definition.key)
            if name not in data or (changed_only and name not in changed):
                continue
            values[definition.key] = data[name]
        return values

    def add_service_errors(self, exc: ValidationError, *,
                           aliases: dict[str, str] | None = None) -> None:
        """Put a service ValidationError on the form: `custom.<key>` on its custom field, a
        model field name (or an alias such as owner_id → owner) on that field, the rest on
        the form as a whole."""
        add_errors(self, exc, aliases=aliases)


def add_errors(form: forms.BaseForm, exc: ValidationError, *,
               aliases: dict[str, str] | None = None) -> None:
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        name = key
        if key.startswith(ERROR_PREFIX):
            name = field_name(key[len(ERROR_PREFIX):])
        name = aliases.get(name, name)
        if name == NON_FIELD_ERRORS or name not in form.fields:
            label = _field_label(form, key)
            form.add_error(None, [f"{label}: {m}" if label else m for m in messages])
        else:
            form.add_error(name, messages)


def _field_label(form: forms.BaseForm, key: str) -> str:
    if key == NON_FIELD_ERRORS:
        return ""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key
    return key


# --- showing stored values --------------------------------------------------------------------

def format_value(definition: FieldDefinition, value: Any, *,
                 user_names: dict[int, str] | None = None) -> str:
    """A stored custom value as people read it: money with its currency, multi selects
    joined, users by name, yes/no translated, dates localized. Plain text (templates escape)."""
    if value is None or value == "" or value == []:
        return ""
    kind = definition.kind
    if kind == Kind.BOOLEAN:
        return _("Yes") if value is True or value == "true" else _("No")
    if kind == Kind.MULTISELECT:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == Kind.MONEY:
        if isinstance(value, dict):
            amount = _number(value.get("amount"), places=2)
            return f"{amount} {value.get('currency') or ''}".strip()
        return str(value)
    if kind in (Kind.DECIMAL, Kind.INTEGER):
        return _number(value)
    if kind == Kind.USER:
        try:
            return (user_names or {}).get(int(value)) or f"#{value}"
        except (TypeError, ValueError):
            return str(value)
    if kind == Kind.DATE:
        parsed = parse_date(str(value)) if not isinstance(value, datetime.date) else value
        return formats.date_format(parsed, "DATE_FORMAT") if parsed else str(value)
    if kind == Kind.DATETIME:
        parsed = (value if isinstance(value, datetime.datetime)
                  else parse_datetime(str(value)))
        if parsed is None:
            return str(value)
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return formats.date_format(parsed, "DATETIME_FORMAT")
    return str(value)


def _number(value: Any, places: int | None = None) -> str:
    """Grouped by thousands with a comma, as Chinese business documents write amounts
    (Django's zh-hans format has no thousands separator)."""
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return str(value)
    if places is not None:
        return f"{number:,.{places}f}"
    return f"{number:,}"


def user_ids_in(definitions: Iterable[FieldDefinition],
                custom_datas: Iterable[dict[str, Any]]) -> set[int]:
    """The user ids that user-kind fields of these records point at (for one name lookup)."""
    keys = [d.key for d in definitions if d.kind == Kind.USER]
    ids: set[int] = set()
    if not keys:
        return ids
    for data in custom_datas:
        for key in keys:
            try:
                ids.add(int(data[key]))
            except (KeyError, TypeError, ValueError):
                continue
    return ids

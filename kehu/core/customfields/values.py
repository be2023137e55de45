"""Turning what a user typed (form, API, import cell) into the stored value of one kind.

Values are stored JSON-safe and exact: decimals and money as strings ("12.50"), dates as
ISO strings, multi selects as lists, users as ids. Each coercer raises ValueError with a
message a user can act on.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kehu.core.customfields.models import FieldDefinition

Kind = FieldDefinition.Kind
DEFAULT_CURRENCY = "CNY"


def _text(d: FieldDefinition, v: Any, *, limit: int = 255) -> str:
    text = str(v).strip()
    if len(text) > limit:
        raise ValueError(_("At most %(n)d characters.") % {"n": limit})
    return text


def _integer(d: FieldDefinition, v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError(_("Enter a whole number."))
    try:
        number = decimal.Decimal(str(v).strip().replace(",", ""))
    except decimal.InvalidOperation as exc:
        raise ValueError(_("Enter a whole number.")) from exc
    if number != number.to_integral_value():
        raise ValueError(_("Enter a whole number."))
    return int(number)


def _decimal(d: FieldDefinition, v: Any) -> str:
    if isinstance(v, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(v, float):
        v = repr(v)  # the shortest text that reads back as this float, not its binary expansion
    try:
        number = decimal.Decimal(str(v).strip().replace(",", ""))
    except decimal.InvalidOperation as exc:
        raise ValueError(_("Enter a number.")) from exc
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    return str(number)


def _money(d: FieldDefinition, v: Any) -> dict[str, str]:
    if isinstance(v, dict):
        amount, currency = v.get("amount"), str(v.get("currency") or DEFAULT_CURRENCY)
    else:
        amount, currency = v, DEFAULT_CURRENCY
    currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(_("Currency must be a three-letter code such as CNY."))
    value = decimal.Decimal(_decimal(d, amount)).quantize(decimal.Decimal("0.01"))
    return {"amount": str(value), "currency": currency}


def _date(d: FieldDefinition, v: Any) -> str:
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    text = str(v).strip().replace("/", "-").replace(".", "-")
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    return parsed.isoformat()


def _datetime(d: FieldDefinition, v: Any) -> str:
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    try:
        parsed = parse_datetime(str(v).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(_("Enter a date and time as YYYY-MM-DD HH:MM."))
    return parsed.isoformat()


def _boolean(d: FieldDefinition, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in {"1", "true", "yes", "y", "on", "是", "对"}:
        return True
    if text in {"0", "false", "no", "n", "off", "否", "不"}:
        return False
    raise ValueError(_("Enter yes or no."))


def _options(d: FieldDefinition) -> list[str]:
    return [str(c) for c in d.choices]


def _select(d: FieldDefinition, v: Any) -> str:
    text = str(v).strip()
    if text not in _options(d):
        raise ValueError(_("“%(value)s” is not one of the options: %(options)s.")
                         % {"value": text, "options": ", ".join(_options(d))})
    return text


def _multiselect(d: FieldDefinition, v: Any) -> list[str]:
    items = v if isinstance(v, list | tuple) else re.split(r"[,，;；]", str(v))
    values = [str(item).strip() for item in items if str(item).strip()]
    bad = [item for item in values if item not in _options(d)]
    if bad:
        raise ValueError(_("“%(value)s” is not one of the options: %(options)s.")
                         % {"value": ", ".join(bad), "options": ", ".join(_options(d))})
    return values


def _user(d: FieldDefinition, v: Any) -> int:
    from kehu.core.accounts.models import Membership

    try:
        user_id = int(v)
    except (TypeError, ValueError) as exc:
        raise ValueError(_("Choose a user of this organization.")) from exc
    if not Membership.objects.filter(organization_id=d.organization_id, user_id=user_id).exists():
        raise ValueError(_("Choose a user of this organization."))
    return user_id


def _phone(d: FieldDefinition, v: Any) -> str:
    try:
        number = phonenumbers.parse(str(v).strip(), "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_("Enter a valid phone number.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("Enter a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validated(validator: Callable[[str], None], message: str) -> Callable:
    def coerce(d: FieldDefinition, v: Any) -> str:
        text = str(v).strip()
        try:
            validator(text)
        except ValidationError as exc:
            raise ValueError(message) from exc
        return text
    return coerce


COERCERS: dict[str, Callable[[FieldDefinition, Any], Any]] = {
    Kind.TEXT: _text,
    Kind.LONG_TEXT: lambda d, v: _text(d, v, limit=10_000),
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
    Kind.EMAIL: lambda d, v: _validated(EmailValidator(), _("Enter a valid email address."))(
        d, v).lower(),
    Kind.URL: _validated(URLValidator(), _("Enter a valid URL.")),
}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def coerce_value(definition: FieldDefinition, value: Any) -> Any:
    """The stored form of `value`, None when empty; ValueError when it does not fit."""
    if is_empty(value):
        return None
    return COERCERS[definition.kind](definition, value)

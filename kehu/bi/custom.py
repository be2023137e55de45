"""Custom fields as typed view columns named cf_<key>.

Every definition of the object type becomes a column, inactive ones too: deactivating a field
keeps its stored values, and a column a dashboard uses must not disappear. Definitions are
never deleted and their kind never changes, so columns are only ever appended (in the order
the fields were created), which lets PostgreSQL replace a view in place and keep its grants.

Values were validated when written (customfields/values.py), but a stray value must give an
empty cell, never an error for every query of the view: each cast is guarded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings

from kehu.bi.schema import Column
from kehu.core.customfields.models import FieldDefinition

Kind = FieldDefinition.Kind
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_ZONE = re.compile(r"^[A-Za-z0-9_/+-]+$")
_NUMBER = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"

TYPES = {
    Kind.INTEGER: "bigint", Kind.USER: "bigint", Kind.DECIMAL: "numeric",
    Kind.MONEY: "numeric", Kind.DATE: "date", Kind.DATETIME: "timestamp",
    Kind.BOOLEAN: "boolean",
}  # every other kind (text, select, phone, ...) is text; multi selects are "a, b"


def column_name(definition: FieldDefinition, taken: set[str]) -> str:
    name = "cf_" + definition.key.lower().replace("-", "_")
    return f"{name}_{definition.pk}" if name in taken else name


def columns(definitions: Iterable[FieldDefinition], alias: str, vendor: str) -> list[Column]:
    result: list[Column] = []
    taken: set[str] = set()
    for definition in sorted(definitions, key=lambda d: d.pk):
        if not _SLUG.match(definition.key):
            continue  # unreachable through the services; never inline it into SQL
        name = column_name(definition, taken)
        taken.add(name)
        label = f"{definition.label} (custom field “{definition.key}”, {definition.kind})"
        if not definition.is_active:
            label += ", inactive"
        expression = (_postgres if vendor == "postgresql" else _sqlite)(
            definition.kind, alias, definition.key)
        result.append(Column(name, expression, TYPES.get(definition.kind, "text"), label))
        if definition.kind == Kind.MONEY:
            currency = (f"({alias}.custom_data -> '{definition.key}' ->> 'currency')"
                        if vendor == "postgresql" else
                        f"json_extract({alias}.custom_data, '$.\"{definition.key}\".currency')")
            result.append(Column(f"{name}_currency", currency, "text",
                                 f"Currency of {name}."))
    return result


def _postgres(kind: str, alias: str, key: str) -> str:
    value = f"({alias}.custom_data -> '{key}')"
    text = f"({alias}.custom_data ->> '{key}')"
    if kind == Kind.MONEY:
        text = f"({alias}.custom_data -> '{key}' ->> 'amount')"
    if kind in (Kind.INTEGER, Kind.USER):
        return f"CASE WHEN {text} ~ '^-?[0-9]{{1,18}}$' THEN {text}::bigint END"
    if kind in (Kind.DECIMAL, Kind.MONEY):
        return f"CASE WHEN {text} ~ '{_NUMBER}' THEN {text}::numeric END"
    if kind == Kind.DATE:
        return f"CASE WHEN {text} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN {text}::date END"
    if kind == Kind.DATETIME:
        zone = settings.TIME_ZONE if _ZONE.match(settings.TIME_ZONE) else "UTC"
        # a value typed without an offset means the server's time zone, as in the forms
        return (f"CASE WHEN {text} !~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}'"
                f" THEN NULL WHEN {text} ~ '(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$'"
                f" THEN {text}::timestamptz"
                f" ELSE {text}::timestamp AT TIME ZONE '{zone}' END")
    if kind == Kind.BOOLEAN:
        return f"CASE WHEN jsonb_typeof({value}) = 'boolean' THEN {text}::boolean END"
    if kind == Kind.MULTISELECT:
        return (f"(SELECT string_agg(e.value, ', ' ORDER BY e.n) "  # noqa: S608 - key is a slug
                f"FROM jsonb_array_elements_text("
                f"CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} END)"
                f" WITH ORDINALITY AS e(value, n))")
    return text


def _sqlite(kind: str, alias: str, key: str) -> str:
    path = f"'$.\"{key}\"" + (".amount'" if kind == Kind.MONEY else "'")
    value = f"json_extract({alias}.custom_data, {path})"
    json_type = f"json_type({alias}.custom_data, {path})"
    if kind in (Kind.INTEGER, Kind.USER):
        return f"CASE WHEN {json_type} = 'integer' THEN {value} END"
    if kind in (Kind.DECIMAL, Kind.MONEY):
        # stored as text ("12.50"); SQLite has no decimal type, so the view shows a number
        return (f"CASE WHEN {json_type} IN ('integer', 'real') THEN {value}"
                f" WHEN {json_type} = 'text' AND {value} GLOB '*[0-9]*'"
                f" AND NOT {value} GLOB '*[^-+.eE0-9]*' THEN CAST({value} AS NUMERIC) END")
    if kind == Kind.DATE:
        return (f"CASE WHEN {value} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
                f" THEN {value} END")
    if kind == Kind.BOOLEAN:
        return f"CASE WHEN {json_type} IN ('true', 'false') THEN {value} END"
    if kind == Kind.MULTISELECT:
        return (f"(SELECT group_concat(e.value, ', ') "  # noqa: S608 - key is a slug
                f"FROM json_each({alias}.custom_data, "
                f"{path}) AS e)")
    return value

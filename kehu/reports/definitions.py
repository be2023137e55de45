"""Parsing and validating report definitions (JSON from the builder, the API or a saved
report) into typed objects the engine can trust.

Every name in a definition must be a declared field of the chosen object, every operator one
its kind allows, every value coerce to the field's type; otherwise a ValidationError names
the offending part ("filters.0.field": "…") and the field.

    {"object": "opportunities",
     "filters": [{"field": "status", "op": "in", "value": ["open", "won"]}],
     "group_by": [{"field": "owner"}, {"field": "created_at", "bucket": "month"}],
     "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}],
     "chart": "bar"}
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kehu.core.permissions.actor import Actor
from kehu.reports import objects
from kehu.reports.fields import (
    BOOL,
    BUCKETS,
    CHOICE,
    DATE_KINDS,
    MEASURABLE_KINDS,
    MULTI,
    NUMBER,
    RELATION,
    TEAM,
    TEXT,
    USER,
    Field,
    ObjectSpec,
)

MAX_FILTERS = 20
MAX_GROUP_BY = 2
MAX_MEASURES = 6
MAX_IN_VALUES = 200
MAX_TEXT = 200

FUNCTIONS: dict[str, Promise] = {
    "count": gettext_lazy("Count"), "sum": gettext_lazy("Sum"),
    "avg": gettext_lazy("Average"), "min": gettext_lazy("Minimum"),
    "max": gettext_lazy("Maximum"),
}
CHARTS: dict[str, Promise] = {
    "table": pgettext_lazy("chart type", "Table"), "bar": gettext_lazy("Bar chart"),
    "line": gettext_lazy("Line chart"), "pie": gettext_lazy("Pie chart"),
    "funnel": gettext_lazy("Funnel"),
}


@dataclass(frozen=True)
class Filter:
    field: Field
    op: str
    value: Any = None


@dataclass(frozen=True)
class GroupBy:
    field: Field
    bucket: str = ""

    @property
    def label(self) -> str:
        if self.bucket:
            return f"{self.field.label} ({BUCKETS[self.bucket]})"
        return str(self.field.label)


@dataclass(frozen=True)
class Measure:
    fn: str
    field: Field | None = None

    @property
    def key(self) -> str:
        return self.fn if self.field is None else f"{self.fn}:{self.field.key}"

    @property
    def label(self) -> str:
        if self.field is None:
            return str(FUNCTIONS[self.fn])
        return f"{FUNCTIONS[self.fn]} · {self.field.label}"

    @property
    def is_money(self) -> bool:
        return self.field is not None and self.field.kind == "money"


@dataclass(frozen=True)
class Definition:
    spec: ObjectSpec
    filters: tuple[Filter, ...]
    group_by: tuple[GroupBy, ...]
    measures: tuple[Measure, ...]
    chart: str

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON stored in a saved report."""
        return {
            "object": self.spec.key,
            "filters": [{"field": f.field.key, "op": f.op, "value": _plain(f.value)}
                        for f in self.filters],
            "group_by": [{"field": g.field.key, **({"bucket": g.bucket} if g.bucket else {})}
                         for g in self.group_by],
            "measures": [{"fn": m.fn, **({"field": m.field.key} if m.field else {})}
                         for m in self.measures],
            "chart": self.chart,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def parse(*, actor: Actor, data: Any) -> Definition:
    """A validated Definition, or ValidationError({"<where>": [message, ...]})."""
    if not isinstance(data, dict):
        raise ValidationError({"definition": [_("A report definition is a JSON object.")]})
    errors = _Errors()
    spec = objects.get(str(data.get("object") or ""))
    if spec is None or not spec.allowed(actor):
        errors.add("object", _("Choose an object to report on (“%(object)s” is not one).")
                   % {"object": data.get("object") or ""})
        raise ValidationError(errors.errors)
    fields = objects.fields_of(actor, spec)
    filters = _filters(_list(data, "filters", errors), fields, errors)
    group_by = _group_by(_list(data, "group_by", errors), fields, errors)
    measures = _measures(_list(data, "measures", errors), fields, errors)
    chart = str(data.get("chart") or "table")
    if chart not in CHARTS:
        errors.add("chart", _("Unknown chart type “%(chart)s”.") % {"chart": chart})
    elif chart in ("pie", "funnel") and len(group_by) != 1:
        errors.add("chart", _("A pie chart or a funnel needs exactly one group-by."))
    elif chart in ("bar", "line") and not group_by:
        errors.add("chart", _("A bar or line chart needs a group-by."))
    if errors.errors:
        raise ValidationError(errors.errors)
    return Definition(spec=spec, filters=tuple(filters), group_by=tuple(group_by),
                      measures=tuple(measures), chart=chart)


def _list(data: dict[str, Any], name: str, errors: _Errors) -> list[Any]:
    value = data.get(name) or []
    if not isinstance(value, list):
        errors.add(name, _("Expected a list."))
        return []
    return value


def _field(fields: dict[str, Field], item: Any, where: str, errors: _Errors) -> Field | None:
    if not isinstance(item, dict):
        errors.add(where, _("Expected an object."))
        return None
    key = str(item.get("field") or "")
    found = fields.get(key)
    if found is None:
        errors.add(f"{where}.field", _("Unknown field “%(field)s”.") % {"field": key})
    return found


def _filters(items: list[Any], fields: dict[str, Field], errors: _Errors) -> list[Filter]:
    if len(items) > MAX_FILTERS:
        errors.add("filters", _("At most %(n)d filters.") % {"n": MAX_FILTERS})
        return []
    result = []
    for i, item in enumerate(items):
        where = f"filters.{i}"
        field = _field(fields, item, where, errors)
        if field is None:
            continue
        op = str(item.get("op") or "")
        if op not in field.operators:
            errors.add(f"{where}.op", _("“%(op)s” is not an operator for %(field)s.")
                       % {"op": op, "field": field.label})
            continue
        try:
            value = _value(field, op, item.get("value"))
        except ValueError as exc:
            errors.add(f"{where}.value", f"{field.label}: {exc}")
            continue
        result.append(Filter(field=field, op=op, value=value))
    return result


def _value(field: Field, op: str, raw: Any) -> Any:
    if op in ("empty", "not_empty"):
        return None
    if op == "in":
        values = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or len(values) > MAX_IN_VALUES:
            raise ValueError(_("Give between 1 and %(n)d values.") % {"n": MAX_IN_VALUES})
        return [_scalar(field, v) for v in values]
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValueError(_("Give a lower and an upper bound."))
        low, high = (_scalar(field, v) for v in raw)
        if low > high:
            raise ValueError(_("The lower bound is above the upper bound."))
        return [low, high]
    return _scalar(field, raw)


def _scalar(field: Field, raw: Any) -> Any:
    kind = field.kind
    text = raw.strip() if isinstance(raw, str) else raw
    if text is None or text == "":
        raise ValueError(_("A value is required."))
    if kind in (TEXT, CHOICE, MULTI):
        text = str(text)
        if kind != TEXT and field.choices and text not in {str(v) for v, _l in field.choices}:
            raise ValueError(_("“%(value)s” is not one of the options.") % {"value": text})
        if len(text) > MAX_TEXT:
            raise ValueError(_("The value is too long."))
        return text
    if kind in MEASURABLE_KINDS:
        try:
            number = decimal.Decimal(str(text))
        except decimal.InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from exc
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
        return int(number) if kind == NUMBER and field.custom is not None \
            and field.custom.kind == "integer" and number == int(number) else number
    if kind in DATE_KINDS:
        try:
            return datetime.date.fromisoformat(str(text)[:10])
        except ValueError as exc:
            raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).")
                             % {"value": text}) from exc
    if kind == BOOL:
        if isinstance(text, bool):
            return text
        if str(text).lower() in ("true", "1", "yes"):
            return True
        if str(text).lower() in ("false", "0", "no"):
            return False
        raise ValueError(_("Use true or false."))
    if kind in (USER, TEAM, RELATION):
        try:
            return int(str(text))
        except ValueError as exc:
            raise ValueError(_("“%(value)s” is not an id.") % {"value": text}) from exc
    raise ValueError(_("This field cannot be filtered."))


def _group_by(items: list[Any], fields: dict[str, Field], errors: _Errors) -> list[GroupBy]:
    if len(items) > MAX_GROUP_BY:
        errors.add("group_by", _("At most %(n)d group-bys.") % {"n": MAX_GROUP_BY})
        return []
    result: list[GroupBy] = []
    for i, item in enumerate(items):
        where = f"group_by.{i}"
        field = _field(fields, item, where, errors)
        if field is None:
            continue
        if not field.can_group:
            errors.add(f"{where}.field", _("A report cannot be grouped by %(field)s.")
                       % {"field": field.label})
            continue
        bucket = str(item.get("bucket") or "")
        if field.kind in DATE_KINDS:
            bucket = bucket or "month"
            if bucket not in BUCKETS:
                errors.add(f"{where}.bucket", _("Unknown date bucket “%(bucket)s”.")
                           % {"bucket": bucket})
                continue
        elif bucket:
            errors.add(f"{where}.bucket", _("%(field)s is not a date; it has no buckets.")
                       % {"field": field.label})
            continue
        group = GroupBy(field=field, bucket=bucket)
        if group in result:
            errors.add(f"{where}.field", _("%(field)s is already a group-by.")
                       % {"field": field.label})
            continue
        result.append(group)
    return result


def _measures(items: list[Any], fields: dict[str, Field], errors: _Errors) -> list[Measure]:
    if not items or len(items) > MAX_MEASURES:
        errors.add("measures", _("Choose between 1 and %(n)d measures.") % {"n": MAX_MEASURES})
        return []
    result: list[Measure] = []
    for i, item in enumerate(items):
        where = f"measures.{i}"
        if not isinstance(item, dict):
            errors.add(where, _("Expected an object."))
            continue
        fn = str(item.get("fn") or "")
        if fn not in FUNCTIONS:
            errors.add(f"{where}.fn", _("Unknown measure “%(fn)s”.") % {"fn": fn})
            continue
        field = None
        if fn != "count":
            field = _field(fields, item, where, errors)
            if field is None:
                continue
            if not field.can_measure:
                errors.add(f"{where}.field",
                           _("%(field)s is not a number or an amount, so it has no %(fn)s.")
                           % {"field": field.label, "fn": FUNCTIONS[fn]})
                continue
        measure = Measure(fn=fn, field=field)
        if measure in result:
            errors.add(where, _("This measure is already in the report."))
            continue
        result.append(measure)
    return result

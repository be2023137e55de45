"""Running a validated report definition: one GROUP BY query over the rows the viewer may see,
then labels for the (at most MAX_GROUPS) groups, and the drill-down from a group to its rows.

No per-row Python: the database filters, buckets and aggregates; Python only labels and orders
the groups.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Team, User
from kehu.core.customfields import query as cf_query
from kehu.core.permissions.actor import Actor
from kehu.reports.definitions import Definition, Filter, GroupBy, Measure
from kehu.reports.fields import (
    BOOL,
    CHOICE,
    DATE_KINDS,
    DATETIME,
    MONEY,
    MULTI,
    RELATION,
    TEAM,
    TEXT,
    USER,
    Field,
)

MAX_GROUPS = 1000
NONE_KEY = "__none__"  # the group of rows without a value, in drill-down links
MIXED = "*"  # a money figure summing several currencies
_AGGREGATES = {"sum": Sum, "avg": Avg, "min": Min, "max": Max}
_CENT = decimal.Decimal("0.01")


@dataclass
class Row:
    keys: tuple[str, ...]  # one per group-by, as drill-down links carry them
    labels: tuple[str, ...]
    values: list[decimal.Decimal | int | None]
    currencies: list[str] = field(default_factory=list)  # per measure: "", a code or MIXED


@dataclass
class Result:
    definition: Definition
    rows: list[Row]
    truncated: bool

    @property
    def dimensions(self) -> list[str]:
        return [g.label for g in self.definition.group_by]

    @property
    def measures(self) -> list[Measure]:
        return list(self.definition.measures)

    @property
    def width(self) -> int:
        """Columns of the result table."""
        return len(self.definition.group_by) + len(self.definition.measures)

    @property
    def message(self) -> str:
        if not self.truncated:
            return ""
        return _("The report has more than %(n)d groups; only the first %(n)d are shown. "
                 "Add a filter or a coarser group-by.") % {"n": MAX_GROUPS}

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows for exports: group labels, then each measure (and its currency)."""
        header = [*self.dimensions]
        for m in self.measures:
            header.append(m.label)
            if m.is_money:
                header.append(_("Currency"))
        rows = []
        for row in self.rows:
            cells: list[Any] = list(row.labels)
            for i, m in enumerate(self.measures):
                cells.append(row.values[i])
                if m.is_money:
                    cells.append(row.currencies[i])
            rows.append(cells)
        return header, rows

    def chart(self) -> dict[str, Any]:
        """What the ECharts script draws; numbers as strings (never floats in JSON)."""
        d = self.definition
        data: dict[str, Any] = {"type": d.chart, "categories": [], "series": []}
        if not d.group_by:
            return data
        if len(d.group_by) == 1:
            data["categories"] = [row.labels[0] for row in self.rows]
            data["series"] = [{"name": m.label, "data": [_text(row.values[i]) for row in self.rows]}
                              for i, m in enumerate(self.measures)]
            return data
        categories = list(dict.fromkeys(row.labels[0] for row in self.rows))
        series: dict[str, dict[str, str | None]] = {}
        for row in self.rows:
            series.setdefault(row.labels[1], {})[row.labels[0]] = _text(row.values[0])
        data["categories"] = categories
        data["series"] = [{"name": name, "data": [values.get(c) for c in categories]}
                          for name, values in series.items()]
        data["measure"] = self.measures[0].label
        return data


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# Filters ------------------------------------------------------------------------------------

def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _range(field: Field, start: datetime.date | None, end: datetime.date | None,
           lhs: str) -> Q:
    """start <= value < end, for date fields; date-times compare with local midnights."""
    convert = _day_start if field.kind == DATETIME and field.custom is None else (lambda d: d)
    q = Q()
    if start is not None:
        q &= Q(**{f"{lhs}__gte": convert(start)})
    if end is not None:
        q &= Q(**{f"{lhs}__lt": convert(end)})
    return q


def _lhs(qs: models.QuerySet, field: Field, name: str) -> tuple[models.QuerySet, str]:
    """The lookup name of the field's value: its path, or an alias of the custom value."""
    if field.custom is None:
        return qs, field.path
    return qs.alias(**{name: field.expression()}), name


def _apply_filter(qs: models.QuerySet, flt: Filter, name: str) -> models.QuerySet:
    field, op, value = flt.field, flt.op, flt.value
    if op in ("empty", "not_empty"):
        if field.custom is not None:
            qs, lhs = qs.alias(**{name: cf_query.CustomValue(field.custom.key)}), name
        else:
            lhs = field.path
        blank = Q(**{f"{lhs}__isnull": True})
        if field.kind in (TEXT, CHOICE, MULTI):
            blank |= Q(**{lhs: ""})
        return qs.filter(blank) if op == "empty" else qs.exclude(blank)
    if field.custom is not None and field.kind == BOOL:
        return qs.filter(**{f"custom_data__{field.custom.key}": value})
    if field.custom is not None and field.kind == MULTI:
        return qs.filter(cf_query.ArrayHas(field.custom.key, value))
    qs, lhs = _lhs(qs, field, name)
    if field.kind in DATE_KINDS:
        one = datetime.timedelta(days=1)
        q = {"eq": lambda: _range(field, value, value + one, lhs),
             "gt": lambda: _range(field, value + one, None, lhs),
             "gte": lambda: _range(field, value, None, lhs),
             "lt": lambda: _range(field, None, value, lhs),
             "lte": lambda: _range(field, None, value + one, lhs),
             "between": lambda: _range(field, value[0], value[1] + one, lhs)}[op]()
        return qs.filter(q)
    if op == "between":
        return qs.filter(**{f"{lhs}__gte": value[0], f"{lhs}__lte": value[1]})
    if op == "ne":
        return qs.exclude(**{lhs: value})
    lookup = {"eq": "exact", "in": "in", "contains": "icontains", "gt": "gt", "gte": "gte",
              "lt": "lt", "lte": "lte"}[op]
    return qs.filter(**{f"{lhs}__{lookup}": value})


def filtered(actor: Actor, definition: Definition) -> models.QuerySet:
    """The viewer's visible rows of the object, narrowed by the report's filters."""
    qs = definition.spec.queryset(actor)
    for i, flt in enumerate(definition.filters):
        qs = _apply_filter(qs, flt, f"rf{i}")
    return qs


# Grouping and measures ---------------------------------------------------------------------

class Bucket(Trunc):
    """A date bucket (day/week/month/quarter/year start) as a date. PostgreSQL truncates
    natively; on SQLite Django's Trunc calls a Python function per row, so where the time
    zone has one fixed offset (China's has) the bucket is computed by SQLite's own date
    functions instead, shifting date-times (stored in UTC) by that offset."""

    # {x} is the value, {m} the time-zone shift (SQLite date-function modifiers); "%%" is how
    # a literal "%" survives Django's placeholder conversion on SQLite
    _SQLITE = {
        "day": "date({x}{m})",
        "week": "date({x}{m}, '-6 days', 'weekday 1')",
        "month": "strftime('%%Y-%%m-01', {x}{m})",
        "year": "strftime('%%Y-01-01', {x}{m})",
        "quarter": "printf('%%s-%%02d-01', strftime('%%Y', {x}{m}), "
                   "(CAST(strftime('%%m', {x}{m}) AS INTEGER) - 1) / 3 * 3 + 1)",
    }

    def as_sqlite(self, compiler, connection):
        is_datetime = isinstance(self.lhs.output_field, models.DateTimeField)
        offset = _fixed_offset_seconds() if is_datetime else 0
        if offset is None:
            return super().as_sql(compiler, connection)
        sql, params = compiler.compile(self.lhs)
        template = self._SQLITE[self.kind]
        shift = f", '{offset:+d} seconds'" if offset else ""
        return (template.replace("{m}", shift).replace("{x}", sql),
                tuple(params) * template.count("{x}"))


def _fixed_offset_seconds() -> int | None:
    """The current time zone's UTC offset when it is the same all year, else None."""
    tz = timezone.get_current_timezone()
    now = timezone.now()
    offsets = {tz.utcoffset((now + datetime.timedelta(days=d)).replace(tzinfo=None))
               for d in range(-365, 366, 30)}
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


def _group_expression(group: GroupBy):
    if group.field.custom is not None and group.field.kind == BOOL:
        return cf_query.CustomValue(group.field.custom.key)
    expression = group.field.expression()
    if group.bucket:
        return Bucket(expression, group.bucket, output_field=models.DateField())
    return expression


def _aggregates(definition: Definition) -> dict[str, Any]:
    aggregates: dict[str, Any] = {}
    for i, m in enumerate(definition.measures):
        if m.fn == "count":
            aggregates[f"m{i}"] = Count("pk")
            continue
        expression = m.field.expression()
        if m.field.kind == MONEY or m.fn == "avg":
            aggregates[f"m{i}"] = _AGGREGATES[m.fn](
                expression, output_field=models.DecimalField(max_digits=30, decimal_places=10))
        else:
            aggregates[f"m{i}"] = _AGGREGATES[m.fn](expression)
        currency = m.field.currency_expression()
        if currency is not None:
            aggregates[f"c{i}lo"] = Min(currency)
            aggregates[f"c{i}hi"] = Max(currency)
    return aggregates


def run(*, actor: Actor, definition: Definition) -> Result:
    qs = filtered(actor, definition)
    aggregates = _aggregates(definition)
    if definition.group_by:
        dims = {f"g{i}": _group_expression(g) for i, g in enumerate(definition.group_by)}
        raw = list(qs.values(**dims).annotate(**aggregates).order_by(*dims)[:MAX_GROUPS + 1])
    else:
        raw = [qs.aggregate(**aggregates)]
    truncated = len(raw) > MAX_GROUPS
    raw = raw[:MAX_GROUPS]
    keys = [[_normalize(g, r[f"g{i}"]) for i, g in enumerate(definition.group_by)] for r in raw]
    labellers = [_labeller(actor, g, {k[i] for k in keys})
                 for i, g in enumerate(definition.group_by)]
    rows = []
    for values, key in zip(raw, keys, strict=True):
        rows.append(Row(
            keys=tuple(_key_text(k) for k in key),
            labels=tuple(labeller.label(k) for labeller, k in zip(labellers, key, strict=True)),
            values=[_measure_value(m, values[f"m{i}"]) for i, m in enumerate(definition.measures)],
            currencies=[_currency(values, i) for i in range(len(definition.measures))]))
    order = [(i, labellers[i]) for i in range(len(labellers))]
    rows.sort(key=lambda row: tuple(lab.sort_key(_parse_key(definition.group_by[i], row.keys[i]))
                                    for i, lab in order))
    return Result(definition=definition, rows=rows, truncated=truncated)


def _measure_value(measure: Measure, value: Any) -> decimal.Decimal | int | None:
    if measure.fn == "count":
        return int(value or 0)
    if value is None:
        return None
    number = decimal.Decimal(str(value)) if not isinstance(value, decimal.Decimal) else value
    if measure.is_money or measure.fn == "avg":
        return number.quantize(_CENT, rounding=decimal.ROUND_HALF_UP)
    return number.normalize() if number == number.to_integral() else number


def _currency(values: dict[str, Any], i: int) -> str:
    if f"c{i}lo" not in values:
        return ""
    low, high = values[f"c{i}lo"], values[f"c{i}hi"]
    return MIXED if low != high else (low or "")


def _normalize(group: GroupBy, value: Any) -> Any:
    if value is None:
        return None
    if group.bucket:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
        return value
    if group.field.kind == BOOL:
        return value in (True, 1, "1", "true")
    if group.field.kind in (USER, TEAM, RELATION):
        return int(value)
    return value


def _key_text(value: Any) -> str:
    if value is None:
        return NONE_KEY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _parse_key(group: GroupBy, text: str) -> Any:
    """A group key from a drill-down link, back to its typed value (ValueError if malformed)."""
    if text == NONE_KEY:
        return None
    if group.bucket:
        return datetime.date.fromisoformat(text)
    kind = group.field.kind
    if kind == BOOL:
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    if kind in (USER, TEAM, RELATION):
        return int(text)
    return text


# Labels ------------------------------------------------------------------------------------

class _Labeller:
    def __init__(self, group: GroupBy, names: dict[Any, str] | None = None) -> None:
        self.group = group
        self.names = names or {}
        self.positions = {key: i for i, key in enumerate(self.names)}
        if group.field.choices:
            self.positions = {value: i for i, (value, _l) in enumerate(group.field.choices)}

    def label(self, value: Any) -> str:
        if value is None or value == "":
            return _("(empty)")
        field = self.group.field
        if self.group.bucket:
            return _bucket_label(value, self.group.bucket)
        if field.kind == BOOL:
            return _("Yes") if value else _("No")
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if value in self.names:
            return self.names[value]
        return str(value)

    def sort_key(self, value: Any) -> tuple:
        if value is None or value == "":
            return (1, 0, "")
        if value in self.positions:
            return (0, self.positions[value], "")
        if isinstance(value, datetime.date | int | bool):
            return (0, value, "")
        return (0, 0, str(value))


def _labeller(actor: Actor, group: GroupBy, keys: set[Any]) -> _Labeller:
    kind, ids = group.field.kind, [k for k in keys if k is not None]
    if group.bucket or not ids or kind not in (USER, TEAM, RELATION):
        return _Labeller(group)
    if kind == USER:
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids).order_by("name", "pk")}
    elif kind == TEAM:
        names = {t.pk: str(t) for t in Team.objects.filter(
            organization=actor.organization, pk__in=ids).order_by("path")}
    else:
        model = group.field.related
        names = {o.pk: str(o) for o in model._default_manager.filter(
            organization=actor.organization, pk__in=ids)}
    return _Labeller(group, names)


def _bucket_label(day: datetime.date, bucket: str) -> str:
    if bucket == "year":
        return f"{day:%Y}"
    if bucket == "quarter":
        return f"{day:%Y} Q{(day.month - 1) // 3 + 1}"
    if bucket == "month":
        return f"{day:%Y-%m}"
    if bucket == "week":
        year, week, _day = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _bucket_end(start: datetime.date, bucket: str) -> datetime.date:
    if bucket == "day":
        return start + datetime.timedelta(days=1)
    if bucket == "week":
        return start + datetime.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


# Drill-down --------------------------------------------------------------------------------

def group_rows(*, actor: Actor, definition: Definition, keys: list[str]) -> models.QuerySet:
    """The rows one group of the result counts: the report's filters plus the group's keys,
    so the number of rows equals the group's count."""
    if len(keys) != len(definition.group_by):
        raise ValidationError({"group": [_("This group is not in the report.")]})
    qs = filtered(actor, definition)
    for i, (group, text) in enumerate(zip(definition.group_by, keys, strict=True)):
        try:
            value = _parse_key(group, text)
        except ValueError as exc:
            raise ValidationError({"group": [_("This group is not in the report.")]}) from exc
        qs = _group_filter(qs, group, value, f"rg{i}")
    spec = definition.spec
    return qs.select_related(*spec.select_related).order_by("-pk")


def _group_filter(qs: models.QuerySet, group: GroupBy, value: Any, name: str
                  ) -> models.QuerySet:
    field = group.field
    if field.custom is not None and field.kind == BOOL:
        if value is None:
            return qs.alias(**{name: cf_query.CustomValue(field.custom.key)}) \
                .filter(**{f"{name}__isnull": True})
        return qs.filter(**{f"custom_data__{field.custom.key}": value})
    qs, lhs = _lhs(qs, field, name)
    if value is None:
        return qs.filter(**{f"{lhs}__isnull": True})
    if group.bucket:
        return qs.filter(_range(field, value, _bucket_end(value, group.bucket), lhs))
    return qs.filter(**{lhs: value})


def group_labels(*, actor: Actor, definition: Definition, keys: list[str]) -> list[str]:
    """The labels of one group's keys, as the report's table shows them."""
    labels = []
    for group, text in zip(definition.group_by, keys, strict=False):
        try:
            value = _parse_key(group, text)
        except ValueError:
            labels.append(text)
            continue
        labels.append(_labeller(actor, group, {value}).label(value))
    return labels

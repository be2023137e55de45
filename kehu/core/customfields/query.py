"""Filtering and sorting records by custom-field values, in SQL both databases index.

`CustomValue(key)` compiles to `json_extract(custom_data, '$."key"')` on SQLite and
`(custom_data ->> 'key')` on PostgreSQL: exactly the expressions `indexing.ensure_index`
puts in the per-field index. The key is inlined (indexes only match literal expressions);
it is a slug validated by the definition, and checked again here.
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.expressions import Expression
from django.db.models.functions import Cast

from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.values import coerce_value

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
Kind = FieldDefinition.Kind
NUMERIC_KINDS = (Kind.INTEGER, Kind.DECIMAL, Kind.MONEY)


class CustomValue(Expression):
    """The value of one custom field, as text (PostgreSQL) or its JSON scalar (SQLite)."""

    def __init__(self, key: str, sub_key: str = "",
                 output_field: models.Field | None = None) -> None:
        if not _SLUG.match(key) or (sub_key and not _SLUG.match(sub_key)):
            raise ValueError(f"Invalid custom field key: {key!r}")
        super().__init__(output_field=output_field or models.TextField())
        self.key, self.sub_key = key, sub_key

    def as_sql(self, compiler, connection):
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}" \
                 f".{connection.ops.quote_name('custom_data')}"
        if connection.vendor == "postgresql":
            if self.sub_key:
                return f"({column} -> '{self.key}' ->> '{self.sub_key}')", []
            return f"({column} ->> '{self.key}')", []
        path = f'$."{self.key}"' + (f'."{self.sub_key}"' if self.sub_key else "")
        return f"json_extract({column}, '{path}')", []


class ArrayHas(Expression):
    """True when the multi-select field `key` includes `option`."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, key: str, option: str) -> None:
        if not _SLUG.match(key):
            raise ValueError(f"Invalid custom field key: {key!r}")
        super().__init__()
        self.key, self.option = key, option

    def as_sql(self, compiler, connection):
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}" \
                 f".{connection.ops.quote_name('custom_data')}"
        if connection.vendor == "postgresql":
            return f"(({column} -> '{self.key}') ? %s)", [self.option]
        return (f"EXISTS (SELECT 1 FROM json_each({column}, '$.\"{self.key}\"') "  # noqa: S608
                f"WHERE json_each.value = %s)", [self.option])


def value_expression(definition: FieldDefinition) -> Expression:
    if definition.kind == Kind.MONEY:
        return Cast(CustomValue(definition.key, "amount"),
                    models.DecimalField(max_digits=20, decimal_places=2))
    if definition.kind in (Kind.INTEGER, Kind.USER):
        return Cast(CustomValue(definition.key), models.BigIntegerField())
    if definition.kind == Kind.DECIMAL:
        return Cast(CustomValue(definition.key),
                    models.DecimalField(max_digits=30, decimal_places=10))
    return CustomValue(definition.key)


def annotation_name(definition: FieldDefinition) -> str:
    return f"cf_{definition.key}".replace("-", "_")


def order_by_custom(queryset: models.QuerySet, definition: FieldDefinition,
                    descending: bool = False) -> models.QuerySet:
    name = annotation_name(definition)
    expression = value_expression(definition)
    qs = queryset.annotate(**{name: expression})
    ordering = getattr(models.F(name), "desc" if descending else "asc")(nulls_last=True)
    return qs.order_by(ordering, "-id" if descending else "id")


def filter_by_custom(queryset: models.QuerySet, definition: FieldDefinition, op: str,
                     raw: Any) -> models.QuerySet:
    """`op` is one of eq, contains, gt, gte, lt, lte, empty, not_empty.

    Raises ValueError with a user-facing message when `raw` does not fit the field.
    """
    name = annotation_name(definition)
    if op in ("empty", "not_empty"):
        present = ~Q(**{f"{name}__isnull": True}) & ~Q(**{name: ""})
        qs = queryset.annotate(**{name: CustomValue(definition.key)})
        return qs.filter(present if op == "not_empty" else ~present)
    if definition.kind == Kind.MULTISELECT:
        for option in coerce_value(definition, raw) or []:
            queryset = queryset.filter(ArrayHas(definition.key, option))
        return queryset
    if definition.kind == Kind.BOOLEAN:
        value = coerce_value(definition, raw)
        return queryset.filter(**{f"custom_data__{definition.key}": value})
    value = coerce_value(definition, raw)
    if definition.kind in NUMERIC_KINDS:
        value = decimal.Decimal(value["amount"] if isinstance(value, dict) else str(value))
        if definition.kind == Kind.INTEGER:
            value = int(value)
    lookups = {"eq": "exact", "contains": "icontains", "gt": "gt", "gte": "gte", "lt": "lt",
               "lte": "lte"}
    if op not in lookups:
        raise ValueError(f"Unknown operator {op}")
    return queryset.annotate(**{name: value_expression(definition)}).filter(
        **{f"{name}__{lookups[op]}": _comparable(value)})


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value

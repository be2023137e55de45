"""Saved filters (segments) over customers: conditions, validated, applied as SQL.

A condition is {"field": ..., "op": ..., "value": ...}. Fields are the customer's own
fields, `tags`, `days_since_follow_up`, or `custom.<key>` for a custom field; operators depend
on the field (see OPERATORS). Every condition must hold.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kehu.core.customfields import query as custom_query
from kehu.core.customfields.models import FieldDefinition
from kehu.customers.models import Customer

CHOICE_FIELDS = {"kind", "level", "status"}
TEXT_FIELDS = {"name", "short_name", "industry", "source", "province", "city", "district",
               "address", "phone", "email", "website"}
DATE_FIELDS = {"next_follow_up_on", "created_at", "last_contacted_at"}
OPERATORS = {
    "text": {"eq", "ne", "contains", "in", "empty", "not_empty"},
    "choice": {"eq", "ne", "in"},
    "date": {"gte", "lte", "empty", "not_empty"},
    "owner": {"eq", "in", "empty", "not_empty"},
    "tags": {"any", "all", "none"},
    "days": {"gte", "lte"},
    "custom": {"eq", "contains", "gt", "gte", "lt", "lte", "empty", "not_empty"},
}


def _kind(field: str) -> str | None:
    if field in TEXT_FIELDS:
        return "text"
    if field in CHOICE_FIELDS:
        return "choice"
    if field in DATE_FIELDS:
        return "date"
    if field in ("owner", "tags"):
        return field
    if field == "days_since_follow_up":
        return "days"
    if field.startswith("custom."):
        return "custom"
    return None


def apply(queryset: QuerySet[Customer], conditions: list[dict[str, Any]], *,
          definitions: dict[str, FieldDefinition]) -> QuerySet[Customer]:
    """`queryset` narrowed by every condition. ValidationError names the bad condition
    ("conditions.2") and says why."""
    errors = {}
    for i, condition in enumerate(conditions):
        try:
            queryset = _apply_one(queryset, condition, definitions)
        except (ValueError, TypeError, KeyError) as exc:
            errors[f"conditions.{i}"] = str(exc) or _("This condition is not valid.")
    if errors:
        raise ValidationError(errors)
    return queryset


def _apply_one(qs: QuerySet[Customer], condition: dict[str, Any],
               definitions: dict[str, FieldDefinition]) -> QuerySet[Customer]:
    field, op, value = condition.get("field", ""), condition.get("op", ""), condition.get("value")
    kind = _kind(field)
    if kind is None:
        raise ValueError(_("Unknown field “%(field)s”.") % {"field": field})
    if op not in OPERATORS[kind]:
        raise ValueError(_("“%(op)s” does not apply to %(field)s.") % {"op": op, "field": field})
    if kind == "custom":
        definition = definitions.get(field.removeprefix("custom."))
        if definition is None:
            raise ValueError(_("Unknown custom field “%(field)s”.") % {"field": field})
        return custom_query.filter_by_custom(qs, definition, op, value)
    if kind == "tags":
        ids = [int(v) for v in (value or [])]
        if op == "any":
            return qs.filter(tags__id__in=ids).distinct()
        if op == "none":
            return qs.exclude(tags__id__in=ids)
        for tag_id in ids:
            qs = qs.filter(tags__id=tag_id)
        return qs
    if kind == "days":
        cutoff = timezone.now() - datetime.timedelta(days=int(value))
        if op == "gte":  # at least N days without a follow-up (or never)
            return qs.filter(Q(last_contacted_at__lte=cutoff) | Q(last_contacted_at__isnull=True))
        return qs.filter(last_contacted_at__gt=cutoff)
    column = "owner_id" if field == "owner" else field
    if op == "empty":
        return qs.filter(Q(**{f"{column}__isnull": True}) | (
            Q(**{column: ""}) if kind == "text" else Q(pk__in=[])))
    if op == "not_empty":
        return qs.exclude(Q(**{f"{column}__isnull": True}) | (
            Q(**{column: ""}) if kind == "text" else Q(pk__in=[])))
    if kind == "date":
        day = parse_date(str(value))
        if day is None:
            raise ValueError(_("Enter a date as YYYY-MM-DD."))
        lookup = column if column == "next_follow_up_on" else f"{column}__date"
        return qs.filter(**{f"{lookup}__{op}": day})
    if op == "in":
        return qs.filter(**{f"{column}__in": list(value or [])})
    if op == "contains":
        return qs.filter(**{f"{column}__icontains": str(value)})
    if op == "ne":
        return qs.exclude(**{column: value})
    return qs.filter(**{column: value})

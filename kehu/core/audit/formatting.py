"""Audit records as people read them: field labels instead of column names, names instead of
ids, choices by their label, dates in the viewer's format, custom fields by their definition.

Works for records of any model, so the admin audit log and every record's history page read
the same way. Names of related rows are looked up in one query per related model and page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kehu.core.accounts import selectors as account_selectors
from kehu.core.customfields.forms import format_value
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions.actor import Actor

EMPTY = (None, "", [], {})
# Bookkeeping columns a person does not need to read in a history.
SKIPPED = {"created_at", "last_contacted_at", "board_rank", "stage_entered_at"}


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        for field in model._meta.concrete_fields:
            if field.attname == key:
                return field
    return None


class ChangeFormatter:
    def __init__(self, actor: Actor, records: list) -> None:
        self.actor = actor
        object_types = {r.object_type for r in records}
        self.definitions: dict[str, dict[str, FieldDefinition]] = defaultdict(dict)
        for definition in FieldDefinition.objects.filter(organization=actor.organization,
                                                         object_type__in=object_types):
            self.definitions[definition.object_type][definition.key] = definition
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        for record in records:
            model = _model(record.object_type)
            user_keys = {f"custom.{k}" for k, d in self.definitions[record.object_type].items()
                         if d.kind == FieldDefinition.Kind.USER}
            for key, pair in record.changes.items():
                field = _field(model, key)
                related = field.related_model if field is not None and field.is_relation else None
                if key in user_keys:
                    related = apps.get_model(settings.AUTH_USER_MODEL)
                if related is not None and isinstance(pair, list | tuple):
                    wanted[related].update(v for v in pair if isinstance(v, int))
        self.names: dict[type[models.Model], dict[int, str]] = {}
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        for related, ids in wanted.items():
            self.names[related] = self._names(related, ids, user_model)

    def _names(self, related: type[models.Model], ids: set[int],
               user_model: type[models.Model]) -> dict[int, str]:
        if related is user_model:
            members = account_selectors.member_list(organization=self.actor.organization)
            return {m.user_id: str(m.user) for m in members.filter(user_id__in=ids)}
        if not any(f.name == "organization" for f in related._meta.concrete_fields):
            return {}
        rows = related._default_manager.filter(organization=self.actor.organization,
                                               pk__in=ids)
        return {row.pk: str(row) for row in rows}

    def entries(self, record) -> list[dict[str, str]]:
        """Rows of label, before, after. A creation lists only what it set, a deletion only
        what had a value."""
        model = _model(record.object_type)
        rows = []
        for key, pair in sorted(record.changes.items(),
                                key=lambda item: self._position(model, record, item[0])):
            if not isinstance(pair, list | tuple) or len(pair) != 2 or key in SKIPPED:
                continue
            before, after = pair
            if before in EMPTY and after in EMPTY:
                continue
            rows.append({"label": self.label(model, record, key),
                         "before": self.value(model, record, key, before),
                         "after": self.value(model, record, key, after)})
        return rows

    def _position(self, model, record, key: str) -> tuple[int, int]:
        if key.startswith("custom."):
            definition = self.definitions[record.object_type].get(key[7:])
            return (1, definition.position if definition else 0)
        names = [f.attname for f in model._meta.concrete_fields] if model else []
        return (0, names.index(key) if key in names else len(names))

    def label(self, model, record, key: str) -> str:
        if key.startswith("custom."):
            definition = self.definitions[record.object_type].get(key[7:])
            return definition.label if definition else key[7:]
        field = _field(model, key)
        return str(field.verbose_name) if field is not None else key

    def value(self, model, record, key: str, value: Any) -> str:
        if value in EMPTY:
            return ""
        if key.startswith("custom."):
            definition = self.definitions[record.object_type].get(key[7:])
            if definition is None:
                return str(value)
            user_model = apps.get_model(settings.AUTH_USER_MODEL)
            return format_value(definition, value, user_names=self.names.get(user_model, {}))
        if isinstance(value, list):  # tags
            return ", ".join(str(v) for v in value)
        field = _field(model, key)
        if field is None:
            return str(value)
        if field.is_relation and field.related_model is not None:
            return self.names.get(field.related_model, {}).get(value) or f"#{value}"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(field, models.DateTimeField):
            parsed = parse_datetime(str(value))
            if parsed is not None:
                if timezone.is_aware(parsed):
                    parsed = timezone.localtime(parsed)
                return formats.date_format(parsed, "DATETIME_FORMAT")
        elif isinstance(field, models.DateField):
            parsed_date = parse_date(str(value))
            if parsed_date is not None:
                return formats.date_format(parsed_date, "DATE_FORMAT")
        return str(value)

"""A customer's history (audit log) as people read it: labels instead of column names, names
instead of ids, choices by their label, custom fields by their definition."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kehu.core.accounts import selectors as account_selectors
from kehu.core.audit import selectors as audit_selectors
from kehu.core.customfields.forms import format_value
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions.actor import Actor, Via
from kehu.customers.models import Customer
from kehu.customers.views import _common

HISTORY_LIMIT = 50
Kind = FieldDefinition.Kind


def _all_definitions(actor: Actor) -> dict[str, FieldDefinition]:
    """Every definition, active or not: history shows labels of fields since deactivated."""
    return {d.key: d for d in FieldDefinition.objects.filter(organization=actor.organization,
                                                             object_type=_common.OBJECT_TYPE)}


class _HistoryFormatter:
    """Turns ChangeRecord.changes into rows people read: labels instead of column names,
    names instead of ids, choices by their label, custom fields by their definition."""

    SKIPPED = {"created_at", "last_contacted_at"}

    def __init__(self, actor: Actor, records: list, definitions: dict[str, FieldDefinition]):
        self.definitions = definitions
        user_ids: set[int] = set()
        team_ids: set[int] = set()
        user_keys = {f"custom.{k}" for k, d in definitions.items() if d.kind == Kind.USER}
        for record in records:
            for key, pair in record.changes.items():
                ids = user_ids if key == "owner_id" or key in user_keys else (
                    team_ids if key == "team_id" else None)
                if ids is not None:
                    ids.update(v for v in pair if isinstance(v, int))
        self.user_names = _common.user_names(actor, user_ids)
        self.team_names = dict(account_selectors.team_list(organization=actor.organization)
                               .filter(pk__in=team_ids).values_list("pk", "name"))

    def entries(self, record) -> list[dict[str, str]]:
        rows = []
        for key, (before, after) in sorted(record.changes.items(), key=self._position):
            if key in self.SKIPPED or (before in (None, "", []) and after in (None, "", [])):
                continue
            rows.append({"label": self.label(key), "before": self.value(key, before),
                         "after": self.value(key, after)})
        return rows

    def _position(self, item: tuple[str, Any]) -> tuple[int, int]:
        key = item[0]
        if key.startswith("custom."):
            definition = self.definitions.get(key[7:])
            return (1, definition.position if definition else 0)
        names = [f.attname for f in Customer._meta.concrete_fields]
        return (0, names.index(key) if key in names else len(names))

    def label(self, key: str) -> str:
        if key.startswith("custom."):
            definition = self.definitions.get(key[7:])
            return definition.label if definition else key[7:]
        try:
            return str(Customer._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if key.startswith("custom."):
            definition = self.definitions.get(key[7:])
            if definition is None:
                return str(value)
            return format_value(definition, value, user_names=self.user_names)
        if isinstance(value, list):  # tags
            return ", ".join(str(v) for v in value)
        if key == "owner_id":
            return self.user_names.get(value) or f"#{value}"
        if key == "team_id":
            return self.team_names.get(value) or f"#{value}"
        try:
            field = Customer._meta.get_field(key)
        except FieldDoesNotExist:
            return str(value)
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



def history(actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    records = list(audit_selectors.history_for(actor=actor, instance=customer)[:HISTORY_LIMIT])
    formatter = _HistoryFormatter(actor, records, _all_definitions(actor))
    via_labels = dict(Via.choices)
    return [{"record": r, "via": via_labels.get(r.via, r.via), "changes": formatter.entries(r)}
            for r in records]

"""Writing the audit log. Called by the generic write helpers, never by views."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

from kehu.core.audit.models import ChangeRecord
from kehu.core.permissions.actor import Actor

SKIPPED_FIELDS = {"updated_at", "version", "search_text"}


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field values as the audit log stores them; custom fields appear as "custom.<key>"."""
    values: dict[str, Any] = {}
    skipped = SKIPPED_FIELDS | getattr(instance, "audit_exclude", frozenset())
    for f in instance._meta.concrete_fields:
        if f.name in skipped or f.name in ("id", "organization"):
            continue
        if f.name == "custom_data":
            for key, value in (getattr(instance, "custom_data", None) or {}).items():
                values[f"custom.{key}"] = _plain(value)
            continue
        values[f.attname] = _plain(getattr(instance, f.attname))
    return values


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list]:
    before, after = before or {}, after or {}
    return {key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}


def change_record(*, actor: Actor, action: str, instance: models.Model,
                  before: dict[str, Any] | None, after: dict[str, Any] | None,
                  note: str = "") -> ChangeRecord | None:
    changes = diff(before, after)
    if action == ChangeRecord.Action.UPDATE and not changes:
        return None
    return ChangeRecord.objects.create(
        organization=actor.organization, user=actor.user, via=actor.via, action=action,
        object_type=instance._meta.label_lower, object_id=instance.pk,
        object_repr=str(instance)[:200], changes=changes, note=note[:200])


def change_records_bulk(records: list[ChangeRecord]) -> None:
    """For imports and bulk actions: the same rows, written in one statement."""
    ChangeRecord.objects.bulk_create(records, batch_size=1000)

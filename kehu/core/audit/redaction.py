"""Redacting personal values in the audit log, for a person's erasure request (PIPL/GDPR).

The audit log is append-only; this module is the one narrow path that rewrites it, through
`ChangeRecordQuerySet.redact`. Only values change: who acted, when, through which channel,
the action, the object and the names of the fields that changed all stay, so the trail still
says "Li changed the mobile of contact #5 on 3 May" without saying to what.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from kehu.core.audit.models import ChangeRecord
from kehu.core.permissions.actor import Actor

# Stored in place of a personal value: a data marker, like null, so it is not translated.
REDACTED = "[redacted]"
# Literals shorter than this are not replaced inside free text (one character is not a name).
MIN_LITERAL = 2


def _pattern(literal: str) -> str:
    # Latin words and digits only match whole ("Li" is not the "li" of "delivery"); Chinese
    # has no word boundaries, so a name matches wherever it appears.
    head = r"(?<![A-Za-z0-9])" if literal[0].isascii() and literal[0].isalnum() else ""
    tail = r"(?![A-Za-z0-9])" if literal[-1].isascii() and literal[-1].isalnum() else ""
    return f"{head}{re.escape(literal)}{tail}"


def replacer(replacements: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces every literal (case-insensitive, longest first) in a text."""
    literals = sorted((k for k in replacements if len(k) >= MIN_LITERAL), key=len, reverse=True)
    if not literals:
        return lambda text: text
    lowered = {k.lower(): v for k, v in replacements.items()}
    pattern = re.compile("|".join(_pattern(k) for k in literals), re.IGNORECASE)
    return lambda text: pattern.sub(lambda m: lowered[m.group(0).lower()], text)


def scrub(value: Any, replace: Callable[[str], str]) -> Any:
    """`value` (JSON: strings, lists, dicts) with every literal replaced inside its strings."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list | tuple):
        return [scrub(v, replace) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, replace) for k, v in value.items()}
    return value


def _redacted_pair(pair: Any) -> Any:
    if isinstance(pair, list | tuple):
        return [v if v in (None, "", [], {}) else REDACTED for v in pair]
    return REDACTED


def _rewrite(records: Iterable[ChangeRecord], *, personal: Callable[[str, str], bool],
             replace: Callable[[str], str], reprs: dict[tuple[str, int], str]) -> int:
    count = 0
    for record in records:
        changes = {key: (_redacted_pair(pair) if personal(record.object_type, key)
                         else scrub(pair, replace))
                   for key, pair in record.changes.items()}
        object_repr = reprs.get((record.object_type, record.object_id),
                                replace(record.object_repr))[:200]
        note = replace(record.note)[:200]
        if (changes, object_repr, note) != (record.changes, record.object_repr, record.note):
            ChangeRecord.objects.filter(pk=record.pk).redact(
                changes=changes, object_repr=object_repr, note=note)
            count += 1
    return count


def redact_objects(*, organization, objects: dict[str, Iterable[int]],
                   personal: Callable[[str, str], bool], replacements: dict[str, str],
                   reprs: dict[tuple[str, int], str] | None = None) -> int:
    """Rewrite the history of these objects ({object_type: ids}): values of fields for which
    `personal(object_type, field)` holds become REDACTED, the literals in `replacements`
    are replaced everywhere else, and `reprs` gives new object names. Returns rows changed."""
    condition = Q()
    for object_type, ids in objects.items():
        ids = list(ids)
        if ids:
            condition |= Q(object_type=object_type, object_id__in=ids)
    if not condition:
        return 0
    records = (ChangeRecord.objects.filter(condition, organization=organization)
               .order_by("pk").iterator(chunk_size=500))
    return _rewrite(records, personal=personal, replace=replacer(replacements),
                    reprs=reprs or {})


def mentioning(*, organization, literals: Iterable[str]) -> QuerySet[ChangeRecord]:
    """The organization's audit records that contain any of the literals. JSON on SQLite is
    stored with non-ASCII characters escaped, so both spellings are looked for."""
    condition = Q()
    for literal in literals:
        if len(literal) < MIN_LITERAL:
            continue
        for spelling in {literal, json.dumps(literal)[1:-1]}:
            condition |= (Q(changes__icontains=spelling) | Q(object_repr__icontains=spelling)
                          | Q(note__icontains=spelling))
    if not condition:
        return ChangeRecord.objects.none()
    return ChangeRecord.objects.filter(condition, organization=organization)


def redact_mentions(*, organization, replacements: dict[str, str]) -> int:
    """Replace the literals wherever they appear in the organization's audit log: for values
    that identify one person only, such as a phone number or an email address."""
    records = (mentioning(organization=organization, literals=replacements)
               .order_by("pk").iterator(chunk_size=500))
    return _rewrite(records, personal=lambda _t, _k: False, replace=replacer(replacements),
                    reprs={})


def erasure_record(*, actor: Actor, object_type: str, object_id: int, object_repr: str,
                   erased: list[str], reason: str) -> ChangeRecord:
    """The one audit row of an erasure: who, when, why and which records, no personal values
    (the caller scrubs `reason` of them)."""
    return ChangeRecord.objects.create(
        organization=actor.organization, user=actor.user, via=actor.via,
        action=ChangeRecord.Action.ERASE, object_type=object_type, object_id=object_id,
        object_repr=object_repr[:200], changes={"records": [None, erased]}, note=reason[:200])

"""What counts as personal, and the tools every source uses to erase it.

Custom fields: there is no "personal" flag on field definitions; every value of a kind that
can hold free text or a date (text, long text, date, date and time, phone, email, URL) is
treated as personal on an erased record, and values of kinds that only classify (number,
money, yes/no, select, user) are kept. A key with no definition any more counts as personal.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.core.audit import redaction
from kehu.core.customfields.models import FieldDefinition

KEPT_KINDS = frozenset({
    FieldDefinition.Kind.INTEGER, FieldDefinition.Kind.DECIMAL, FieldDefinition.Kind.MONEY,
    FieldDefinition.Kind.BOOLEAN, FieldDefinition.Kind.SELECT, FieldDefinition.Kind.MULTISELECT,
    FieldDefinition.Kind.USER,
})
REDACTED = redaction.REDACTED


def pseudonym(pk: int) -> str:
    return _("Erased person #%(id)d") % {"id": pk}


def is_erased(name: str, pk: int, *values: Any) -> bool:
    """True when a record holds nothing personal any more: its name is its pseudonym (in
    whatever language it was erased) and every other personal value is empty."""
    return name.endswith(f"#{pk}") and not any(values)


class CustomKinds:
    """Which custom-field keys of which object types are kept on an erased record."""

    def __init__(self, organization) -> None:
        self.kept: dict[str, set[str]] = {}
        for object_type, key, kind in (FieldDefinition.objects
                                       .filter(organization=organization)
                                       .values_list("object_type", "key", "kind")):
            if kind in KEPT_KINDS:
                self.kept.setdefault(object_type, set()).add(key)

    def keep(self, object_type: str, data: dict[str, Any]) -> dict[str, Any]:
        kept = self.kept.get(object_type, set())
        return {k: v for k, v in (data or {}).items() if k in kept}

    def is_personal(self, object_type: str, key: str) -> bool:
        return key not in self.kept.get(object_type, set())


class Scrubber:
    """Replaces the person's identifying values (names, phones, emails, WeChat ids) inside
    free text of rows that stay: follow-up notes of a company, task titles, order notes."""

    def __init__(self, replacements: dict[str, str], kinds: CustomKinds) -> None:
        self.replacements = replacements
        self.literals = [k for k in replacements if len(k) >= redaction.MIN_LITERAL]
        self.replace = redaction.replacer(replacements)
        self.kinds = kinds

    def value(self, value: Any) -> Any:
        return redaction.scrub(value, self.replace)

    def rows(self, queryset: models.QuerySet, fields: Iterable[str] | None = None) -> set[int]:
        """Rewrite the text fields (and custom values) of the rows that mention the person;
        plain UPDATEs of those columns only, so amounts and links stay untouched. Returns
        the ids of the rows changed."""
        model = queryset.model
        if fields is None:
            fields = [f.name for f in model._meta.concrete_fields
                      if isinstance(f, models.CharField | models.TextField) and not f.choices]
        fields = list(fields)
        has_custom = any(f.name == "custom_data" for f in model._meta.concrete_fields)
        if not self.literals or not (fields or has_custom):
            return set()
        wanted = [Q(**{f"{name}__icontains": literal})
                  for name in fields for literal in self.literals]
        changed: set[int] = set()
        candidates = queryset if has_custom else queryset.filter(reduce(or_, wanted))
        columns = [*fields, *(["custom_data"] if has_custom else [])]
        for row in candidates.values("pk", *columns).iterator(chunk_size=500):
            new = {name: self.value(row[name]) for name in columns}
            update = {name: value for name, value in new.items() if value != row[name]}
            if update:
                model._default_manager.filter(pk=row["pk"]).update(**update)
                changed.add(row["pk"])
        return changed

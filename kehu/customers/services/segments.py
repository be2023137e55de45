"""Saving segments: the conditions are checked by running them once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.customers import segments
from kehu.customers.models import Customer, Segment


def _validate(actor: Actor, conditions: list[dict[str, Any]]) -> None:
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": _("Give a list of conditions.")})
    definitions = {d.key: d for d in active_definitions(organization=actor.organization,
                                                        object_type="customers.customer")}
    segments.apply(Customer.objects.none(), conditions, definitions=definitions)


@transaction.atomic
def segment_save(*, actor: Actor, segment: Segment | None, name: str,
                 conditions: list[dict[str, Any]], is_shared: bool = False) -> Segment:
    if segment is not None and segment.owner_id != actor.user.pk and not actor.is_admin:
        raise PermissionDeniedError()
    if not name.strip():
        raise ValidationError({"name": _("Give the segment a name.")})
    _validate(actor, conditions)
    before = audit.snapshot(segment) if segment else None
    segment = segment or Segment(organization=actor.organization, owner=actor.user)
    segment.name, segment.filters, segment.is_shared = name.strip(), conditions, is_shared
    segment.save()
    audit.change_record(actor=actor, action="update" if before else "create", instance=segment,
                        before=before, after=audit.snapshot(segment))
    return segment


@transaction.atomic
def segment_delete(*, actor: Actor, segment: Segment) -> None:
    if segment.owner_id != actor.user.pk and not actor.is_admin:
        raise PermissionDeniedError()
    before = audit.snapshot(segment)
    pk = segment.pk
    segment.delete()
    segment.pk = pk
    audit.change_record(actor=actor, action="delete", instance=segment, before=before,
                        after=None)

"""Reading the audit log: a record's history, and the organization-wide log for admins."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.audit.models import ChangeRecord
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor


def history_for(*, actor: Actor, instance) -> QuerySet[ChangeRecord]:
    """The history of one record; the caller has already checked the actor may see it."""
    return (ChangeRecord.objects.filter(organization=actor.organization,
                                        object_type=instance._meta.label_lower,
                                        object_id=instance.pk)
            .select_related("user"))


def change_record_list(*, actor: Actor, object_type: str = "", user_id: int | None = None,
                       action: str = "") -> QuerySet[ChangeRecord]:
    scoping.require_admin(actor)
    qs = ChangeRecord.objects.filter(organization=actor.organization).select_related("user")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if action:
        qs = qs.filter(action=action)
    return qs

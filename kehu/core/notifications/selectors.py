from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.notifications.models import Notification
from kehu.core.permissions.actor import Actor


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(organization=actor.organization, recipient=actor.user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread_only=True).count()

"""Telling a user something: in the notification center, and by email when asked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kehu.core.notifications import tasks
from kehu.core.notifications.models import Notification
from kehu.core.permissions.actor import Actor


def notify(*, organization, recipient, kind: str, title: str, body: str = "", url: str = "",
           email: bool = False) -> Notification:
    notification = Notification.objects.create(
        organization=organization, recipient=recipient, kind=kind, title=title[:200],
        body=body, url=url)
    if email and recipient.email:
        transaction.on_commit(lambda: tasks.send_notification_email(notification.pk))
    return notification


def notification_mark_read(*, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark some (or, with None, all) of the actor's unread notifications as read."""
    qs = Notification.objects.filter(organization=actor.organization, recipient=actor.user,
                                     read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())

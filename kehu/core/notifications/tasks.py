from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def send_notification_email(notification_id: int) -> None:
    from kehu.core.notifications.models import Notification

    notification = (Notification.objects.select_related("recipient")
                    .filter(pk=notification_id).first())
    if notification is None:
        return
    # a title with a line break (pasted into a record's name) would be a header injection
    subject = " ".join(notification.title.split())
    send_mail(subject=subject, message=notification.body or notification.title,
              from_email=settings.DEFAULT_FROM_EMAIL,
              recipient_list=[notification.recipient.email])


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_read_notifications() -> None:
    """Read notifications older than 180 days leave the inbox; unread ones always stay."""
    from datetime import timedelta

    from django.utils import timezone

    from kehu.core.notifications.models import Notification

    cutoff = timezone.now() - timedelta(days=180)
    Notification.objects.filter(read_at__lt=cutoff).delete()

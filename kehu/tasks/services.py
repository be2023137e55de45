"""Writes to tasks, and the daily reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kehu.core.common import records
from kehu.core.notifications.services import notify
from kehu.core.permissions.actor import Actor
from kehu.tasks.models import Task


def task_create(*, actor: Actor, values: dict[str, Any]) -> Task:
    return records.create_record(actor=actor, model=Task, values=values)


def task_update(*, actor: Actor, task: Task, values: dict[str, Any],
                version: int | None = None) -> Task:
    return records.update_record(actor=actor, instance=task, values=values, version=version)


def task_complete(*, actor: Actor, task: Task, done: bool = True) -> Task:
    return records.update_record(actor=actor, instance=task,
                                 values={"done_at": timezone.now() if done else None})


def task_delete(*, actor: Actor, task: Task) -> None:
    records.delete_record(actor=actor, instance=task)


@transaction.atomic
def tasks_remind_due(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Tell each owner, once, about their open tasks due today or overdue: in the
    notification center and by email. Safe to run any number of times a day."""
    today = today or timezone.localdate()
    due = (Task.objects.select_for_update(of=("self",))
           .filter(organization=actor.organization, done_at__isnull=True, due_on__lte=today,
                   reminded_at__isnull=True, owner__isnull=False)
           .select_related("owner", "customer"))
    reminded = []
    for task in due:
        with override(task.owner.language or None):
            title = (_("Due today: %(title)s") if task.due_on == today
                     else _("Overdue since %(date)s: %(title)s")) % {
                "title": task.title, "date": task.due_on.isoformat()}
            body = str(task.customer) if task.customer else ""
        url = (reverse("customers:customer-detail", args=[task.customer_id])
               if task.customer_id else "")
        notify(organization=actor.organization, recipient=task.owner, kind="task.due",
               title=title, body=body, url=url, email=True)
        reminded.append(task.pk)
    Task.objects.filter(pk__in=reminded).update(reminded_at=timezone.now())
    return len(reminded)

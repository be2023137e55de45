from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.tasks.models import Task


def task_list(*, actor: Actor, open_only: bool = False, mine: bool = False,
              customer_id: int | None = None) -> QuerySet[Task]:
    qs = scoping.visible(actor, Task.objects.all()).select_related("customer", "owner")
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    if mine:
        qs = qs.filter(owner=actor.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("due_on", "id")


def my_day(*, actor: Actor, today: datetime.date | None = None) -> QuerySet[Task]:
    """The actor's open tasks due today or earlier."""
    today = today or timezone.localdate()
    return task_list(actor=actor, open_only=True, mine=True).filter(due_on__lte=today)


def task_get(*, actor: Actor, task_id: int, action: str = "view") -> Task:
    return scoping.get_visible(actor, Task.objects.select_related("customer"), task_id, action)

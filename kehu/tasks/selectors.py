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


def tasks_upcoming(*, actor: Actor, today: datetime.date | None = None,
                   days: int = 7) -> QuerySet[Task]:
    """The actor's open tasks due in the `days` days after today."""
    today = today or timezone.localdate()
    return task_list(actor=actor, open_only=True, mine=True).filter(
        due_on__gt=today, due_on__lte=today + datetime.timedelta(days=days))


def task_calendar(*, actor: Actor, start: datetime.date, end: datetime.date,
                  owner_id: int | None = None) -> QuerySet[Task]:
    """Tasks (open and done) due in [start, end) of one owner (the actor by default), as far
    as the actor may see them."""
    owner_id = owner_id or (actor.user.pk if actor.user else None)
    return task_list(actor=actor).filter(owner_id=owner_id, due_on__gte=start,
                                         due_on__lt=end)


def calendar_members(*, actor: Actor) -> list[tuple[int, str]]:
    """(user id, name) of the active members whose tasks the actor may look at: only the actor
    with the "own" data scope, the actor's team(s) with "team"/"subtree", everyone with
    "org"."""
    from django.db.models import Q

    from kehu.core.accounts.models import Membership

    qs = (Membership.objects.filter(organization=actor.organization, is_active=True)
          .select_related("user").order_by("user__name", "user__email"))
    if actor.data_scope != "org":
        mine = Q(user_id=actor.user.pk)
        if actor.data_scope in ("team", "subtree") and actor.team_ids_in_scope:
            mine |= Q(team_id__in=actor.team_ids_in_scope)
        qs = qs.filter(mine)
    return [(m.user_id, str(m.user)) for m in qs]

"""Background jobs that run as the actor who queued them.

    @actor_task()
    def import_customers(actor, upload_id): ...

    import_customers.enqueue(actor, upload_id=7)

The job receives an Actor rebuilt from ids, with `via="job"` (or the via passed to `enqueue`),
so permissions, data scope and the audit log work exactly as in a request. Periodic jobs use
`for_each_organization` to act as the system actor of each active organization. Both run
walled to that organization by PostgreSQL's row-level security (`kehu.core.rls`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huey.contrib.djhuey import db_task

from kehu.core import rls
from kehu.core.permissions.actor import Actor, Via


class ActorTask:
    def __init__(self, fn: Callable[..., Any], **task_options: Any) -> None:
        self.fn = fn

        def run(actor_ref: dict[str, Any], via: str, *args: Any, **kwargs: Any) -> Any:
            with rls.tenant(actor_ref["organization_id"]):
                return fn(Actor.from_ref(actor_ref, via=via), *args, **kwargs)

        task_options.setdefault("name", f"{fn.__module__}.{fn.__name__}")
        self.task = db_task(**task_options)(run)

    def enqueue(self, actor: Actor, *args: Any, via: str = Via.JOB, **kwargs: Any):
        return self.task(actor.ref(), via, *args, **kwargs)

    def __call__(self, actor: Actor, *args: Any, **kwargs: Any) -> Any:
        return self.fn(actor, *args, **kwargs)


def actor_task(**task_options: Any) -> Callable[[Callable[..., Any]], ActorTask]:
    return lambda fn: ActorTask(fn, **task_options)


def for_each_organization(fn: Callable[[Actor], Any]) -> None:
    from kehu.core.tenancy.models import Organization

    for organization in Organization.objects.filter(is_active=True).iterator():
        with rls.tenant(organization.pk):
            fn(Actor.system(organization=organization))

"""Periodic job: every morning, remind owners of tasks due (huey discovers `tasks.py`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.core.jobs import for_each_organization


@db_periodic_task(crontab(hour="8", minute="0"))
def remind_due_tasks() -> None:
    from kehu.tasks import services

    for_each_organization(lambda actor: services.tasks_remind_due(actor=actor))

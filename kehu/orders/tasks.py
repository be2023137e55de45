"""Periodic job: every morning, remind order owners of overdue instalments (huey discovers
`tasks.py`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.core.jobs import for_each_organization


@db_periodic_task(crontab(hour="8", minute="10"))
def remind_overdue_instalments() -> None:
    from kehu.orders import services

    for_each_organization(lambda actor: services.instalments_remind_overdue(actor=actor))

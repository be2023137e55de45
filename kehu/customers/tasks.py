"""Periodic job: every night, return customers to the pool by each organization's rules."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.core.jobs import for_each_organization
from kehu.customers.imports import jobs  # noqa: F401 - the consumer registers import jobs here


@db_periodic_task(crontab(hour="2", minute="30"))
def return_customers_to_pool() -> None:
    from kehu.customers import services

    for_each_organization(lambda actor: services.pool_return_due(actor=actor))

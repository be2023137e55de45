"""The background job that runs an import as the user who started it (audit channel
"import"). Queued by `services.import_job_start` once its transaction commits."""

from __future__ import annotations

from kehu.core.jobs import actor_task
from kehu.core.permissions.actor import Actor


@actor_task()
def run_import(actor: Actor, job_id: int) -> None:
    from kehu.customers.imports import services
    from kehu.customers.models import ImportJob

    job = (ImportJob.objects.filter(pk=job_id, organization=actor.organization)
           .select_related("user", "organization").first())
    if job is None or job.status != ImportJob.Status.QUEUED:
        return  # cancelled before it started, or already run
    services.import_job_run(actor=actor, job=job)

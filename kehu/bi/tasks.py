from __future__ import annotations

from huey.contrib.djhuey import db_task

from kehu.core import rls


@db_task(retries=2, retry_delay=30)
def refresh_reporting_schema(organization_id: int) -> None:
    """No actor: recreating views changes no business data. The owner's role (rls.bypass),
    because only the owner of the tables may create views on them (and a queued job may run
    inline, inside a request walled to one organization)."""
    from kehu.bi import services

    with rls.bypass():
        services.reporting_schema_refresh_if_enabled(organization_id=organization_id)

from django.apps import AppConfig
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.signals import post_migrate


def _request_finished(sender, **kwargs) -> None:
    # After the response is closed (a streamed export has been read to the end), so the
    # whole response was produced inside the wall; close_old_connections may have closed the
    # connection already, and deactivate then does nothing.
    from kehu.core import rls

    try:
        rls.deactivate()
    except DatabaseError:
        connections[DEFAULT_DB_ALIAS].close()  # a session in an unknown state is not reused


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    from kehu.core import rls

    if rls.enabled(using):
        from kehu.core.rls import schema

        schema.install(connections[using])


class RowLevelSecurityConfig(AppConfig):
    name = "kehu.core.rls"
    label = "rls"
    verbose_name = "Row-level security"

    def ready(self) -> None:
        request_finished.connect(_request_finished, dispatch_uid="kehu-rls-request-finished")
        # once every app's migrations have run
        post_migrate.connect(_migrated, sender=self, dispatch_uid="kehu-rls-migrated")

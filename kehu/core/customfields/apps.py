from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate


def _migrated(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    from kehu.core.customfields import indexing

    # SQLite rebuilds a table for many schema changes and keeps only the indexes Django
    # declares; PostgreSQL alters tables in place and keeps these
    if connections[using].vendor == "sqlite":
        indexing.ensure_all_indexes()


class CustomFieldsConfig(AppConfig):
    name = "kehu.core.customfields"
    label = "customfields"
    verbose_name = "Custom fields"

    def ready(self) -> None:
        # connects the signals that invalidate the cached field definitions in every process
        from kehu.core.customfields import services  # noqa: F401

        post_migrate.connect(_migrated, sender=self, dispatch_uid="kehu-customfields-indexes")

"""Keeping the views current without the custom-field core knowing about BI (core never
imports a domain app), through the signals Django already sends."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, transaction

from kehu.bi import ddl


def field_definition_saved(sender, instance, **kwargs) -> None:
    """A field created, relabelled or deactivated: its column (and its description) change.
    The DDL runs in the job after the commit, never inside the admin's request transaction,
    where on SQLite it would hold the write lock for the whole request."""
    from kehu.bi import tasks

    organization_id = instance.organization_id
    transaction.on_commit(lambda: tasks.refresh_reporting_schema(organization_id))


def before_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if using == DEFAULT_DB_ALIAS:
        ddl.drop_all_views()


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    from kehu.bi import services
    from kehu.bi.models import ReportingSchema

    if using != DEFAULT_DB_ALIAS:
        return
    if ReportingSchema._meta.db_table not in connection.introspection.table_names():
        return  # migrating backwards past this app
    services.reporting_schemas_refresh_all()

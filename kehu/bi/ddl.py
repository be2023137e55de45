"""Creating and dropping the reporting views.

PostgreSQL: one schema per organization, `bi_<organization id>`, holding the views under their
plain names (`bi_12.customers`), so a read-only role can be given that schema and nothing else.
SQLite has no schemas: the views are `bi_<organization id>_<view>` in the same file.

This and the custom-field indexes are the only DDL Kehu runs outside migrations. It is never
run inside a request: the custom-field hook queues it after the commit (hooks.py).
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError, connection, transaction

from kehu.bi import custom
from kehu.bi.schema import Column, View, views
from kehu.core.customfields import selectors as customfield_selectors

log = logging.getLogger(__name__)
_SQLITE_VIEW = re.compile(r"^bi_\d+_[a-z_]+$")
SCHEMA_PATTERN = r"^bi_[0-9]+$"


def schema_name(organization_id: int) -> str:
    return f"bi_{int(organization_id)}"


def relation(organization_id: int, view_name: str) -> str:
    """The quoted name a query uses for one view of one organization."""
    if connection.vendor == "postgresql":
        return f'"{schema_name(organization_id)}"."{view_name}"'
    return f'"{schema_name(organization_id)}_{view_name}"'


def view_columns(organization_id: int, view: View) -> list[Column]:
    """The view's columns: the fixed ones, then one per custom field of its object type."""
    columns = list(view.columns)
    if view.custom_object_type:
        definitions = customfield_selectors.field_definition_list(
            organization=organization_id, object_type=view.custom_object_type)
        columns += custom.columns(definitions, view.base, connection.vendor)
    return columns


def view_sql(organization_id: int, view: View, columns: list[Column]) -> str:
    select = ",\n  ".join(f'{column.sql} AS "{column.name}"' for column in columns)
    where = f"{view.base}.organization_id = {int(organization_id)}"
    if view.where:
        where += f" AND {view.where}"
    return f"SELECT\n  {select}\nFROM {view.from_sql}\nWHERE {where}"


def create_views(organization_id: int) -> None:
    """(Re)create every view of the organization, in one transaction: a BI tool never sees a
    half-made schema."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name(organization_id)}"')
        for view in views():
            columns = view_columns(organization_id, view)
            sql = view_sql(organization_id, view, columns)
            name = relation(organization_id, view.name)
            if connection.vendor == "postgresql":
                _replace_postgres_view(cursor, name, sql)
                _comment(cursor, name, view, columns)
            else:
                cursor.execute(f"DROP VIEW IF EXISTS {name}")
                cursor.execute(f"CREATE VIEW {name} AS {sql}")


def _replace_postgres_view(cursor, name: str, sql: str) -> None:
    # security_barrier: a read-only user's own WHERE conditions (which may call leaky
    # functions) run after the organization filter, never before it.
    create = f"VIEW {name} WITH (security_barrier = true) AS {sql}"
    try:
        with transaction.atomic():
            # in place, so grants stay; works whenever columns were only appended
            cursor.execute(f"CREATE OR REPLACE {create}")
    except DatabaseError:
        log.info("Recreating %s: its columns changed other than by appending", name)
        cursor.execute(f"DROP VIEW IF EXISTS {name}")
        cursor.execute(f"CREATE {create}")


def _comment(cursor, name: str, view: View, columns: list[Column]) -> None:
    """Descriptions BI tools show next to views and columns (Metabase reads them on sync)."""
    cursor.execute(f"COMMENT ON VIEW {name} IS %s", [view.doc])
    for column in columns:
        cursor.execute(f'COMMENT ON COLUMN {name}."{column.name}" IS %s', [column.doc])


def drop_all_views() -> int:
    """Drop every reporting view (not the PostgreSQL schemas, which keep their grants).

    Migrations run after this: PostgreSQL refuses to alter or drop a column a view reads,
    and SQLite refuses to rename a table (how Django alters one) while a view names it.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT schemaname, viewname FROM pg_views WHERE schemaname ~ %s",
                           [SCHEMA_PATTERN])
            names = [f'"{schema}"."{view}"' for schema, view in cursor.fetchall()]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
            names = [f'"{name}"' for (name,) in cursor.fetchall() if _SQLITE_VIEW.match(name)]
        for name in names:
            cursor.execute(f"DROP VIEW IF EXISTS {name}")
    return len(names)


def drop_schema(organization_id: int) -> None:
    """Remove an organization's views (and on PostgreSQL its schema and the grants on it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name(organization_id)}" CASCADE')
            return
        for view in views():
            cursor.execute(f"DROP VIEW IF EXISTS {relation(organization_id, view.name)}")

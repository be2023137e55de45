"""Installing the wall: the role, its grants and a policy on every tenant table.

Runs after every `migrate` (see apps.py), so a table that any app adds later is covered the
next time migrations run. A tenant table is any table of the database's schema with an
`organization_id` column, read from the catalog: Django models and the tables migrations
create with SQL (search_entry) alike. Idempotent, and it changes only what is missing, so a
migrate that changed nothing takes no table locks here.
"""

from __future__ import annotations

import hashlib
import re

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import errors

from kehu.core import rls

# Evaluated once per scan when it is an index condition, and a plain stable expression, so
# the planner estimates with the organization's own statistics. NULL (nothing matches) when
# the setting is unset ('') or was never set in this session.
EXPRESSION = (f"organization_id = NULLIF(current_setting('{rls.SETTING}', true), '')::bigint")
POLICY_PREFIX = "kehu_organization_"
# The expression's hash in the name: a changed expression replaces the old policy.
POLICY = POLICY_PREFIX + hashlib.sha256(EXPRESSION.encode()).hexdigest()[:8]
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
MISSING_GRANTS = """
    SELECT c.oid::regclass::text, c.relkind = 'S' FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND (
      (c.relkind IN ('r', 'p') AND NOT (has_table_privilege(%(role)s, c.oid, 'SELECT')
        AND has_table_privilege(%(role)s, c.oid, 'INSERT')
        AND has_table_privilege(%(role)s, c.oid, 'UPDATE')
        AND has_table_privilege(%(role)s, c.oid, 'DELETE')))
      OR (c.relkind = 'S' AND NOT (has_sequence_privilege(%(role)s, c.oid, 'USAGE')
        AND has_sequence_privilege(%(role)s, c.oid, 'SELECT'))))
"""
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

TENANT_TABLES = """
    SELECT c.oid::regclass::text, c.relrowsecurity,
           array(SELECT p.polname FROM pg_policy p
                 WHERE p.polrelid = c.oid AND p.polname LIKE 'kehu\\_organization\\_%%')
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id'
         AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
    ORDER BY 1
"""


def tenant_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(TENANT_TABLES)
        return [name for name, _enabled, _policies in cursor.fetchall()]


def install(connection: BaseDatabaseWrapper) -> None:
    role = rls.role_name()
    if not _IDENTIFIER.match(role):
        raise ImproperlyConfigured(f"KEHU_RLS_ROLE must be a plain lower-case name, not {role!r}.")
    with rls.bypass(using=connection.alias), connection.cursor() as cursor:
        _ensure_role(cursor, role)
        with transaction.atomic(using=connection.alias):
            _grant(cursor, role)
            _policies(cursor)


def _ensure_role(cursor, role: str) -> None:
    """The role exists, cannot bypass the policies, and the connection's role may SET it."""
    help_text = (f'Create it once as a superuser: CREATE ROLE {role} NOLOGIN; '
                 f'GRANT {role} TO <the role in KEHU_DATABASE_URL>; then run migrate again. '
                 f'Or turn row-level security off with KEHU_RLS=0.')
    try:
        # Test databases are set up in parallel: another one may create the role meanwhile.
        cursor.execute(f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN NOBYPASSRLS; "
                       f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        cursor.execute("SELECT rolsuper OR rolbypassrls, pg_has_role(current_user, oid, 'MEMBER')"
                       " FROM pg_roles WHERE rolname = %s", [role])
        bypasses, member = cursor.fetchone()
        if not member:
            cursor.execute(f"GRANT {role} TO CURRENT_USER")
    except DatabaseError as exc:
        if not isinstance(exc.__cause__, errors.InsufficientPrivilege):
            raise
        raise ImproperlyConfigured(
            f"Row-level security needs the database role {role!r}. {help_text}") from exc
    if bypasses:
        raise ImproperlyConfigured(
            f"The role {role!r} is a superuser or has BYPASSRLS, so the row-level security "
            f"policies would not apply to it. Use a plain role (KEHU_RLS_ROLE).")


def _grant(cursor, role: str) -> None:
    """DML on every table and use of every sequence of the schema; nothing else (no DDL, no
    TRUNCATE, owns nothing)."""
    cursor.execute("SELECT quote_ident(current_schema()), "
                   "has_schema_privilege(%s, current_schema(), 'USAGE')", [role])
    schema, usable = cursor.fetchone()
    if not usable:
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    cursor.execute(MISSING_GRANTS, {"role": role})
    rows = cursor.fetchall()
    # Names come from the catalog (regclass output is quoted as needed): no user input here.
    if tables := [name for name, is_sequence in rows if not is_sequence]:
        cursor.execute(f"GRANT {', '.join(TABLE_PRIVILEGES)} ON TABLE {', '.join(tables)} "
                       f"TO {role}")
    if sequences := [name for name, is_sequence in rows if is_sequence]:
        cursor.execute(f"GRANT USAGE, SELECT ON SEQUENCE {', '.join(sequences)} TO {role}")


def _policies(cursor) -> None:
    cursor.execute(TENANT_TABLES)
    for table, enabled, policies in cursor.fetchall():
        if not enabled:
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for stale in set(policies) - {POLICY}:
            cursor.execute(f'DROP POLICY "{stale}" ON {table}')
        if POLICY not in policies:
            # FOR ALL TO PUBLIC: reads, updates and deletes see only the organization's rows,
            # inserts and updates may only write them; the owner is not bound (no FORCE).
            cursor.execute(f"CREATE POLICY {POLICY} ON {table} "
                           f"USING ({EXPRESSION}) WITH CHECK ({EXPRESSION})")

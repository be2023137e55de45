"""Read-only PostgreSQL login roles for BI tools: USAGE on one organization's `bi_<id>` schema
and SELECT on its views, nothing else.

The views run with their owner's rights (the Kehu database user) and filter by organization
themselves, so the role needs no privilege on any table: it cannot read a table directly,
another organization's schema, or write anything. That is why the views are not
`security_invoker`: an invoker view would need SELECT on the underlying tables, which would
let the role read them around the view (accounts_user of every organization included).
"""

from __future__ import annotations

import re
import secrets

from django.db import connection, transaction
from django.utils.translation import gettext as _

from kehu.bi.ddl import schema_name
from kehu.core.common.errors import DomainError

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check(role: str) -> None:
    if connection.vendor != "postgresql":
        raise DomainError("postgresql_only", _(
            "Read-only roles need PostgreSQL; with SQLite, give the BI tool a read-only copy "
            "of the database file."))
    if not ROLE_NAME.match(role):
        raise DomainError("invalid_role", _(
            "A role name is lowercase letters, digits and underscores, at most 63."))


def role_grant(*, organization_id: int, role: str) -> str | None:
    """Give `role` (created as a login role when missing) read access to the organization's
    views. Returns the generated password of a new role, None for an existing one."""
    _check(role)
    schema = schema_name(organization_id)
    password = None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls OR rolname = current_user "
                       "FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row and row[0]:
            raise DomainError("role_not_read_only", _(
                "“%(role)s” is a superuser, bypasses row security or is Kehu's own user; "
                "choose a role only the BI tool uses.") % {"role": role})
        if row is None:
            password = secrets.token_urlsafe(24)
            cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                           f"NOINHERIT PASSWORD %s", [password])
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        cursor.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        # belt and braces: the role has no write privilege anyway
        cursor.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
        cursor.execute(f'ALTER ROLE "{role}" SET search_path = "{schema}"')
    return password


def role_revoke(*, organization_id: int, role: str) -> None:
    """Take the organization's views away from `role` (the role itself stays)."""
    _check(role)
    schema = schema_name(organization_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        if cursor.fetchone() is None:
            return
        cursor.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"')
        cursor.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM "{role}"')


def regrant(organization_id: int) -> None:
    """SELECT on every view of the schema to each role with USAGE on it: a view recreated
    (instead of replaced in place) or added by a newer Kehu is readable again at once."""
    if connection.vendor != "postgresql":
        return
    schema = schema_name(organization_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a "
            "JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE n.nspname = %s AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner",
            [schema])
        for (role,) in cursor.fetchall():
            cursor.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')

"""PostgreSQL row-level security: the database's own wall between organizations.

`scoping.visible` is the application's guard; this is the second wall behind it. Every table
with an `organization_id` column has a policy that shows and accepts only the rows of the
organization in the connection's `kehu.organization_id` setting (schema.py installs them
after every migrate). The policies bind every role except the tables' owner, so a connection
in a request or a job drops to the role `kehu_app` (settings.KEHU_RLS_ROLE: no login, no
BYPASSRLS, owns nothing) and names its organization:

    request     the middleware, once the session's membership is known (`activate`); API
                token authentication likewise; `request_finished` returns the connection to
                its own role, so a persistent connection carries nothing to the next request
    job         `kehu.core.jobs` runs each job `with rls.tenant(organization_id)`
    otherwise   migrations, management commands (backup, restore, demo, bench), the shell and
                tests' setup act as the connection's own role: maintenance, unwalled

Inside a request or job, the few reads that must cross organizations say so with
`with rls.bypass():` — resolving which organization a credential belongs to (a token, a
public form's link, a user's memberships) — and so do COPY bulk loads (PostgreSQL refuses
COPY FROM under row-level security) and run-time DDL (an index needs the owner).

Walled with no organization set (an anonymous page, a token not yet resolved), tenant
tables are empty. The settings are session-level and reset at the end of each request, so
use PostgreSQL directly or through a session-mode pool, never a transaction-mode pool.
On SQLite, or with KEHU_RLS=0, every function here does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

SETTING = "kehu.organization_id"

# What a connection is set to: (walled, organization id). Read from the server, never kept in
# Python: PostgreSQL rolls settings back with the transaction or savepoint they were made in,
# and a copy kept here would then be wrong.
State = tuple[bool, int | None]
OWNER: State = (False, None)  # the connection's own role: not walled

_SET = "SELECT set_config('role', %s, false), set_config('kehu.organization_id', %s, false)"
# The same, returning what was set before; OFFSET 0 keeps the subquery a plan node of its own,
# read before the outer list runs set_config.
_SWAP = """
    SELECT old.walled, old.organization_id,
           set_config('role', %s, false), set_config('kehu.organization_id', %s, false)
    FROM (SELECT current_user <> session_user AS walled,
                 NULLIF(current_setting('kehu.organization_id', true), '') AS organization_id
          OFFSET 0) AS old
"""


def role_name() -> str:
    return settings.KEHU_RLS_ROLE


def enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return settings.KEHU_RLS and connections[using].vendor == "postgresql"


def activate(organization_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wall the connection for the rest of the request: only `organization_id`'s rows (none
    when it is None). Request code only; elsewhere use `tenant`."""
    if enabled(using):
        _execute(using, _SET, (True, organization_id))


def deactivate(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Back to the connection's own role (the end of a request)."""
    if enabled(using) and connections[using].connection is not None:
        _execute(using, _SET, OWNER)


@contextlib.contextmanager
def tenant(organization_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Walled to one organization while the block runs, then as before."""
    with _scope((True, organization_id), using):
        yield


@contextlib.contextmanager
def bypass(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The connection's own role while the block runs: every organization's rows. For reads
    filtered by a credential, bulk COPY and DDL; say in a comment why the block needs it."""
    with _scope(OWNER, using):
        yield


@contextlib.contextmanager
def _scope(state: State, using: str) -> Iterator[None]:
    if not enabled(using):
        yield
        return
    walled, organization_id = _execute(using, _SWAP, state)[:2]
    previous = (walled, None if organization_id is None else int(organization_id))
    try:
        yield
    finally:
        _restore(using, previous)


def _restore(using: str, previous: State) -> None:
    connection = connections[using]
    if connection.connection is None:  # closed meanwhile: a new session starts unwalled
        return
    from psycopg import pq

    if connection.connection.info.transaction_status == pq.TransactionStatus.INERROR:
        # Nothing can run now; the rollback that must follow undoes this block's settings
        # too (PostgreSQL rolls SET back with the transaction or savepoint it ran in).
        return
    _execute(using, _SET, previous)


def _execute(using: str, sql: str, state: State) -> tuple:
    walled, organization_id = state
    connection = connections[using]
    connection.ensure_connection()
    # On the raw connection, like the connection's own time-zone setup: this is not a query
    # of the page, so query counts and the debug log stay about the application's queries.
    with connection.wrap_database_errors:
        return connection.connection.execute(sql, [
            role_name() if walled else "none",
            "" if organization_id is None else str(int(organization_id))]).fetchone()

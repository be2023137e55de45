"""Keeping the kanban's column totals (BoardTotal) in the database, by triggers.

Summing a pipeline's opportunities on every board view costs a pass over all of them: at
500,000 that is the whole budget of the page. The totals per (stage, owner) are few (stages ×
reps), so the board reads them instead, and a move changes two of them.

Triggers rather than service code, because opportunities are written by many paths (services,
bulk updates, merges, the demo generator's COPY) and one forgotten path would show wrong
totals forever. SQLite has row triggers; PostgreSQL gets statement triggers over transition
tables, so a bulk write updates each total once, in key order (two moves in opposite
directions lock the same rows in the same order: no deadlock).

`install` is idempotent. SQLite drops a table's triggers when a migration rebuilds the table,
so `ensure_installed` runs after every migrate and recounts the totals when it had to put
them back (writes in between were not counted).
"""

# ruff: noqa: S608 -- every name in this SQL is a module constant; no input reaches it

from __future__ import annotations

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "sales_boardtotal"
SOURCE = "sales_opportunity"
TRIGGERS = ("sales_board_total_insert", "sales_board_total_update", "sales_board_total_delete")

_COLUMNS = 'organization_id, pipeline_id, stage_id, owner_id, "count", amount_cents, weighted_cents'
_ADD = ('ON CONFLICT (stage_id, owner_id) DO UPDATE SET "count" = {t}"count" + excluded."count", '
        "amount_cents = {t}amount_cents + excluded.amount_cents, "
        "weighted_cents = {t}weighted_cents + excluded.weighted_cents")
# only these columns move an opportunity between totals
_WATCHED = ("organization_id", "pipeline_id", "stage_id", "owner_id", "amount",
            "weighted_amount")


def _cents(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _sqlite_add(ref: str) -> str:
    return (f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {ref}.organization_id, "
            f"{ref}.pipeline_id, {ref}.stage_id, COALESCE({ref}.owner_id, 0), 1, "
            f"{_cents(f'{ref}.amount')}, {_cents(f'{ref}.weighted_amount')} "
            f"WHERE {ref}.deleted_at IS NULL {_ADD.format(t='')};")


def _sqlite_subtract(ref: str) -> str:
    """Only an UPDATE: a total that is gone went with its stage or organization (a cascade
    deletes it before or after the opportunities), and must not come back negative."""
    return (f"UPDATE {TABLE} SET \"count\" = \"count\" - 1, "
            f"amount_cents = amount_cents - {_cents(f'{ref}.amount')}, "
            f"weighted_cents = weighted_cents - {_cents(f'{ref}.weighted_amount')} "
            f"WHERE stage_id = {ref}.stage_id AND owner_id = COALESCE({ref}.owner_id, 0) "
            f"AND {ref}.deleted_at IS NULL;")


def _sqlite_statements() -> list[str]:
    add = _sqlite_add("NEW")  # a row only ever enters its NEW total
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _WATCHED)
    changed += " OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"
    return [
        f"CREATE TRIGGER IF NOT EXISTS sales_board_total_insert AFTER INSERT ON {SOURCE} "
        f"BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS sales_board_total_update AFTER UPDATE ON {SOURCE} "
        f"WHEN {changed} BEGIN {_sqlite_subtract('OLD')} {add} END",
        f"CREATE TRIGGER IF NOT EXISTS sales_board_total_delete AFTER DELETE ON {SOURCE} "
        f"BEGIN {_sqlite_subtract('OLD')} END",
    ]


def _pg_delta(table: str, sign: int) -> str:
    return (f"SELECT organization_id, pipeline_id, stage_id, COALESCE(owner_id, 0) AS owner, "
            f"{sign} AS n, {sign} * {_cents('amount')} AS a, "
            f"{sign} * {_cents('weighted_amount')} AS w "
            f"FROM {table} WHERE deleted_at IS NULL")


def _pg_function(name: str, deltas: str) -> str:
    # one ordered statement, so concurrent moves lock totals in the same order; a shrinking
    # total that is gone (deleted with its stage or organization) is not brought back
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {TABLE} AS t ({_COLUMNS}) "
        f"SELECT organization_id, pipeline_id, stage_id, owner, sum(n), sum(a), sum(w) "
        f"FROM ({deltas}) d GROUP BY organization_id, pipeline_id, stage_id, owner "
        f"HAVING (sum(n) <> 0 OR sum(a) <> 0 OR sum(w) <> 0) AND (sum(n) > 0 OR EXISTS ("
        f"SELECT 1 FROM {TABLE} e WHERE e.stage_id = d.stage_id AND e.owner_id = d.owner)) "
        f"ORDER BY stage_id, owner "
        f"{_ADD.format(t='t.')}; RETURN NULL; END $$")


def _pg_statements() -> list[str]:
    old, new = _pg_delta("old_rows", -1), _pg_delta("new_rows", 1)
    statements = [_pg_function("sales_board_total_insert", new),
                  _pg_function("sales_board_total_update", f"{old} UNION ALL {new}"),
                  _pg_function("sales_board_total_delete", old)]
    for name, event, tables in (
            ("sales_board_total_insert", "INSERT", "NEW TABLE AS new_rows"),
            ("sales_board_total_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("sales_board_total_delete", "DELETE", "OLD TABLE AS old_rows")):
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {SOURCE}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {SOURCE} "
                          f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return statements


def install(connection: BaseDatabaseWrapper = default_connection) -> None:
    statements = (_pg_statements() if connection.vendor == "postgresql"
                  else _sqlite_statements())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper = default_connection) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {SOURCE}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def recount(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Every total from the opportunities themselves (after the triggers were missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT organization_id, pipeline_id, stage_id, "
            f"COALESCE(owner_id, 0), count(*), sum({_cents('amount')}), "
            f"sum({_cents('weighted_amount')}) FROM {SOURCE} WHERE deleted_at IS NULL "
            f"GROUP BY organization_id, pipeline_id, stage_id, COALESCE(owner_id, 0)")


def installed(connection: BaseDatabaseWrapper = default_connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                           "AND tgname = ANY(%s)", [SOURCE, list(TRIGGERS)])
        else:
            names = ", ".join(["%s"] * len(TRIGGERS))
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           f"AND tbl_name = %s AND name IN ({names})", [SOURCE, *TRIGGERS])
        return cursor.fetchone()[0] == len(TRIGGERS)


def ensure_installed(connection: BaseDatabaseWrapper = default_connection) -> None:
    if TABLE not in connection.introspection.table_names():
        return  # migrated back before the totals existed
    if not installed(connection):
        install(connection)
        recount(connection)

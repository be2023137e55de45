"""Row counts and checksums per table, so a restore can prove it brought back every row.

A table's checksum is the sha256 of its rows in primary-key order (rowid or the whole row
when there is no primary key), each row a JSON list of its values normalized to text (on
PostgreSQL the server's own text form of the row, with fixed time zone and formats). The
same function reads the backup at backup time and the restored database afterwards, so the
two agree exactly when the rows are the same. Rows are streamed (a server-side cursor on
PostgreSQL), never loaded all at once.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

BATCH = 2000


@dataclass(frozen=True)
class TableStats:
    rows: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


def normalize(value: Any) -> str | None:
    """One value as text: the same value read twice gives the same text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str)
    return str(value)


def digest(rows: Iterable[Sequence[Any]]) -> TableStats:
    sha = hashlib.sha256()
    count = 0
    for row in rows:
        line = json.dumps([normalize(v) for v in row], ensure_ascii=False)
        sha.update(line.encode("utf-8"))
        sha.update(b"\n")
        count += 1
    return TableStats(rows=count, sha256=sha.hexdigest())


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# SQLite ---------------------------------------------------------------------------------------

def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    return [name for (name,) in rows]


def sqlite_table_stats(conn: sqlite3.Connection, table: str) -> TableStats:
    info = conn.execute(f"PRAGMA table_info({quote(table)})").fetchall()
    key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    # Identifiers come from sqlite_master and are quoted: nothing here is user input.
    if key:
        order = ", ".join(quote(c) for c in key)
        sql = f"SELECT * FROM {quote(table)} ORDER BY {order}"  # noqa: S608
    else:  # rowid tables without a declared key, and FTS5 virtual tables
        sql = f"SELECT rowid, * FROM {quote(table)} ORDER BY rowid"  # noqa: S608
    return digest(_fetch(conn.execute(sql)))


def sqlite_stats(conn: sqlite3.Connection) -> dict[str, TableStats]:
    return {table: sqlite_table_stats(conn, table) for table in sqlite_tables(conn)}


def sqlite_migrations(conn: sqlite3.Connection) -> dict[str, str]:
    if "django_migrations" not in sqlite_tables(conn):
        return {}
    return _latest(conn.execute("SELECT app, name FROM django_migrations ORDER BY id"))


# PostgreSQL -----------------------------------------------------------------------------------
# `conn` is a psycopg connection inside a transaction (server-side cursors need one).

def postgres_tables(conn: Any) -> list[str]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY n.nspname, c.relname")
        return [name if schema == "public" else f"{schema}.{name}"
                for schema, name in cursor.fetchall()]


def _pg_name(table: str) -> str:
    schema, _, name = table.rpartition(".")
    return f"{quote(schema)}.{quote(name)}" if schema else f"public.{quote(name)}"


def postgres_table_stats(conn: Any, table: str) -> TableStats:
    qualified = _pg_name(table)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, t.typcategory FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)", [qualified])
        key = cursor.fetchall()
    # Text keys sort in the "C" collation: the order must not depend on the database locale.
    order = ", ".join(quote(name) + (' COLLATE "C"' if category == "S" else "")
                      for name, category in key) or '(t::text) COLLATE "C"'
    # The server writes each row as text (its record syntax), so the checksum does not depend
    # on the client's type conversions (Django's connection loads jsonb as text, psycopg's
    # default as dicts); postgres_stats fixes the settings that text depends on.
    with conn.cursor(name="kehu_backup_rows") as cursor:
        cursor.itersize = BATCH
        cursor.execute(f"SELECT t::text FROM {qualified} AS t ORDER BY {order}")  # noqa: S608
        return digest(cursor)


TEXT_SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO, YMD", "IntervalStyle": "postgres",
                 "extra_float_digits": "1", "bytea_output": "hex"}


def postgres_stats(conn: Any) -> dict[str, TableStats]:
    with conn.cursor() as cursor:
        for name, value in TEXT_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])  # SET LOCAL
    return {table: postgres_table_stats(conn, table) for table in postgres_tables(conn)}


def postgres_migrations(conn: Any) -> dict[str, str]:
    if "django_migrations" not in postgres_tables(conn):
        return {}
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return _latest(cursor.fetchall())


# ----------------------------------------------------------------------------------------------

def _fetch(cursor: Any) -> Iterator[Sequence[Any]]:
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def _latest(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The latest applied migration per app (the last one recorded)."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = name
    return dict(sorted(latest.items()))


@dataclass(frozen=True)
class Mismatch:
    table: str
    expected: TableStats | None
    actual: TableStats | None

    @property
    def problem(self) -> str:
        from django.utils.translation import gettext

        if self.actual is None:
            return gettext("missing")
        if self.expected is None:
            return gettext("not in the backup")
        if self.expected.rows != self.actual.rows:
            return gettext("row count differs")
        return gettext("checksum differs")


def compare(expected: dict[str, TableStats], actual: dict[str, TableStats]) -> list[Mismatch]:
    """Tables whose rows differ. A table the backup did not have is only a mismatch when it
    has rows (a newer Kehu may have created an empty one)."""
    mismatches = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None and got is not None and got.rows == 0:
            continue
        if want != got:
            mismatches.append(Mismatch(table, want, got))
    return mismatches


def from_json(tables: dict[str, dict[str, Any]]) -> dict[str, TableStats]:
    return {name: TableStats(rows=int(v["rows"]), sha256=str(v["sha256"]))
            for name, v in tables.items()}

"""Writing many rows of a model fast: ids allocated up front, rows as tuples, one statement
per batch (executemany on SQLite, COPY on PostgreSQL).

Django's `bulk_create` spends ~40 µs a row on model instances and per-field preparation, and
splits SQLite inserts into statements of 999 parameters; at a million imported customers that
alone would take minutes. These helpers do the same inserts for ~5 µs a row. They write only
plain rows (no signals, no `save()`), which is all Kehu's models need: the import writes the
audit log and the search index itself, as every other bulk path does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import OperationalError, connection, models, transaction

from kehu.core import rls

# SQLite settings for the connections that write an import, restored when it ends: a page
# cache that holds the indexes a large import keeps changing (the default 32 MB is a fraction
# of a million customers' 18 indexes), and checkpoints of the write-ahead log every 64 MB
# instead of every 4 MB (after every batch), so a page changed by many batches is copied to
# the database file once per checkpoint, not once per batch. Durability is unchanged (WAL,
# synchronous=NORMAL, one transaction per batch).
SQLITE_IMPORT_PRAGMAS = {"cache_size": -262_144, "wal_autocheckpoint": 16_384}


def tune_for_import() -> dict[str, int]:
    """Set the current connection up for writing an import (SQLite; nothing elsewhere);
    returns the settings it had."""
    previous: dict[str, int] = {}
    connection.ensure_connection()
    if connection.vendor != "sqlite":
        return previous
    with connection.cursor() as cursor:
        for name, value in SQLITE_IMPORT_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            previous[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    return previous


@contextlib.contextmanager
def tuned_for_import() -> Iterator[None]:
    """The current connection set up for writing an import while the block runs."""
    previous = tune_for_import()
    try:
        yield
    finally:
        if previous and connection.connection is not None:  # not closed meanwhile
            with connection.cursor() as cursor:
                for name, value in previous.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`. Call inside the transaction that inserts them:
    on SQLite the transaction holds the write lock (IMMEDIATE), so nobody else can take
    these ids; on PostgreSQL they come from the table's sequence."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            column = model._meta.pk.column
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)", [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) "  # noqa: S608
                       f"FROM {quoted}")
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys taken ahead in a short transaction of their own, for inserts
    that happen later in another transaction (the import's writer thread). SQLite: the
    table's AUTOINCREMENT counter (sqlite_sequence) moves past them, so no insert of anybody
    else can take them; PostgreSQL: they come from the sequence."""
    if connection.vendor == "postgresql":
        return allocate_ids(model, count)
    for attempt in range(5):  # the writer thread may hold the write lock for a while
        try:
            return _reserve_sqlite_ids(model, count)
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 4:
                raise
            time.sleep(1 + attempt)
    return []  # not reached


def _reserve_sqlite_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        first = allocate_ids(model, count)[0] if count else 0
        cursor.execute("SELECT 1 FROM sqlite_sequence WHERE name = %s", [table])
        if cursor.fetchone():
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                           [first + count - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                           [table, first + count - 1])
    return list(range(first, first + count))


class IdReserve:
    """Keys of one model taken ahead in chunks (see reserve_ids)."""

    def __init__(self, model: type[models.Model], chunk: int) -> None:
        self.model, self.chunk = model, chunk
        self._free: list[int] = []

    def take(self, count: int) -> list[int]:
        if len(self._free) < count:
            self._free += reserve_ids(self.model, max(self.chunk, count - len(self._free)))
        taken, self._free = self._free[:count], self._free[count:]
        return taken


def _remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, answering at once for None and for the value it saw last (a batch's rows
    share one `now`)."""
    last: list[Any] = [None, None]

    def converted(value: Any) -> Any:
        if value is None:
            return None
        if value is last[0]:
            return last[1]
        result = convert(value)
        last[0], last[1] = value, result
        return result
    return converted


def json_encoder(field: models.Field) -> Callable[[Any], str]:
    """A JSON field's value → the text stored: what json.dumps(value, cls=field.encoder,
    ensure_ascii=False) gives, with one encoder for all rows (json.dumps with `cls` builds
    one per call)."""
    return (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "DateTimeField":
        return _remembering(ops.adapt_datetimefield_value)
    if kind == "DateField":
        return _remembering(ops.adapt_datefield_value)
    if kind == "JSONField":
        return json_encoder(field)
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits,
                                                          field.decimal_places)
    return None


class RowWriter:
    """Inserts rows of one model given as tuples in `columns` order; concrete fields missing
    from `columns` get their defaults. Columns named in `encoded` are given as the text the
    database stores (JSON made with `json_encoder`), encoded by the caller: an import does
    that while the batch before is written, so the writing thread has less to do."""

    def __init__(self, model: type[models.Model], columns: Sequence[str],
                 encoded: Iterable[str] = ()) -> None:
        self.model = model
        self.columns = list(columns)
        fields = [model._meta.get_field(name) for name in self.columns]
        self.fields = fields
        encoded = set(encoded)
        self.converters = [(i, c) for i, f in enumerate(fields)
                           if f.attname not in encoded and (c := _converter(f)) is not None]
        self.rest = [f for f in model._meta.concrete_fields
                     if not f.primary_key and f.attname not in self.columns
                     and f.name not in self.columns]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.column_sql = ", ".join(quote(f.column) for f in [*fields, *self.rest])

    def _constants(self) -> tuple:
        return tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.rest)

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        converters, constants = self.converters, self._constants()
        prepared = []
        for row in rows:
            if converters:
                values = list(row)
                for i, convert in converters:
                    values[i] = convert(values[i])
                prepared.append((*values, *constants) if constants else values)
            else:
                prepared.append((*row, *constants) if constants else row)
        if not prepared:
            return 0
        # PostgreSQL refuses COPY FROM under row-level security; the rows carry the
        # importing organization's id, set by the importer (kehu.core.rls)
        with rls.bypass(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {self.table} ({self.column_sql}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(prepared[0]))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.column_sql}) "  # noqa: S608 - names
                    f"VALUES ({placeholders})", prepared)
        return len(prepared)

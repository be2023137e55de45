"""`kehu bi export`: one file per reporting view, CSV or Parquet, with exactly the view's columns.

The rows are read from the views themselves (after a refresh), so a file and the SQL a BI tool
runs always agree. Rows are read in keyset pages of BATCH rows (`WHERE id > last ORDER BY id`)
and written as they come: memory stays flat at a million rows. On PostgreSQL every view is read
in one REPEATABLE READ snapshot, so the files agree with each other.

Types: decimals stay exact (Parquet decimal128(p, s) with the column's scale; custom decimal
fields decimal128(38, 10)); timestamps are instants (Parquet timestamp[us, UTC]; CSV in the
server's time zone with its offset); dates are dates. CSV files are UTF-8 with a BOM and every
text cell is neutralized against formula injection (`safe_cell`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import decimal
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kehu.bi import ddl, services
from kehu.bi.schema import Column, views
from kehu.core.backup.archive import kehu_version
from kehu.core.common.exports import safe_cell
from kehu.core.tenancy.models import Organization

BATCH = 10_000
ROW_GROUP = 100_000
CUSTOM_DECIMAL = (38, 10)  # precision and scale of custom decimal fields in Parquet
FORMATS = ("csv", "parquet")
_NUMERIC = re.compile(r"^numeric\((\d+),(\d+)\)$")
_FLOAT_CONTEXT = decimal.Context(prec=15)  # what Django itself reads back from SQLite


@dataclass
class ExportResult:
    rows: dict[str, int] = field(default_factory=dict)


def organization_export(*, organization: Organization, fmt: str, out: str | Path) -> ExportResult:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    services.reporting_schema_refresh(organization=organization)
    result = ExportResult()
    manifest_views = {}
    with _snapshot():
        for view in views():
            columns = ddl.view_columns(organization.pk, view)
            path = out / f"{view.name}.{fmt}"
            pages = _pages(ddl.relation(organization.pk, view.name), columns)
            write = _write_csv if fmt == "csv" else _write_parquet
            result.rows[view.name] = _atomically(path, lambda p, c=columns, r=pages, w=write:
                                                 w(p, c, r))
            manifest_views[view.name] = {
                "file": path.name, "rows": result.rows[view.name],
                "columns": [{"name": c.name, "type": c.type} for c in columns]}
    manifest = {
        "organization": {"id": organization.pk, "slug": organization.slug,
                         "name": organization.name},
        "exported_at": timezone.now().isoformat(), "kehu_version": kehu_version(),
        "format": fmt, "time_zone": settings.TIME_ZONE, "views": manifest_views}
    _atomically(out / "manifest.json", lambda p: p.write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"))
    return result


def _atomically(path: Path, write: Callable[[Path], Any]) -> Any:
    partial = path.with_name(path.name + ".partial")
    try:
        value = write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return value


def _pages(relation: str, columns: list[Column]) -> Iterator[list[list[Any]]]:
    """The view's rows in id order, BATCH at a time, each value of its column's Python type."""
    names = ", ".join(f'"{column.name}"' for column in columns)
    convert = [_converter(column) for column in columns]
    id_index = [column.name for column in columns].index("id")
    last = -1
    sql = f'SELECT {names} FROM {relation} WHERE "id" > %s ORDER BY "id" LIMIT %s'  # noqa: S608
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, BATCH])
            raw = cursor.fetchall()
        if not raw:
            return
        last = raw[-1][id_index]
        yield [[None if value is None else fn(value) for fn, value in zip(convert, row,
                                                                         strict=True)]
               for row in raw]


def _converter(column: Column) -> Callable[[Any], Any]:
    """From what the database driver returns (SQLite gives text for dates and floats for
    decimals) to one Python type per column type."""
    if column.type in ("bigint", "integer"):
        return int
    if column.type == "boolean":
        return bool
    if column.type == "text":
        return str
    if column.type == "date":
        return lambda v: (datetime.date.fromisoformat(v[:10]) if isinstance(v, str) else v)
    if column.type == "timestamp":
        # Django stores naive UTC in SQLite; a custom value typed without an offset is local
        zone = (timezone.get_default_timezone() if column.name.startswith("cf_")
                else datetime.UTC)
        return lambda v: _aware(datetime.datetime.fromisoformat(v) if isinstance(v, str)
                                else v, zone)
    match = _NUMERIC.match(column.type)
    quantum = decimal.Decimal(1).scaleb(-int(match.group(2))) if match else None
    return lambda v: _decimal(v, quantum)


def _aware(value: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=zone)


def _decimal(value: Any, quantum: decimal.Decimal | None) -> decimal.Decimal:
    if isinstance(value, float):
        number = (_FLOAT_CONTEXT.create_decimal_from_float(value) if quantum
                  else decimal.Decimal(repr(value)))
    else:
        number = decimal.Decimal(str(value))
    return number.quantize(quantum) if quantum is not None else number


def _write_csv(path: Path, columns: list[Column], pages: Iterator[list[list[Any]]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for page in pages:
            writer.writerows([_csv_cell(value) for value in row] for row in page)
            count += len(page)
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(sep=" ")
    if isinstance(value, datetime.date | int):
        return str(value)
    return safe_cell(value)


def _write_parquet(path: Path, columns: list[Column],
                   pages: Iterator[list[list[Any]]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(column.name, _arrow_type(column), nullable=True,
                                 metadata={"description": column.doc, "type": column.type})
                        for column in columns])
    count = 0
    pending: list[pa.RecordBatch] = []
    with pq.ParquetWriter(path, schema) as writer:
        for page in pages:
            values = list(zip(*page, strict=True))
            pending.append(pa.record_batch(
                [pa.array(_fit(column, values[i]), type=schema.field(i).type)
                 for i, column in enumerate(columns)], schema=schema))
            count += len(page)
            if sum(batch.num_rows for batch in pending) >= ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending), row_group_size=ROW_GROUP)
                pending = []
        if pending or count == 0:
            writer.write_table(pa.Table.from_batches(pending, schema=schema),
                               row_group_size=ROW_GROUP)
    return count


def _arrow_type(column: Column):
    import pyarrow as pa

    match = _NUMERIC.match(column.type)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    return {
        "bigint": pa.int64(), "integer": pa.int64(), "text": pa.string(),
        "boolean": pa.bool_(), "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC"),
        "numeric": pa.decimal128(*CUSTOM_DECIMAL),
    }[column.type]


def _fit(column: Column, values: tuple[Any, ...]) -> tuple[Any, ...] | list[Any]:
    """Custom decimals have no fixed scale; Parquet needs one. More than 10 places are rounded
    half-even (the view and CSV keep every digit)."""
    if column.type != "numeric":
        return values
    quantum = decimal.Decimal(1).scaleb(-CUSTOM_DECIMAL[1])
    return [v.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
            if v is not None and v.as_tuple().exponent < -CUSTOM_DECIMAL[1] else v
            for v in values]


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield

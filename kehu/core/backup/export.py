"""One organization's data, for a customer who leaves: a zip of CSV files and its uploads.

    manifest.json                 organization, exported_at, Kehu version, rows per file
    tenancy.organization.csv      the organization itself
    accounts.user.csv             its members' accounts (never password hashes)
    <app>.<model>.csv             every model with an `organization` foreign key, found
                                  through the app registry, only this organization's rows
    <app>.<model>_<field>.csv     the many-to-many tables of those models, restricted to the
                                  organization's rows
    files/<storage name>          the uploaded files its rows point to

CSV files are UTF-8 with a BOM (Excel and WPS open them), one column per database column
(`customer_id` holds the id of a row in customers.customer.csv), and every text cell is
neutralized against formula injection with `kehu.core.common.exports.safe_cell`. Rows are
streamed from the database into the zip one at a time, so memory stays flat however large
the organization.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone

from kehu.core.backup.archive import kehu_version
from kehu.core.common.exports import safe_cell
from kehu.core.tenancy.models import Organization

CHUNK = 2000
SECRET_FIELDS = {"password"}  # plus every field ending in "_hash"


@dataclass
class Table:
    name: str  # the CSV file name without .csv
    queryset: models.QuerySet
    columns: list[str]
    file_fields: list[models.FileField] = field(default_factory=list)


@dataclass
class ExportResult:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: list[str] = field(default_factory=list)


def organization_tables(organization: Organization) -> list[Table]:
    """Every table of the organization's data, each with a queryset of only its rows."""
    tables = [_table("tenancy.organization", Organization,
                     Organization.objects.filter(pk=organization.pk))]
    user = get_user_model()
    members = user._default_manager.filter(memberships__organization=organization).distinct()
    tables.append(_table(f"{user._meta.label_lower}", user, members))
    for model in apps.get_models():
        if model._meta.proxy or not _belongs_to_organization(model):
            continue
        tables.append(_table(model._meta.label_lower, model,
                             model._default_manager.filter(organization=organization)))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if _belongs_to_organization(through):
                continue  # an explicit through model with its own organization: listed above
            tables.append(_table(
                f"{model._meta.label_lower}_{m2m.name}", through,
                through._default_manager.filter(
                    **{f"{m2m.m2m_field_name()}__organization": organization})))
    return tables


def organization_export(*, organization: Organization, path: str | Path) -> ExportResult:
    """Write the zip to `path` (atomically: as path.partial, renamed when complete)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    result = ExportResult()
    try:
        with _snapshot(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED,
                                          allowZip64=True) as archive:
            tables = organization_tables(organization)
            for table in tables:
                result.rows[f"{table.name}.csv"] = _write_csv(archive, table)
            for table in tables:
                _write_files(archive, table, result)
            manifest = {
                "organization": {"id": organization.pk, "slug": organization.slug,
                                 "name": organization.name},
                "exported_at": timezone.now().isoformat(),
                "kehu_version": kehu_version(),
                "time_zone": timezone.get_current_timezone_name(),
                "rows": result.rows, "files": result.files,
                "missing_files": result.missing_files,
            }
            archive.writestr(_member("manifest.json"), json.dumps(manifest, indent=1,
                                                         ensure_ascii=False))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _belongs_to_organization(model: type[models.Model]) -> bool:
    try:
        fk = model._meta.get_field("organization")
    except FieldDoesNotExist:
        return False
    return fk.concrete and fk.is_relation and fk.related_model is Organization


def _table(name: str, model: type[models.Model], queryset: models.QuerySet) -> Table:
    fields = [f for f in model._meta.concrete_fields
              if f.name not in SECRET_FIELDS and not f.name.endswith("_hash")]
    return Table(name=name, queryset=queryset.order_by("pk"),
                 columns=[f.attname for f in fields],
                 file_fields=[f for f in fields if isinstance(f, models.FileField)])


def _write_csv(archive: zipfile.ZipFile, table: Table) -> int:
    count = 0
    with archive.open(_member(f"{table.name}.csv"), "w", force_zip64=True) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(table.columns)
        for row in _rows(table.queryset.values_list(*table.columns)):
            writer.writerow([cell(value) for value in row])
            count += 1
    return count


def cell(value: Any) -> Any:
    """A database value as a CSV cell a spreadsheet shows as text, never runs."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bytes | memoryview):
        value = bytes(value).hex()
    value = safe_cell(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _write_files(archive: zipfile.ZipFile, table: Table, result: ExportResult) -> None:
    if not table.file_fields:
        return
    names = [f.attname for f in table.file_fields]
    written: set[str] = set()
    for row in _rows(table.queryset.values_list(*names)):
        for file_field, name in zip(table.file_fields, row, strict=True):
            relative = PurePosixPath(name or "")
            if not name or relative.is_absolute() or ".." in relative.parts:
                continue
            member = f"files/{relative.as_posix()}"
            if member in written:
                continue
            try:
                source = file_field.storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                result.missing_files.append(name)
                continue
            with source, archive.open(_member(member), "w", force_zip64=True) as out:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
            written.add(member)
            result.files += 1


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _rows(queryset: models.QuerySet) -> Iterator[tuple[Any, ...]]:
    return queryset.iterator(chunk_size=CHUNK)


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, read every table in one REPEATABLE READ snapshot, so the files agree
    with each other while people keep working. (SQLite: each table is read by one statement;
    a transaction there would take the write lock.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield

"""The backup archive and restoring it.

A backup is one tar file (gzip-compressed unless its name ends in ".tar"):

    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    database.pgdump    PostgreSQL: `pg_dump --format=custom`, taken in an exported snapshot
    media/...          every file under MEDIA_ROOT (uploaded attachments, import files)
    manifest.json      Kehu version, database vendor, created_at, the latest applied migration
                       per app, per table the row count and checksum, per media file its size
                       and sha256 (the last member: it is written once everything is read)

The checksums are computed from exactly what went into the archive (the SQLite copy; on
PostgreSQL, the same snapshot pg_dump read), so a backup taken while Kehu is serving is
consistent and verifiable. The archive is written as FILE.partial and renamed when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sqlite3
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import rls
from kehu.core.backup import checksums, postgres
from kehu.core.backup.errors import BackupError
from kehu.core.rls import schema as rls_schema

FORMAT = "kehu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    mismatches: list[checksums.Mismatch] = field(default_factory=list)
    media_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.media_problems


def kehu_version() -> str:
    try:
        return importlib.metadata.version("kehu")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# Backup ---------------------------------------------------------------------------------------

def backup_create(*, path: str | Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a backup of the database `using` and MEDIA_ROOT to `path`; return the manifest."""
    connection = connections[using]
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.")
                          % {"vendor": connection.vendor})
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    member = DATABASE_MEMBERS[connection.vendor]
    try:
        # The database copy goes next to the archive: the operator chose a disk with room.
        with tempfile.TemporaryDirectory(prefix=".kehu-backup-", dir=path.parent) as tmp:
            copy = Path(tmp) / member
            if connection.vendor == "sqlite":
                database = _sqlite_snapshot(connection, copy)
            else:
                database = _postgres_snapshot(connection, copy)
            with tarfile.open(partial, "w" if path.name.endswith(".tar") else "w:gz",
                              format=tarfile.PAX_FORMAT) as tar:
                tar.add(copy, arcname=member)
                media = _add_media(tar, Path(settings.MEDIA_ROOT), skip={partial, path})
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "kehu_version": kehu_version(),
                    "created_at": timezone.now().isoformat(),
                    "database": {"vendor": connection.vendor, "member": member,
                                 "server_version": database["server_version"]},
                    "migrations": database["migrations"],
                    "tables": {name: stats.as_json()
                               for name, stats in database["tables"].items()},
                    "media": media,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False)
                           .encode("utf-8"))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _sqlite_snapshot(connection: Any, copy: Path) -> dict[str, Any]:
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        # One step (pages=-1): a single read transaction, so the copy is one consistent
        # state; in WAL mode writers carry on meanwhile.
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(_("The database copy failed its integrity check: %(result)s")
                              % {"result": check})
        return {"server_version": sqlite3.sqlite_version,
                "tables": checksums.sqlite_stats(target),
                "migrations": checksums.sqlite_migrations(target)}
    finally:
        target.close()


def _postgres_snapshot(connection: Any, copy: Path) -> dict[str, Any]:
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside a database transaction."))
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, version = cursor.fetchone()
        # pg_dump reads the snapshot this transaction exported, and the checksums below read
        # it too: both see the database at the same instant.
        postgres.run(postgres.dump_command(connection.settings_dict, copy, snapshot=snapshot),
                     connection.settings_dict)
        raw = connection.connection
        return {"server_version": version, "tables": checksums.postgres_stats(raw),
                "migrations": checksums.postgres_migrations(raw)}


class _HashingReader:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha.update(data)
        return data


def _add_media(tar: tarfile.TarFile, root: Path, *, skip: set[Path]) -> dict[str, Any]:
    entries: dict[str, dict[str, Any]] = {}
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                full = Path(dirpath) / filename
                if full in skip or full.is_symlink():
                    continue
                try:
                    handle = full.open("rb")
                except FileNotFoundError:  # deleted while we walked
                    continue
                with handle:
                    info = os.fstat(handle.fileno())
                    if not stat.S_ISREG(info.st_mode):
                        continue
                    relative = full.relative_to(root).as_posix()
                    member = tarfile.TarInfo(MEDIA_PREFIX + relative)
                    member.size, member.mtime, member.mode = info.st_size, info.st_mtime, 0o644
                    reader = _HashingReader(handle)
                    tar.addfile(member, reader)
                entries[relative] = {"size": info.st_size, "sha256": reader.sha.hexdigest()}
    return {"files": len(entries), "bytes": sum(e["size"] for e in entries.values()),
            "entries": entries}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = len(data), int(timezone.now().timestamp()), 0o644
    tar.addfile(member, io.BytesIO(data))


# Restore --------------------------------------------------------------------------------------

def read_manifest(path: str | Path) -> dict[str, Any]:
    with _open_archive(Path(path)) as tar:
        return _manifest(tar)


def has_kehu_data(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database holds an organization or a user (a migrated, empty database
    does not)."""
    from django.contrib.auth import get_user_model

    from kehu.core.tenancy.models import Organization

    connection = connections[using]
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        name = Path(connection.settings_dict["NAME"])
        if not name.exists() or name.stat().st_size == 0:
            return False
    tables = set(connection.introspection.table_names())
    return any(model._meta.db_table in tables and model._default_manager.using(using).exists()
               for model in (Organization, get_user_model()))


def backup_restore(*, path: str | Path, force: bool = False,
                   using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Restore the archive at `path` into the database `using` and MEDIA_ROOT, then check
    every table's row count and checksum against the manifest."""
    connection = connections[using]
    with _open_archive(Path(path)) as tar:
        manifest = _manifest(tar)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(_("This backup is of a %(backup)s database but Kehu is configured "
                                "for %(configured)s. Restore it into a %(backup)s database.")
                              % {"backup": vendor, "configured": connection.vendor})
        if not force and has_kehu_data(using=using):
            raise BackupError(_(
                "The configured database already has Kehu data (organizations or users). "
                "Restoring would replace all of it. Run the restore again with --force if "
                "that is what you want, or configure an empty database (KEHU_DATABASE_URL)."))
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            raise BackupError(_("Cannot restore into an in-memory SQLite database."))
        with tempfile.TemporaryDirectory(prefix="kehu-restore-") as tmp:
            dump = _extract(tar, manifest["database"]["member"], Path(tmp))
            if vendor == "sqlite":
                _sqlite_restore(connection, dump)
            else:
                _postgres_restore(connection, dump)
        media_problems = _restore_media(tar, Path(settings.MEDIA_ROOT), manifest["media"])
    actual = current_stats(using=using)
    return RestoreResult(
        manifest=manifest, media_problems=media_problems,
        mismatches=checksums.compare(checksums.from_json(manifest["tables"]), actual))


def current_stats(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, checksums.TableStats]:
    connection = connections[using]
    if connection.vendor == "sqlite":
        # A plain sqlite3 connection: Django's converts values (booleans, datetimes), and the
        # checksums must read the raw values, as they were read from the backup copy.
        if connection.is_in_memory_db():
            connection.ensure_connection()
            db = sqlite3.connect(":memory:")
            connection.connection.backup(db)
        else:
            db = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            return checksums.sqlite_stats(db)
        finally:
            db.close()
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost:  # one snapshot for every table
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return checksums.postgres_stats(connection.connection)


def _open_archive(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": path})
    try:
        return tarfile.open(path, "r:*")
    except tarfile.TarError as error:
        raise BackupError(_("%(path)s is not a Kehu backup archive (%(error)s).")
                          % {"path": path, "error": error}) from error


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(tar.getmember(MANIFEST))
        manifest = json.loads(handle.read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError, tarfile.TarError) as error:
        raise BackupError(_("The archive has no readable manifest.json; it is not a complete "
                            "Kehu backup.")) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(_("The archive is not a Kehu backup this version can read."))
    return manifest


def _extract(tar: tarfile.TarFile, name: str, directory: Path) -> Path:
    try:
        source = tar.extractfile(tar.getmember(name))
    except KeyError as error:
        raise BackupError(_("The archive has no %(name)s.") % {"name": name}) from error
    target = directory / PurePosixPath(name).name
    with source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)
    return target


def _sqlite_restore(connection: Any, copy: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _postgres_restore(connection: Any, dump: Path) -> None:
    connection.close()  # no open transaction of ours may hold a lock pg_restore waits for
    postgres.run(postgres.restore_command(connection.settings_dict, dump),
                 connection.settings_dict)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore leaves the planner without statistics
    if rls.enabled(connection.alias):
        # the tables came back with their policies but without grants (--no-privileges)
        rls_schema.install(connection)


def _safe_relative(name: str) -> PurePosixPath | None:
    relative = PurePosixPath(name)
    if relative.is_absolute() or not relative.parts or ".." in relative.parts:
        return None
    return relative


def _restore_media(tar: tarfile.TarFile, root: Path, expected: dict[str, Any]) -> list[str]:
    restored: dict[str, dict[str, Any]] = {}
    problems = []
    for member in tar.getmembers():
        if not member.name.startswith(MEDIA_PREFIX) or not member.isfile():
            continue
        relative = _safe_relative(member.name[len(MEDIA_PREFIX):])
        if relative is None:
            problems.append(_("%(name)s: unsafe path, skipped") % {"name": member.name})
            continue
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".kehu-restore")
        sha = hashlib.sha256()
        with tar.extractfile(member) as source, partial.open("wb") as out:
            while chunk := source.read(CHUNK):
                sha.update(chunk)
                out.write(chunk)
        os.replace(partial, target)
        with contextlib.suppress(OSError):
            os.utime(target, (member.mtime, member.mtime))
        restored[relative.as_posix()] = {"size": member.size, "sha256": sha.hexdigest()}
    for name, info in sorted(expected.get("entries", {}).items()):
        got = restored.get(name)
        if got is None:
            problems.append(_("media/%(name)s: missing from the archive") % {"name": name})
        elif (got["size"], got["sha256"]) != (info["size"], info["sha256"]):
            problems.append(_("media/%(name)s: checksum differs") % {"name": name})
    return problems

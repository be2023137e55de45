"""`kehu backup` and `kehu restore`: a backup restored into a fresh database has the same rows.

The restore runs as a real `kehu restore` process pointed (KEHU_DATABASE_URL) at a fresh
database: a new SQLite file, or on PostgreSQL a separate database created for the test.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from kehu.core.backup import archive, checksums, postgres
from kehu.core.backup.tests.scene import organization_with_customers

ROOT = Path(__file__).resolve().parents[4]


def run_kehu(*args: str, database_url: str, media_root: Path, var_dir: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("KEHU_")}
    env.update({"KEHU_DATABASE_URL": database_url, "KEHU_MEDIA_ROOT": str(media_root),
                "KEHU_VAR_DIR": str(var_dir), "KEHU_SECRET_KEY": "restore-test",
                "DJANGO_SETTINGS_MODULE": "kehu.config.settings.base"})
    return subprocess.run([sys.executable, "-m", "kehu", *args], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=600, check=False)


class FreshSqlite:
    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "restored.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def stats(self) -> dict[str, checksums.TableStats]:
        db = sqlite3.connect(self.path)
        try:
            return checksums.sqlite_stats(db)
        finally:
            db.close()

    def customer_names(self) -> list[str]:
        db = sqlite3.connect(self.path)
        try:
            return [n for (n,) in db.execute("SELECT name FROM customers_customer ORDER BY id")]
        finally:
            db.close()

    def drop(self) -> None:
        pass


class FreshPostgres:
    """A separate database next to the test database: <test database>_restore."""

    def __init__(self) -> None:
        import psycopg

        self.settings = dict(connection.settings_dict)
        self.name = f"{self.settings['NAME']}_restore"
        self.psycopg = psycopg
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._admin("CREATE DATABASE {}")
        user = quote(self.settings.get("USER") or "", safe="")
        password = quote(self.settings.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = self.settings.get("HOST") or "localhost"
        port = f":{self.settings['PORT']}" if self.settings.get("PORT") else ""
        self.url = f"postgres://{credentials}{host}{port}/{self.name}"

    def _connect(self, dbname: str, **kwargs):
        return self.psycopg.connect(
            dbname=dbname, host=self.settings.get("HOST") or None,
            port=self.settings.get("PORT") or None, user=self.settings.get("USER") or None,
            password=self.settings.get("PASSWORD") or None, **kwargs)

    def _admin(self, statement: str) -> None:
        from psycopg import sql

        with self._connect("postgres", autocommit=True) as admin:
            admin.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def stats(self) -> dict[str, checksums.TableStats]:
        with self._connect(self.name) as db, db.transaction():
            return checksums.postgres_stats(db)

    def customer_names(self) -> list[str]:
        with self._connect(self.name) as db:
            return [n for (n,) in db.execute("SELECT name FROM customers_customer ORDER BY id")]

    def drop(self) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


@pytest.fixture
def fresh_database(tmp_path):
    database = FreshSqlite(tmp_path) if connection.vendor == "sqlite" else FreshPostgres()
    yield database
    database.drop()


@pytest.fixture
def uploaded_file(settings):
    path = Path(settings.MEDIA_ROOT) / "attachments" / "1" / "2026" / "01" / "合同 扫描件.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4 contract" * 100)
    return path


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
        tmp_path, fresh_database, uploaded_file):
    organization_with_customers("甲方科技有限公司", ["华为技术有限公司", "腾讯科技有限公司"])
    organization_with_customers("乙方贸易有限公司", ["阿里巴巴"])
    backup = tmp_path / "kehu.tar.gz"
    out = io.StringIO()
    call_command("backup", str(backup), stdout=out)
    assert "Backed up" in out.getvalue()

    manifest = manifest_of(backup)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["kehu_version"]
    leaves = MigrationLoader(connection, ignore_no_migrations=True).graph.leaf_nodes("customers")
    assert manifest["migrations"]["customers"] == leaves[0][1]  # the schema it was taken at
    assert manifest["tables"]["customers_customer"]["rows"] == 3
    assert manifest["tables"]["customers_contact"]["rows"] == 3
    assert manifest["tables"]["customers_followup"]["rows"] == 3
    assert manifest["tables"]["customers_customer_tags"]["rows"] == 3
    assert manifest["media"]["files"] == 1
    # The manifest describes the database as it is: nothing changed since the backup.
    live = archive.current_stats()
    assert checksums.compare(checksums.from_json(manifest["tables"]), live) == []

    media = tmp_path / "restored-media"
    restored = run_kehu("restore", str(backup), database_url=fresh_database.url,
                        media_root=media, var_dir=tmp_path / "var")
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "校验通过" in restored.stdout  # "Verified", in the default language

    # Checked again here, independently of the command's own verification.
    assert checksums.compare(checksums.from_json(manifest["tables"]),
                             fresh_database.stats()) == []
    assert fresh_database.customer_names() == ["华为技术有限公司", "腾讯科技有限公司", "阿里巴巴"]
    relative = uploaded_file.relative_to(uploaded_file.parents[4])
    assert (media / relative).read_bytes() == uploaded_file.read_bytes()

    # The restored database now has data: a second restore refuses without --force.
    again = run_kehu("restore", str(backup), database_url=fresh_database.url,
                     media_root=media, var_dir=tmp_path / "var")
    assert again.returncode != 0
    assert "--force" in again.stderr
    assert "已有 Kehu 数据" in again.stderr

    # A backup whose manifest disagrees with its data: the mismatch is printed, exit non-zero.
    tampered = tmp_path / "tampered.tar"
    _rewrite_manifest(backup, tampered, lambda m: m["tables"]["customers_customer"].update(
        rows=4))
    checked = run_kehu("restore", "--force", str(tampered), database_url=fresh_database.url,
                       media_root=media, var_dir=tmp_path / "var")
    assert checked.returncode != 0
    assert "customers_customer" in checked.stdout
    assert "行数不一致" in checked.stdout
    assert "customers_contact" not in checked.stdout


def _rewrite_manifest(source: Path, target: Path, change) -> None:
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_kehu_data(tmp_path):
    organization_with_customers("甲方科技有限公司", ["华为技术有限公司"])
    backup = tmp_path / "kehu.tar"
    call_command("backup", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"already has Kehu data.*--force"):
        call_command("restore", str(backup), stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_explains_a_file_that_is_not_a_backup(tmp_path):
    missing = tmp_path / "nothing.tar.gz"
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(missing))
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(CommandError, match="not a Kehu backup"):
        call_command("restore", str(not_a_backup))


def test_a_backup_of_another_vendor_is_refused(tmp_path):
    backup = tmp_path / "other.tar"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest = {"format": archive.FORMAT, "format_version": 1, "database": {"vendor": other}}
    with tarfile.open(backup, "w") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match=f"{other} database"):
        call_command("restore", str(backup))


def test_pg_dump_gets_the_password_through_the_environment_only(tmp_path, monkeypatch):
    monkeypatch.setattr(postgres.shutil, "which", lambda name: f"/usr/bin/{name}")
    settings_dict = {"NAME": "kehu", "USER": "kehu", "PASSWORD": "s3cret", "HOST": "db",
                     "PORT": 5433, "OPTIONS": {"sslmode": "require"}}
    args = postgres.dump_command(settings_dict, tmp_path / "x.pgdump", snapshot="0-1")
    assert args[:2] == ["/usr/bin/pg_dump", "--format=custom"]
    assert "s3cret" not in " ".join(args)
    assert _after(args, "--host") == "db"
    assert _after(args, "--snapshot") == "0-1"
    env = postgres.environment(settings_dict)
    assert (env["PGPASSWORD"], env["PGSSLMODE"]) == ("s3cret", "require")
    restore = postgres.restore_command(settings_dict, tmp_path / "x.pgdump")
    assert {"--clean", "--if-exists", "--no-owner"} <= set(restore)
    assert "s3cret" not in " ".join(restore)


def _after(args: list[str], option: str) -> str:
    return args[args.index(option) + 1]


def test_checksums_tell_row_count_and_content_changes_apart():
    rows = [(1, "华为", None), (2, "腾讯", b"\x00")]
    same = checksums.digest(rows)
    assert same == checksums.digest(list(rows))
    changed = checksums.digest([(1, "华为", None), (2, "腾讯", b"\x01")])
    assert changed.rows == same.rows
    assert changed.sha256 != same.sha256
    assert checksums.digest([(1, None)]) != checksums.digest([(1, "None")])
    problems = checksums.compare({"a": same, "b": same, "c": same},
                                 {"a": same, "b": changed, "d": checksums.digest([])})
    assert [(m.table, m.problem) for m in problems] == [("b", "checksum differs"),
                                                        ("c", "missing")]

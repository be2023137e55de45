"""`kehu backup FILE`: the database, uploaded files and a manifest in one archive.

See docs/operations.md. Safe while Kehu is serving (SQLite online backup API; PostgreSQL
pg_dump in an exported snapshot).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.core.backup import archive
from kehu.core.backup.errors import BackupError


class Command(BaseCommand):
    help = ("Back up the database and the uploaded files (MEDIA_ROOT) into FILE, a tar.gz "
            "archive (plain tar if FILE ends in .tar) with a manifest of row counts and "
            "checksums.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. kehu-2026-01-31.tar.gz")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, **options):
        try:
            manifest = archive.backup_create(path=options["file"], using=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(_(
            "Backed up %(vendor)s database (%(tables)d tables, %(rows)d rows) and %(files)d "
            "media files (%(bytes)s bytes) to %(path)s") % {
                "vendor": manifest["database"]["vendor"], "tables": len(manifest["tables"]),
                "rows": rows, "files": manifest["media"]["files"],
                "bytes": manifest["media"]["bytes"], "path": options["file"]}))

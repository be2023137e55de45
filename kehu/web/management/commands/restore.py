"""`kehu restore FILE [--force]`: bring back a `kehu backup` archive, then verify it.

Refuses a database that already has Kehu data unless --force. After restoring, every
table's row count and checksum is compared with the manifest; mismatches are printed and
the command exits non-zero.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from kehu.core.backup import archive
from kehu.core.backup.errors import BackupError


class Command(BaseCommand):
    help = ("Restore a backup made by `kehu backup` into the configured database and "
            "MEDIA_ROOT, then verify row counts and checksums of every table.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `kehu backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already has Kehu data")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, **options):
        using = options["database"]
        try:
            result = archive.backup_restore(path=options["file"], force=options["force"],
                                            using=using)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(_("Restored the backup of %(created)s (Kehu %(version)s, "
                            "%(tables)d tables, %(files)d media files).") % {
            "created": manifest["created_at"], "version": manifest["kehu_version"],
            "tables": len(manifest["tables"]), "files": manifest["media"]["files"]})
        if result.mismatches:
            self.stdout.write(self._table(result.mismatches))
        for problem in result.media_problems:
            self.stdout.write(problem)
        if not result.ok:
            raise CommandError(_("The restored data does not match the backup's manifest "
                                 "(%(tables)d tables, %(files)d media files differ).") % {
                "tables": len(result.mismatches), "files": len(result.media_problems)})
        self.stdout.write(self.style.SUCCESS(_(
            "Verified: every table's row count and checksum matches the manifest.")))
        if self._pending_migrations(using):
            self.stdout.write(self.style.WARNING(_(
                "This Kehu has newer database migrations than the backup: run `kehu migrate`.")))

    def _table(self, mismatches) -> str:
        header = (_("Table"), _("Backup rows"), _("Restored rows"), _("Problem"))
        rows = [(m.table, "-" if m.expected is None else str(m.expected.rows),
                 "-" if m.actual is None else str(m.actual.rows), m.problem)
                for m in mismatches]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
                 for r in [header, *rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _pending_migrations(self, using: str) -> bool:
        executor = MigrationExecutor(connections[using])
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

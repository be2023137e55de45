"""`kehu import_leads FILE [--org SLUG] [--user EMAIL] [--dry-run] [--report PATH]`: import
leads from a CSV or XLSX file now, with the same validation and assignment rules as the web
import, and without its size limits."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Via
from kehu.customers.management.commands._actor import add_actor_arguments, command_actor
from kehu.leads import imports


class Command(BaseCommand):
    help = "Import leads from a CSV or XLSX file (as Excel or WPS save it)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        add_actor_arguments(parser)
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and count, write nothing")
        parser.add_argument("--report", help="where to write the rejected rows "
                                             "(default: next to FILE, *-rejected.csv)")

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        actor = command_actor(options, via=Via.IMPORT)
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            report = imports.lead_import(actor=actor, file_name=os.path.basename(path),
                                         data=data, dry_run=options["dry_run"], max_rows=None,
                                         max_bytes=0)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for header, key in report.columns.items():
            self.stdout.write(f"  {header} → {key}")
        for header in report.ignored_columns:
            self.stdout.write(f"  {header} → (left out)")
        prefix = "Dry run: " if report.dry_run else ""
        self.stdout.write(f"{prefix}{report.created} created, {report.rejected_count} rejected, "
                          f"{report.assigned} assigned by the rules.")
        if report.rejected:
            target = options["report"] or f"{os.path.splitext(path)[0]}-rejected.csv"
            with open(target, "wb") as out:
                out.write(imports.rejected_csv(report))
            self.stdout.write(f"Rejected rows and reasons: {target}")

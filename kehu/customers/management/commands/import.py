# ruff: noqa: N999 - the command is `kehu import`, so the module is import.py
"""`kehu import customers|contacts FILE [--org SLUG] [--user EMAIL] [--mapping NAME]
[--on-duplicate skip|update|create] [--dry-run]`: import a CSV or XLSX file now."""

from __future__ import annotations

import os
import shutil
import time

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Via
from kehu.customers.imports import bulk, mapping, services
from kehu.customers.management.commands._actor import add_actor_arguments, command_actor
from kehu.customers.models import ImportJob, ImportMapping


class Command(BaseCommand):
    help = ("Import customers (or contacts) from a CSV or XLSX file, with the same validation, "
            "duplicate check, audit log and search index as the web import.")

    def add_arguments(self, parser):
        parser.add_argument("object_type", choices=[mapping.CUSTOMERS, mapping.CONTACTS])
        parser.add_argument("file")
        add_actor_arguments(parser)
        parser.add_argument("--mapping", help="name of a saved mapping template")
        parser.add_argument("--on-duplicate", choices=ImportJob.OnDuplicate.values,
                            default=ImportJob.OnDuplicate.SKIP)
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and count, write nothing")
        parser.add_argument("--report", help="where to write the rejected rows "
                                             "(default: next to FILE, *-rejected.csv/xlsx)")
        parser.add_argument("--batch-size", type=int, default=bulk.BATCH_SIZE)

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        actor = command_actor(options, via=Via.IMPORT)
        template = None
        if options["mapping"]:
            template = ImportMapping.objects.filter(
                organization=actor.organization, object_type=options["object_type"],
                name=options["mapping"]).first()
            if template is None:
                raise CommandError(f"No saved mapping {options['mapping']!r}.")
        started = time.monotonic()
        try:
            with open(path, "rb") as handle:
                job = services.import_job_create(
                    actor=actor, file=File(handle, name=os.path.basename(path)),
                    object_type=options["object_type"], template=template,
                    max_bytes=services.UNLIMITED)
            self._show_mapping(job)
            job = services.import_job_configure(
                actor=actor, job=job, mapping_keys=job.mapping,
                on_duplicate=options["on_duplicate"], dry_run=options["dry_run"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        job = services.import_job_run(actor=actor, job=job, batch_size=options["batch_size"],
                                      progress=self._progress)
        self.stderr.write("")
        self._summary(job, time.monotonic() - started, path, options["report"])
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error)

    def _show_mapping(self, job: ImportJob) -> None:
        for header, key in zip(job.headers, job.mapping, strict=True):
            self.stdout.write(f"  {header} → {key or '(left out)'}")

    def _progress(self, job: ImportJob) -> None:
        total = f"/{job.total_rows:,}" if job.total_rows else ""
        self.stderr.write(f"\r  {job.rows_done:,}{total} rows …", ending="")
        self.stderr.flush()

    def _summary(self, job: ImportJob, seconds: float, path: str, report_path: str | None):
        rate = job.rows_done / seconds if seconds else 0
        prefix = "Dry run: " if job.dry_run else ""
        self.stdout.write(
            f"{prefix}{job.get_status_display()} in {seconds:.1f} s ({rate:,.0f} rows/s): "
            f"{job.rows_done:,} rows, {job.created_count:,} created, "
            f"{job.updated_count:,} updated, {job.unchanged_count:,} unchanged, "
            f"{job.skipped_count:,} skipped, {job.rejected_count:,} rejected.")
        if job.last_committed_row and job.status != ImportJob.Status.DONE:
            self.stdout.write(f"Rows up to {job.last_committed_row} were imported.")
        if job.report:
            stem, _ext = os.path.splitext(path)
            target = report_path or f"{stem}-rejected{os.path.splitext(job.report.name)[1]}"
            with job.report.open("rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            self.stdout.write(f"Rejected rows and reasons: {target}")
        self.stdout.write(f"Import #{job.pk}.")

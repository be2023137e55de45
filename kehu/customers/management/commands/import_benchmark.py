"""`kehu import_benchmark [--rows 20000] [--formats csv,xlsx]`: time the real customer import
(validation, duplicate check, audit log, search index) on a generated spreadsheet, each format
into a new empty organization, and the raw load of the same rows into a bare table as the
physical reference; prints the figures as JSON. Writes data: benchmark databases only."""

from __future__ import annotations

import json
import os
import tempfile
import time
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kehu.core.permissions.actor import Actor, Via
from kehu.customers.imports import benchmark, services
from kehu.customers.models import ImportJob
from kehu.demo.people import STAFF, create_people

FORMATS = ("csv", "xlsx")


class Command(BaseCommand):
    help = "Time the customer import of N generated rows (writes data; benchmark databases only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--formats", default="csv,xlsx")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options) -> None:
        formats = [f for f in options["formats"].split(",") if f]
        if unknown := set(formats) - set(FORMATS):
            raise CommandError(f"Unknown format(s): {', '.join(sorted(unknown))}")
        rows = options["rows"]
        figures: dict[str, Any] = {"rows": rows}
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        with tempfile.TemporaryDirectory(prefix="kehu-import-bench-") as work:
            csv_path = os.path.join(work, "customers.csv")
            owners = [name for _local, name, *_rest in STAFF][:4]
            benchmark.write_csv(csv_path, rows=rows, seed=options["seed"], owners=owners)
            figures["csv_bytes"] = os.path.getsize(csv_path)
            for fmt in formats:
                path = csv_path if fmt == "csv" else benchmark.csv_to_xlsx(csv_path)
                figures[fmt] = _timed_import(path, slug=f"import-bench-{fmt}-{stamp}")
            raw = benchmark.raw_load(csv_path, batch_size=5000)
            figures["raw"] = {"seconds": round(raw, 2), "rows_per_s": round(rows / raw)}
        for fmt in formats:
            figures[fmt]["ratio_to_raw"] = round(figures[fmt]["seconds"] / raw, 1)
        self.stdout.write(json.dumps(figures))


def _timed_import(path: str, *, slug: str) -> dict[str, Any]:
    people = create_people(org_name=f"导入基准 {slug}", slug=slug,
                                     admin_email=f"admin@{slug}.bench.local")
    actor = Actor.for_user(organization=people.organization, user=people.admin, via=Via.IMPORT)
    started = time.monotonic()
    with open(path, "rb") as handle:
        job = services.import_job_create(actor=actor, object_type="customers",
                                         file=File(handle, name=os.path.basename(path)),
                                         template=None, max_bytes=services.UNLIMITED)
    job = services.import_job_configure(actor=actor, job=job, mapping_keys=job.mapping,
                                        on_duplicate=ImportJob.OnDuplicate.SKIP, dry_run=False)
    job = services.import_job_run(actor=actor, job=job)
    seconds = time.monotonic() - started
    if job.status != ImportJob.Status.DONE:
        raise CommandError(f"The {os.path.basename(path)} import ended {job.status}: {job.error}")
    return {"seconds": round(seconds, 2), "rows_per_s": round(job.rows_done / seconds),
            "bytes": os.path.getsize(path), "created": job.created_count,
            "skipped": job.skipped_count, "rejected": job.rejected_count}

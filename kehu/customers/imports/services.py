"""Imports: upload a file, choose the mapping and options, start, cancel; and the run itself
(called by the background job, or directly by `kehu import`)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kehu.core.audit import services as audit
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.customfields.services import active_definitions
from kehu.core.notifications.services import notify
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor, Via
from kehu.customers.imports import bulk, mapping, parallel, reading
from kehu.customers.imports.report import RejectedRows, report_name
from kehu.customers.imports.rows import parser_for
from kehu.customers.models import Customer, ImportJob, ImportMapping

logger = logging.getLogger(__name__)
Status = ImportJob.Status
UNLIMITED = 0


def max_upload_bytes() -> int:
    """Imports may be five times as large as other uploads (a million rows is ~100 MB)."""
    return settings.KEHU_UPLOAD_MAX_BYTES * 5


def _object_type(job_or_type: Any) -> str:
    return mapping.OBJECT_TYPES[getattr(job_or_type, "object_type", job_or_type)][0]


def targets_for(*, organization, object_type: str) -> list[mapping.Target]:
    definitions = active_definitions(organization=organization,
                                     object_type=_object_type(object_type))
    return mapping.targets(object_type=object_type, definitions=definitions)


@contextlib.contextmanager
def local_file(job: ImportJob) -> Iterator[str]:
    """A path to the job's file on this machine (a temporary copy for remote storage)."""
    storage = job.file.storage
    try:
        path = storage.path(job.file.name)
    except NotImplementedError:
        path = None
    if path and os.path.exists(path):
        yield path
        return
    extension = os.path.splitext(job.file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=extension) as copy, \
            storage.open(job.file.name, "rb") as source:
        shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield copy.name


def _opener(path: str) -> Callable[[], Any]:
    return lambda: open(path, "rb")


def open_job_table(job: ImportJob, path: str) -> reading.Table:
    """The job's file, read as it was when uploaded (encoding and header row known)."""
    if job.encoding or job.delimiter:
        table = reading.Table(kind="csv", opener=_opener(path), encoding=job.encoding,
                              delimiter=job.delimiter, header_row=job.header_row,
                              headers=list(job.headers))
    else:
        table = reading.Table(kind="xlsx", opener=_opener(path), header_row=job.header_row,
                              headers=list(job.headers))
        with table.opener() as handle:
            workbook = reading._load_workbook(handle)
            table.epoch = workbook.epoch
            workbook.close()
    return table


def _require_import(actor: Actor) -> None:
    scoping.require(actor, "import", Customer)


def _require_own(actor: Actor, job: ImportJob) -> None:
    if job.organization_id != actor.organization.pk:
        raise PermissionDeniedError()
    if not actor.is_admin and job.user_id != (actor.user.pk if actor.user else None):
        raise PermissionDeniedError()


@transaction.atomic
def import_job_create(*, actor: Actor, file: File, name: str = "",
                      object_type: str = mapping.CUSTOMERS,
                      template: ImportMapping | None = None,
                      max_bytes: int | None = None) -> ImportJob:
    """Keep the uploaded file, find how to read it and guess the mapping (or apply a saved
    template). Nothing is imported until `import_job_start`. `max_bytes=UNLIMITED` for the
    command line, which is not an upload."""
    _require_import(actor)
    if object_type not in mapping.OBJECT_TYPES:
        raise ValidationError({"object_type": _("Choose customers or contacts.")})
    name = os.path.basename(name or file.name or "import.csv")[:255]
    reading.check_extension(name)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if limit and file.size > limit:
        raise ValidationError({"file": _(
            "The file is larger than %(limit)s. Split it into smaller files, or import it "
            "with the `kehu import` command.") % {"limit": filesizeformat(limit)}})
    if template is not None and template.organization_id != actor.organization.pk:
        template = None
    job = ImportJob(organization=actor.organization, user=actor.user, object_type=object_type,
                    original_name=name, size=file.size or 0)
    job.file.save(name, file, save=False)
    all_targets = targets_for(organization=actor.organization, object_type=object_type)
    try:
        with local_file(job) as path:
            table = reading.open_table(
                _opener(path), name,
                header_score=lambda cells: mapping.header_score(cells, all_targets=all_targets))
    except reading.UnreadableFile:
        job.file.delete(save=False)
        raise
    if not table.headers:
        job.file.delete(save=False)
        raise reading.UnreadableFile(_("The file has no header row."))
    job.encoding, job.delimiter = table.encoding, table.delimiter
    job.header_row, job.headers = table.header_row, table.headers
    job.mapping = mapping.guess(table.headers, all_targets=all_targets,
                                template=template.mapping if template else None)
    job.save()
    audit.change_record(actor=actor, action="create", instance=job, before=None,
                        after=audit.snapshot(job))
    return job


@transaction.atomic
def import_job_configure(*, actor: Actor, job: ImportJob, mapping_keys: list[str],
                         on_duplicate: str | None = None, dry_run: bool | None = None,
                         save_mapping_as: str = "") -> ImportJob:
    """Set the mapping and options of a job not started yet; optionally save the mapping
    as a template for the next file."""
    _require_import(actor)
    _require_own(actor, job)
    if job.status != Status.PENDING:
        raise DomainError("import_started", _("This import has already started."))
    all_targets = targets_for(organization=actor.organization, object_type=job.object_type)
    job.mapping = mapping.validate(mapping_keys, headers=job.headers, all_targets=all_targets)
    if on_duplicate is not None:
        if on_duplicate not in ImportJob.OnDuplicate.values:
            raise ValidationError({"on_duplicate": _("Choose skip, update or create.")})
        job.on_duplicate = on_duplicate
    if dry_run is not None:
        job.dry_run = dry_run
    job.save(update_fields=["mapping", "on_duplicate", "dry_run", "updated_at"])
    if save_mapping_as.strip():
        import_mapping_save(actor=actor, object_type=job.object_type, name=save_mapping_as,
                            mapping_data=mapping.template_from(job.headers, job.mapping))
    return job


def _reset(job: ImportJob) -> None:
    job.rows_done = job.created_count = job.updated_count = job.unchanged_count = 0
    job.skipped_count = job.rejected_count = 0
    job.total_rows = job.last_committed_row = job.started_at = job.finished_at = None
    job.batches, job.error, job.cancel_requested = [], "", False
    if job.report:
        job.report.delete(save=False)


@transaction.atomic
def import_job_start(*, actor: Actor, job: ImportJob, dry_run: bool | None = None) -> ImportJob:
    """Queue the job. A finished dry run can be started again for real (same file, same
    mapping). The job runs in the background, as the actor, through the audit channel
    "import"."""
    from kehu.customers.imports import jobs

    _require_import(actor)
    _require_own(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    rerun = job.status == Status.DONE and job.dry_run
    if job.status != Status.PENDING and not rerun:
        raise DomainError("import_started", _("This import has already started."))
    all_targets = targets_for(organization=actor.organization, object_type=job.object_type)
    mapping.validate(job.mapping, headers=job.headers, all_targets=all_targets)
    if rerun:
        _reset(job)
        job.dry_run = False
    if dry_run is not None:
        job.dry_run = dry_run
    job.status = Status.QUEUED
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: jobs.run_import.enqueue(actor, job_id, via=Via.IMPORT))
    return job


@transaction.atomic
def import_job_cancel(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Not started yet: cancelled at once. Running: it stops after the batch it is writing
    (batches already written stay, and the job lists them)."""
    _require_own(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (Status.PENDING, Status.QUEUED):
        job.status, job.finished_at = Status.CANCELLED, timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
    elif job.status == Status.RUNNING:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested", "updated_at"])
    else:
        raise DomainError("import_finished", _("This import has already finished."))
    return job


@transaction.atomic
def import_mapping_save(*, actor: Actor, object_type: str, name: str,
                        mapping_data: dict[str, str]) -> ImportMapping:
    """Save (or replace) a named mapping template of the organization."""
    _require_import(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the template a name of at most 100 "
                                         "characters.")})
    if object_type not in mapping.OBJECT_TYPES:
        raise ValidationError({"object_type": _("Choose customers or contacts.")})
    known = {t.key for t in targets_for(organization=actor.organization,
                                        object_type=object_type)}
    if not isinstance(mapping_data, dict) or any(
            not isinstance(v, str) or (v and v not in known) for v in mapping_data.values()):
        raise ValidationError({"mapping": _("Map header texts to known fields.")})
    cleaned = {mapping.normalize_header(k): v for k, v in mapping_data.items()
               if mapping.normalize_header(k)}
    template = ImportMapping.objects.filter(organization=actor.organization,
                                            object_type=object_type, name=name).first()
    before = audit.snapshot(template) if template else None
    template = template or ImportMapping(organization=actor.organization,
                                         object_type=object_type, name=name,
                                         created_by=actor.user)
    template.mapping = cleaned
    template.save()
    audit.change_record(actor=actor, action="update" if before else "create",
                        instance=template, before=before, after=audit.snapshot(template))
    return template


def import_job_run(*, actor: Actor, job: ImportJob, batch_size: int = bulk.BATCH_SIZE,
                   progress: Callable[[ImportJob], None] | None = None,
                   parallel_reading: bool | None = None,
                   writer_thread: bool | None = None) -> ImportJob:
    """Run the import now, in batches of one transaction each. Ends as done, cancelled or
    failed; the job keeps its counts, the rows each committed batch wrote and the report of
    rejected rows either way. Not atomic on purpose: committed batches stay committed.

    Large files use both cores: they are read and validated in a helper process
    (`parallel_reading`), and batches are written by a thread of their own while the next
    one is prepared (`writer_thread`); both default to on from 50,000 rows. Messages (the
    reasons in the report) are in the language of the user who started the import."""
    language = (job.user.language if job.user else "") or settings.LANGUAGE_CODE
    with override(language):
        return _run(actor=actor, job=job, batch_size=batch_size, progress=progress,
                    parallel_reading=parallel_reading, writer_thread=writer_thread,
                    language=language)


def _in_memory_database() -> bool:
    from django.db import connection

    name = str(connection.settings_dict.get("NAME") or "")
    return connection.vendor == "sqlite" and (":memory:" in name or "mode=memory" in name)


def _run(*, actor: Actor, job: ImportJob, batch_size: int,
         progress: Callable[[ImportJob], None] | None, parallel_reading: bool | None,
         writer_thread: bool | None, language: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING,
                                               started_at=timezone.now())
    job.refresh_from_db()
    report = RejectedRows(headers=job.headers, fmt="csv" if job.delimiter else "xlsx")
    status, error = Status.DONE, ""
    try:
        _require_import(actor)
        with local_file(job) as path:
            table = open_job_table(job, path)
            job.total_rows = table.count_rows()
            ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
            parser = parser_for(object_type=job.object_type, actor=actor, headers=job.headers,
                                mapping=job.mapping, epoch=table.epoch)
            importer = bulk.importer_for(object_type=job.object_type, actor=actor, job=job,
                                         parser=parser, report=report, batch_size=batch_size,
                                         progress=progress)
            importer.prepare()
            if writer_thread is None:
                # a thread has a connection of its own, which cannot see an in-memory database
                writer_thread = parallel.worth_it(job.total_rows) and not _in_memory_database()
            if writer_thread:
                importer.use_writer_thread()
            if parallel_reading is None:
                parallel_reading = parallel.worth_it(job.total_rows)
            if parallel_reading:
                importer.run(parsed_rows=parallel.parsed_rows(
                    path=path, table=table, parser=parser, language=language))
            else:
                importer.run(table.rows())
    except bulk.Cancelled:
        status = Status.CANCELLED
    except bulk.BatchFailed as exc:
        logger.exception("import %s failed at rows %s-%s", job.pk, exc.first_row, exc.last_row)
        status, error = Status.FAILED, bulk.failure_message(exc, job)
    except DomainError as exc:
        status, error = Status.FAILED, exc.message
    except Exception:
        logger.exception("import %s failed", job.pk)
        status = Status.FAILED
        error = _("The import stopped because of an unexpected error. Rows up to %(row)s were "
                  "imported.") % {"row": job.last_committed_row or "—"}
    try:
        report.save_to(job, report_name(job.original_name, report.fmt))
    except Exception:
        logger.exception("import %s: could not store the report", job.pk)
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "report", "updated_at"])
    _notify_finished(job)
    return job


def report_filename(job: ImportJob) -> str:
    """The name the report downloads as: the uploaded file's name, "-rejected", its type."""
    return report_name(job.original_name, "xlsx" if job.report.name.endswith(".xlsx")
                       else "csv")


def _notify_finished(job: ImportJob) -> None:
    if job.user is None:
        return
    try:
        url = reverse("customers:import-detail", args=[job.pk])
    except NoReverseMatch:
        url = ""
    with override(job.user.language or None):
        titles = {Status.DONE: _("Import of “%(file)s” finished"),
                  Status.CANCELLED: _("Import of “%(file)s” was cancelled"),
                  Status.FAILED: _("Import of “%(file)s” failed")}
        title = titles[job.status] % {"file": job.original_name}
        if job.dry_run:
            title = _("Dry run: %(title)s") % {"title": title}
        body = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                 "%(skipped)d skipped, %(rejected)d rejected.") % {
            "created": job.created_count, "updated": job.updated_count,
            "unchanged": job.unchanged_count, "skipped": job.skipped_count,
            "rejected": job.rejected_count}
        if job.error:
            body = f"{job.error}\n{body}"
    notify(organization=job.organization, recipient=job.user, kind="import.finished",
           title=title, body=body, url=url)

"""/api/v1/customers/imports: import customers or contacts from CSV and XLSX files.

Upload a file (multipart) → the job answers with the file's columns, the guessed mapping and
a preview; adjust with `POST …/{id}/start` (mapping, on_duplicate, dry_run), poll
`GET …/{id}` for progress and counts, download `GET …/{id}/report` (rejected rows with the
reason for each), `POST …/{id}/cancel` to stop between batches.
"""

from datetime import datetime
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage
from kehu.customers.imports import selectors, services
from kehu.customers.imports.mapping import CUSTOMERS
from kehu.customers.models import ImportJob

router = Router(tags=["imports"])

ObjectType = Literal["customers", "contacts"]
OnDuplicate = Literal["skip", "update", "create"]


class FieldOut(Schema):
    key: str
    label: str
    required: bool
    group: str


class PreviewRowOut(Schema):
    row: int
    cells: list[str]
    action: str
    reason: str
    errors: dict[str, str]
    match_id: int | None


class BatchOut(Schema):
    batch: int
    first_row: int
    last_row: int
    written: list[list[int]]
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int


class ImportOut(Schema):
    id: int
    object_type: str
    file_name: str
    encoding: str
    headers: list[str]
    mapping: list[str]
    on_duplicate: str
    dry_run: bool
    status: str
    total_rows: int | None
    rows_done: int
    progress_percent: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    last_committed_row: int | None
    batches: list[BatchOut]
    error: str
    has_report: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_file_name(obj: ImportJob) -> str:
        return obj.original_name

    @staticmethod
    def resolve_created(obj: ImportJob) -> int:
        return obj.created_count

    @staticmethod
    def resolve_updated(obj: ImportJob) -> int:
        return obj.updated_count

    @staticmethod
    def resolve_unchanged(obj: ImportJob) -> int:
        return obj.unchanged_count

    @staticmethod
    def resolve_skipped(obj: ImportJob) -> int:
        return obj.skipped_count

    @staticmethod
    def resolve_rejected(obj: ImportJob) -> int:
        return obj.rejected_count

    @staticmethod
    def resolve_has_report(obj: ImportJob) -> bool:
        return bool(obj.report)


class UploadOut(ImportOut):
    fields: list[FieldOut]
    preview: list[PreviewRowOut]


class StartIn(Schema):
    mapping: list[str] | None = None
    on_duplicate: OnDuplicate | None = None
    dry_run: bool | None = None
    save_mapping_as: str = ""


class MappingOut(Schema):
    id: int
    object_type: str
    name: str
    mapping: dict[str, str]


class MappingIn(Schema):
    name: str
    object_type: ObjectType = CUSTOMERS
    mapping: dict[str, str]


def _with_preview(request: HttpRequest, job: ImportJob) -> ImportJob:
    """The job with its fields and preview attached (UploadOut reads them)."""
    preview = selectors.import_preview(actor=request.actor, job=job)
    job.fields = [{"key": t.key, "label": str(t.label), "required": t.required,
                   "group": t.group} for t in preview.targets]
    job.preview = [{"row": r.number, "cells": r.cells, "action": r.action, "reason": r.reason,
                    "errors": r.errors, "match_id": r.target_id} for r in preview.rows]
    return job


@router.post("/imports", response={201: UploadOut})
def upload(request: HttpRequest, file: File[UploadedFile],
           object_type: Form[ObjectType] = CUSTOMERS, mapping_id: Form[int | None] = None):
    """Upload a .csv or .xlsx file. Nothing is imported yet: the answer shows how the file
    was read (encoding, header row), the guessed mapping (a saved template's when
    `mapping_id` is given) and what the first rows would do."""
    template = (selectors.import_mapping_get(actor=request.actor, mapping_id=mapping_id)
                if mapping_id else None)
    job = services.import_job_create(actor=request.actor, file=file, name=file.name,
                                     object_type=object_type, template=template)
    return Status(201, _with_preview(request, job))


@router.get("/imports", response=list[ImportOut])
@paginate(CursorPage)
def list_imports(request: HttpRequest):
    """Your imports (an admin sees the organization's), newest first."""
    return selectors.import_job_list(actor=request.actor)


@router.get("/imports/mappings", response=list[MappingOut])
def list_mappings(request: HttpRequest, object_type: ObjectType | None = None):
    return selectors.import_mapping_list(actor=request.actor, object_type=object_type)


@router.post("/imports/mappings", response={201: MappingOut})
def save_mapping(request: HttpRequest, payload: MappingIn):
    """Save (or replace) a template: header text → field key ("" leaves the column out)."""
    return Status(201, services.import_mapping_save(
        actor=request.actor, object_type=payload.object_type, name=payload.name,
        mapping_data=payload.mapping))


@router.get("/imports/{job_id}", response=UploadOut)
def get_import(request: HttpRequest, job_id: int):
    """Status, progress, counts and the rows each committed batch wrote."""
    job = selectors.import_job_get(actor=request.actor, job_id=job_id)
    if job.status == ImportJob.Status.PENDING:
        return _with_preview(request, job)
    job.fields, job.preview = [], []
    return job


@router.post("/imports/{job_id}/start", response={202: ImportOut})
def start_import(request: HttpRequest, job_id: int, payload: StartIn):
    """Set the mapping and options (all optional) and queue the import. A finished dry run
    can be started again for real."""
    job = selectors.import_job_get(actor=request.actor, job_id=job_id)
    if job.status == ImportJob.Status.PENDING:
        job = services.import_job_configure(
            actor=request.actor, job=job,
            mapping_keys=payload.mapping if payload.mapping is not None else job.mapping,
            on_duplicate=payload.on_duplicate, dry_run=payload.dry_run,
            save_mapping_as=payload.save_mapping_as)
        job = services.import_job_start(actor=request.actor, job=job)
    else:
        job = services.import_job_start(actor=request.actor, job=job, dry_run=payload.dry_run)
    job.refresh_from_db()
    return Status(202, job)


@router.post("/imports/{job_id}/cancel", response=ImportOut)
def cancel_import(request: HttpRequest, job_id: int):
    job = selectors.import_job_get(actor=request.actor, job_id=job_id)
    return services.import_job_cancel(actor=request.actor, job=job)


@router.get("/imports/{job_id}/report", response={200: None})
def download_report(request: HttpRequest, job_id: int) -> FileResponse:
    """The rejected rows with their original values, the row number and the reason."""
    job = selectors.import_job_get(actor=request.actor, job_id=job_id)
    if not job.report:
        raise HttpError(404, _("This import rejected no rows."))
    return FileResponse(job.report.open("rb"), as_attachment=True,
                        filename=services.report_filename(job))

"""Imports of customers and contacts from CSV and XLSX files (导入), and saved column mappings.

An ImportJob keeps the uploaded file, how it is read (encoding, header row, column mapping),
the options, and — while and after it runs — its progress, its counts, the file rows each
committed batch wrote, and the report of rejected rows. A job that fails partway therefore
still tells exactly which rows are in the database.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


def import_file_path(instance: ImportJob, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:8]
    return (f"imports/{instance.organization_id}/{timezone.now():%Y/%m}/"
            f"{uuid.uuid4().hex}{extension}")


class ImportObjectType(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    CONTACTS = "contacts", _("Contacts")


class ImportMapping(OrganizationScopedModel):
    """A saved column mapping (导入模板): which header goes to which field."""

    object_type = models.CharField(_("records"), max_length=20, choices=ImportObjectType.choices,
                                   default=ImportObjectType.CUSTOMERS)
    name = models.CharField(_("name"), max_length=100)
    # {normalized header text: field key}; see imports/mapping.py
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "object_type", "name"],
                                               name="importmapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class ImportJob(OrganizationScopedModel):
    ObjectType = ImportObjectType
    # the audit log records who imported which file how; progress is on the job itself
    audit_exclude = frozenset({
        "file", "report", "headers", "mapping", "batches", "cancel_requested", "rows_done",
        "total_rows", "created_count", "updated_count", "unchanged_count", "skipped_count",
        "rejected_count", "last_committed_row", "error", "started_at", "finished_at",
        "delimiter", "header_row"})

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create anyway")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+", verbose_name=_("user"))
    object_type = models.CharField(_("records"), max_length=20, choices=ImportObjectType.choices,
                                   default=ImportObjectType.CUSTOMERS)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # how the file is read
    encoding = models.CharField(_("encoding"), max_length=30, blank=True, default="")
    delimiter = models.CharField(max_length=1, blank=True, default="")
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    # one field key per column, "" for columns left out
    mapping = models.JSONField(_("mapping"), default=list)
    # options
    on_duplicate = models.CharField(_("duplicates"), max_length=10,
                                    choices=OnDuplicate.choices, default=OnDuplicate.SKIP)
    dry_run = models.BooleanField(_("dry run"), default=False)
    # progress and outcome
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    cancel_requested = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    # the file row of the last row of the last committed batch
    last_committed_row = models.PositiveIntegerField(null=True, blank=True)
    # one entry per committed batch: {"batch", "first_row", "last_row", "written": [[a, b]...],
    # "created", "updated", "unchanged", "skipped", "rejected"}
    batches = models.JSONField(default=list, blank=True)
    report = models.FileField(_("rejected rows"), upload_to=import_file_path, max_length=300,
                              blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "user", "-id"],
                                name="importjob_org_user_recent")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_done * 100 // self.total_rows)

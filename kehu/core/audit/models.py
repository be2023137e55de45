"""The audit log: one append-only row per create, update or delete of business data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import (
    OrganizationScopedModel,
    created_at_field,
    organization_field,
)


class AppendOnlyError(Exception):
    pass


# The only columns a personal-data erasure may rewrite (see redaction.py); who, when, what
# object, which action and which fields changed stay as they were written.
REDACTABLE_FIELDS = frozenset({"changes", "object_repr", "note"})


class ChangeRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def redact(self, **kwargs) -> int:
        """The one exception to append-only, for erasure requests: replace personal values."""
        if not kwargs or set(kwargs) - REDACTABLE_FIELDS:
            raise AppendOnlyError("Only personal values of an audit record may be redacted.")
        return super().update(**kwargs)

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class ChangeRecord(OrganizationScopedModel):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        ASSIGN = "assign", _("Reassigned")
        MERGE = "merge", _("Merged")
        RESTORE = "restore", _("Restored")
        ERASE = "erase", _("Personal data erased")

    # Every index starts with the organization; the log gets a row per imported record, so
    # no single-column indexes beside them.
    organization = organization_field(indexed=False)
    created_at = created_at_field(indexed=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+", verbose_name=_("user"), db_index=False)
    via = models.CharField(_("through"), max_length=10)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    # {"field": [before, after]}; for create before is null, for delete after is null.
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id", "-created_at"],
                         name="changerecord_object"),
            models.Index(fields=["organization", "-created_at"], name="changerecord_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

"""To-dos with a due date: follow-up reminders, and later sales tasks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel


class Task(BusinessRecord, OwnedModel):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices,
                            default=Kind.FOLLOW_UP)
    due_on = models.DateField(_("due"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="tasks", verbose_name=_("customer"))
    notes = models.TextField(_("notes"), blank=True, default="")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = frozenset({"reminded_at"})

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["organization", "owner", "done_at", "due_on"],
                         name="task_owner_open"),
            models.Index(fields=["organization", "due_on"], name="task_org_due",
                         condition=models.Q(done_at__isnull=True)),
            models.Index(fields=["organization", "team", "due_on"], name="task_org_team"),
        ]

    def __str__(self) -> str:
        return self.title

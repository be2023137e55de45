"""Saved reports: a definition (see definitions.py) with an owner, shared with users, teams
and roles, and pinned by each user to their dashboard."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common.models import BusinessRecord
from kehu.core.tenancy.models import OrganizationScopedModel


class SavedReport(BusinessRecord):
    # roles grant actions on "reports.report"; who sees which report is decided by sharing
    permission_object_type = "reports.report"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=255, blank=True, default="")
    definition = models.JSONField(_("definition"), default=dict)
    shared_with_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                               related_name="+",
                                               verbose_name=_("shared with people"))
    shared_with_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+",
                                               verbose_name=_("shared with teams"))
    shared_with_roles = models.ManyToManyField("permissions.Role", blank=True,
                                               related_name="+",
                                               verbose_name=_("shared with roles"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["organization", "owner", "-id"],
                                name="savedreport_org_owner")]

    def __str__(self) -> str:
        return self.name


class ReportPin(OrganizationScopedModel):
    """A report on one user's dashboard."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="pins")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pinned report")
        verbose_name_plural = _("pinned reports")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "report"],
                                               name="reportpin_unique_user_report")]
        indexes = [models.Index(fields=["organization", "user", "position"],
                                name="reportpin_org_user")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.report_id}"

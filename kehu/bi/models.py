"""Which organizations have a reporting schema. Views are made on request (`kehu bi refresh`,
`grant` or `export`), not for every organization: a large installation should not carry a
dozen views per organization nobody reads, and `migrate` recreates only these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


class ReportingSchema(OrganizationScopedModel):
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting schema")
        verbose_name_plural = _("reporting schemas")
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="reportingschema_unique_org")]

    def __str__(self) -> str:
        return f"bi_{self.organization_id}"

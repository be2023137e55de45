"""Base classes for business records."""

from __future__ import annotations

from django.db import models

from kehu.core.customfields.models import HasCustomData
from kehu.core.tenancy.models import OrganizationScopedModel


class BusinessRecord(OrganizationScopedModel, HasCustomData):
    """A row users create and edit: scoped to an organization, extensible with custom fields,
    and versioned so that a stale edit is refused instead of overwriting a newer one."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

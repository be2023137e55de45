"""Gap-free document numbers (报价单号, 合同号) per organization and kind."""

from __future__ import annotations

from django.db import models

from kehu.core.tenancy.models import OrganizationScopedModel


class Sequence(OrganizationScopedModel):
    key = models.SlugField(max_length=30)  # "quote", "order"
    period = models.CharField(max_length=8, blank=True, default="")  # "2026" restarts yearly
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key", "period"],
                                               name="sequence_unique_key")]

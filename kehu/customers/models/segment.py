from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


class Segment(OrganizationScopedModel):
    """A saved filter over customers (客户分群), reusable in lists, exports and marketing.

    `filters` is a list of {"field": ..., "op": ..., "value": ...} conditions, all of which
    must hold (see segments.py for the fields and operators)."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("owner"))
    is_shared = models.BooleanField(_("shared with everyone"), default=False)
    filters = models.JSONField(_("conditions"), default=list)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

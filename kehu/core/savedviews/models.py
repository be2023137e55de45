"""A user's list settings per object type: which columns, in which order, and (optionally)
named views with filters and sort — stored as data, like Frappe's saved list views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


class SavedView(OrganizationScopedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    object_type = models.CharField(max_length=60)
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    columns = models.JSONField(_("columns"), default=list)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=60, blank=True, default="")
    is_default = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(
            fields=["organization", "user", "object_type"], condition=models.Q(is_default=True),
            name="savedview_one_default")]

    def __str__(self) -> str:
        return self.name or self.object_type

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


class MergeRecord(OrganizationScopedModel):
    """What a merge moved and changed, so that it can be undone exactly."""

    survivor = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    merged = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    # {"<relation label>": [row ids moved from `merged` to `survivor`]}
    moved = models.JSONField(default=dict)
    # tag ids and collaborator ids the survivor gained
    added_tags = models.JSONField(default=list)
    added_collaborators = models.JSONField(default=list)
    # the survivor's fields (and custom values) before the merge, for undo
    survivor_before = models.JSONField(default=dict)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import Organization


class PoolPolicy(models.Model):
    """The customer pool's (公海) rules of one organization."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE,
                                        related_name="+", primary_key=True)
    claim_limit = models.PositiveIntegerField(
        _("customers a rep may own"), default=0,
        help_text=_("Claiming from the pool stops at this many owned customers; 0 means no "
                    "limit."))
    no_follow_up_days = models.PositiveIntegerField(
        _("return after days without follow-up"), default=0,
        help_text=_("0 turns this rule off."))
    no_deal_days = models.PositiveIntegerField(
        _("return after days without a won deal"), default=0,
        help_text=_("Counted from when the rep got the customer; 0 turns this rule off."))
    warn_days_before = models.PositiveIntegerField(
        _("warn owners days before"), default=3)

    class Meta:
        verbose_name = _("customer pool policy")

    def __str__(self) -> str:
        return str(self.organization)

"""Opportunities (商机), their product lines and their stage history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.common import money
from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel
from kehu.core.tenancy.models import OrganizationScopedModel
from kehu.sales.models.pipeline import LostReason, Pipeline, Stage


class Opportunity(BusinessRecord, OwnedModel):
    audit_exclude = frozenset({"stage_entered_at", "weighted_amount", "board_rank"})

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", pgettext_lazy("deal", "Lost")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="opportunities", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="opportunities",
                                verbose_name=_("contact"))
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT,
                                 related_name="opportunities", verbose_name=_("pipeline"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities",
                              verbose_name=_("stage"))
    status = models.CharField(_("status"), max_length=4, choices=Status.choices,
                              default=Status.OPEN)
    amount = money.amount_field(_("amount"), default=money.ZERO)
    currency = money.currency_field()
    # amount × the stage's probability, kept on the row so forecasts are one SUM
    weighted_amount = money.amount_field(_("weighted amount"), default=money.ZERO,
                                         editable=False)
    expected_close_on = models.DateField(_("expected close date"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True, default="")
    competitors = models.CharField(_("competitors"), max_length=200, blank=True, default="")
    source = models.CharField(_("source"), max_length=60, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    lost_reason = models.ForeignKey(LostReason, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("lost reason"))
    lost_note = models.CharField(_("lost note"), max_length=255, blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    stage_entered_at = models.DateTimeField(default=timezone.now, editable=False)
    # the position of the card inside its kanban column (smaller first)
    board_rank = models.FloatField(default=0, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["organization", "-id"], name="opp_org_recent"),
            models.Index(fields=["organization", "owner", "-id"], name="opp_org_owner"),
            models.Index(fields=["organization", "team", "-id"], name="opp_org_team"),
            models.Index(fields=["stage", "board_rank", "id"], name="opp_stage_board"),
            # covers the kanban's column totals: one index-only pass, already grouped by stage
            models.Index(fields=["organization", "pipeline", "stage", "deleted_at", "amount",
                                 "weighted_amount"], name="opp_board_totals"),
            models.Index(fields=["organization", "status", "expected_close_on"],
                         name="opp_org_status_close"),
            models.Index(fields=["organization", "closed_at"], name="opp_org_closed"),
            models.Index(fields=["customer", "status"], name="opp_customer_status"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityLine(OrganizationScopedModel):
    """A product line on an opportunity (its amount can be the sum of the lines)."""

    permission_object_type = "sales.opportunity"
    scope_through = "opportunity"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="lines", verbose_name=_("opportunity"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3,
                                   default=1)
    unit_price = money.amount_field(_("unit price"))
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=7,
                                           decimal_places=money.RATE_PLACES, default=0)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=7,
                                   decimal_places=money.RATE_PLACES, default=0)
    total = money.amount_field(_("total"), default=money.ZERO, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class StageChange(OrganizationScopedModel):
    """One move of an opportunity between stages: who, when, and how long it sat before."""

    permission_object_type = "sales.opportunity"
    scope_through = "opportunity"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    seconds_in_previous = models.PositiveBigIntegerField(default=0)
    amount = money.amount_field(_("amount"), default=money.ZERO)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "changed_at"], name="stagechange_opp"),
            models.Index(fields=["organization", "to_stage", "changed_at"],
                         name="stagechange_org_stage"),
            # The funnel's time in stage: a period's moves read from the index alone
            models.Index(fields=["organization", "changed_at", "from_stage", "to_stage",
                                 "seconds_in_previous", "opportunity"],
                         name="stagechange_stays"),
        ]

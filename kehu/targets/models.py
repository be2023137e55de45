"""Sales targets (销售目标): an amount a person or a team should reach in a month, quarter or
year, measured as won opportunity amount or as collected payments."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.core.common.models import BusinessRecord


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Metric(models.TextChoices):
    WON_AMOUNT = "won_amount", _("Won amount")
    COLLECTED = "collected", _("Collected payments")


def period_start(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the month, quarter or year that `day` falls in."""
    if kind == PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    if kind == PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The first day after the period that begins on `start` (exclusive end)."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class Target(BusinessRecord):
    """One target: for a user or for a team (exactly one of the two), one period, one metric.
    A team's actual figure is the sum over the members of the team and its sub-teams."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+", verbose_name=_("user"))
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    period_kind = models.CharField(_("period"), max_length=7, choices=PeriodKind.choices,
                                   default=PeriodKind.MONTH)
    period_start = models.DateField(_("period start"))
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices,
                              default=Metric.WON_AMOUNT)
    amount = money.amount_field(_("target amount"), validators=[MinValueValidator(0)])
    currency = money.currency_field()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, team__isnull=True)
                           | models.Q(user__isnull=True, team__isnull=False)),
                name="target_user_xor_team"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="target_amount_not_negative"),
            models.UniqueConstraint(
                fields=["organization", "user", "period_kind", "period_start", "metric"],
                condition=models.Q(user__isnull=False), name="target_unique_user_period"),
            models.UniqueConstraint(
                fields=["organization", "team", "period_kind", "period_start", "metric"],
                condition=models.Q(team__isnull=False), name="target_unique_team_period"),
        ]
        indexes = [models.Index(fields=["organization", "period_kind", "period_start"],
                                name="target_org_period")]

    def __str__(self) -> str:
        subject = self.user if self.user_id else self.team
        return f"{subject} {self.get_period_kind_display()} {self.period_start.isoformat()}"

    @property
    def period_end(self) -> datetime.date:
        return period_end(self.period_kind, self.period_start)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if bool(self.user_id) == bool(self.team_id):
            errors["user"] = _("Choose either a user or a team.")
        if self.period_start and self.period_kind in PeriodKind.values and \
                self.period_start != period_start(self.period_kind, self.period_start):
            errors["period_start"] = _("The period must start on its first day.")
        if errors:
            raise ValidationError(errors)

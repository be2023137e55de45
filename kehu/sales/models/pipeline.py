"""Pipelines (销售流程) and their ordered stages, each with a win probability."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.tenancy.models import OrganizationScopedModel


class Pipeline(OrganizationScopedModel):
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="pipeline_unique_name"),
            models.UniqueConstraint(fields=["organization"], condition=models.Q(is_default=True),
                                    name="pipeline_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(OrganizationScopedModel):
    """A step of a pipeline. Exactly one won and at least one lost stage close a deal."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", pgettext_lazy("deal", "Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages",
                                 verbose_name=_("pipeline"))
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.OPEN)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=models.Q(probability__lte=100),
                                   name="stage_probability_percent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class LostReason(OrganizationScopedModel):
    """A configurable reason for losing a deal (price, competitor, no budget…)."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="lostreason_unique_name")]

    def __str__(self) -> str:
        return self.name

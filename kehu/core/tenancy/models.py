"""Organizations (the companies using Kehu) and the base every business row inherits."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_currency = models.CharField(_("default currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization) -> Self:
        return self.filter(organization=organization)


def organization_field(*, indexed: bool = True) -> models.ForeignKey:
    """The row's organization. `indexed=False` for a table whose every index already starts
    with the organization: one more single-column index would only slow its inserts (the
    import writes a million customers)."""
    return models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("organization"), db_index=indexed)


def created_at_field(*, indexed: bool = True) -> models.DateTimeField:
    return models.DateTimeField(_("created at"), default=timezone.now, db_index=indexed)


class OrganizationScopedModel(models.Model):
    """Every business row belongs to exactly one organization.

    Reads go through `kehu.core.permissions.scoping.visible`, which is the one place that
    filters by organization and by the actor's role; nothing else filters by organization.
    """

    organization = organization_field()
    created_at = created_at_field()
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True

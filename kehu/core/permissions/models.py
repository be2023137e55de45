"""Roles (what a member may do, and on which records) and ownership of business records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.permissions import builtin
from kehu.core.tenancy.models import OrganizationScopedModel


class Role(OrganizationScopedModel):
    class DataScope(models.TextChoices):
        OWN = builtin.OWN, _("Own records")
        TEAM = builtin.TEAM, _("Own team")
        SUBTREE = builtin.SUBTREE, _("Team and sub-teams")
        ORG = builtin.ORG, _("Whole organization")

    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    is_builtin = models.BooleanField(_("built-in"), default=False)
    is_admin = models.BooleanField(
        _("organization admin"), default=False,
        help_text=_("Manages users, teams, roles, custom fields and reads the audit log."))
    data_scope = models.CharField(_("data scope"), max_length=10, choices=DataScope.choices,
                                  default=DataScope.OWN)
    grants = models.JSONField(_("permissions"), default=dict, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["organization", "key"],
                                               name="role_unique_key")]

    def __str__(self) -> str:
        if self.is_builtin and self.key in builtin.TEMPLATES:
            return str(builtin.TEMPLATES[self.key][0])
        return self.name

    def effective_grants(self) -> dict[str, list[str]]:
        if self.is_builtin and self.key in builtin.TEMPLATES:
            return builtin.grants_for(self.key)
        return self.grants

    def allows(self, action: str, object_type: str) -> bool:
        return action in self.effective_grants().get(object_type, ())


class OwnedModel(models.Model):
    """A business record that has an owner (负责人), the owner's team and collaborators.

    `team` is the owner's team at the time of assignment, kept on the row so that
    "my team's records" is an index lookup rather than a join through memberships. Every
    owned model declares the (organization, owner, …) and (organization, team, …) indexes
    its scoped lists need, so the fields carry no single-column index of their own.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("owner"),
                              db_index=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"), db_index=False)
    collaborators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                           related_name="+", verbose_name=_("collaborators"))

    class Meta:
        abstract = True

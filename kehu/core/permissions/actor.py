"""Who is doing something, for which organization, and through which channel.

Every service and selector takes an Actor. Views get it from the middleware, the API from its
authentication, jobs rebuild it from the reference they were queued with. There is no
thread-local "current organization".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.accounts.models import Membership, Team, User
from kehu.core.tenancy.models import Organization


class Via(models.TextChoices):
    UI = "ui", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    JOB = "job", _("Background job")
    CLI = "cli", _("Command line")


@dataclass(eq=False)
class Actor:
    organization: Organization
    user: User | None
    membership: Membership | None
    via: str = Via.UI
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def for_user(cls, *, organization: Organization, user: User, via: str = Via.UI) -> Actor:
        membership = (Membership.objects.select_related("role", "team")
                      .get(organization=organization, user=user, is_active=True))
        return cls(organization=organization, user=user, membership=membership, via=via)

    @classmethod
    def system(cls, *, organization: Organization, via: str = Via.JOB) -> Actor:
        """Kehu itself (periodic jobs): sees the whole organization, acts as nobody."""
        return cls(organization=organization, user=None, membership=None, via=via)

    def ref(self) -> dict[str, Any]:
        """What a queued job needs to act as this actor again."""
        return {"organization_id": self.organization.pk,
                "user_id": self.user.pk if self.user else None}

    @classmethod
    def from_ref(cls, ref: dict[str, Any], *, via: str = Via.JOB) -> Actor:
        organization = Organization.objects.get(pk=ref["organization_id"])
        if ref.get("user_id") is None:
            return cls.system(organization=organization, via=via)
        user = User.objects.get(pk=ref["user_id"])
        return cls.for_user(organization=organization, user=user, via=via)

    @property
    def is_system(self) -> bool:
        return self.membership is None

    @property
    def is_admin(self) -> bool:
        return self.is_system or self.membership.role.is_admin

    @property
    def data_scope(self) -> str:
        return "org" if self.is_system else self.membership.role.data_scope

    def can(self, action: str, object_type: str) -> bool:
        if self.is_system:
            return True
        return self.membership.role.allows(action, object_type)

    @cached_property
    def team_ids_in_scope(self) -> list[int]:
        """The actor's team, plus every team under it when the scope is "subtree"."""
        team = None if self.is_system else self.membership.team
        if team is None:
            return []
        if self.data_scope == "subtree":
            return list(Team.objects.filter(organization=self.organization,
                                            path__startswith=team.path)
                        .values_list("pk", flat=True))
        return [team.pk]

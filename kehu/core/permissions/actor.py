"""Who is doing something, for which organization, and through which channel.

Every service and selector takes an Actor. Views get it from the middleware, the API from its
authentication, jobs rebuild it from the reference they were queued with. There is no
thread-local "current organization".
"""

from __future__ import annotations

import pickle
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from kehu.core import rls
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
        membership = active_membership(organization_id=organization.pk, user_id=user.pk)
        if membership is None:  # e.g. a deactivated organization, which jobs still act for
            membership = (Membership.objects.select_related("role", "team")
                          .get(organization=organization, user=user, is_active=True))
        membership.user = user
        return cls(organization=organization, user=user, membership=membership, via=via)

    @classmethod
    def system(cls, *, organization: Organization, via: str = Via.JOB) -> Actor:
        """Kehu itself (periodic jobs): sees the whole organization, acts as nobody."""
        return cls(organization=organization, user=None, membership=None, via=via)

    def remember(self, key: str, load: Callable[[], Any]) -> Any:
        """`load()` computed once for this actor, i.e. once per request: several figures of
        one page can share one query."""
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

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
            return organization_cached(
                self.organization.pk, f"subtree:{team.pk}:{team.path}",
                lambda: list(Team.objects.filter(organization=self.organization,
                                                 path__startswith=team.path)
                             .values_list("pk", flat=True)))
        return [team.pk]


# Per-organization caching -------------------------------------------------------------------
#
# What almost every request reads and almost never changes (the member's membership, role and
# team, the team subtree, custom-field definitions) is kept in each process's memory, under a
# version shared by all processes through Django's cache: one key per organization. Any change
# to a membership, role, team or the organization itself (signals below; custom fields do the
# same from their services) replaces the version, so the next request of every process reads
# the database again. The version is a fresh random number, not a counter, so it never comes
# back to a value a process still holds (after a cache clear or eviction, or in tests that
# reuse ids). Entries also expire after LOCAL_TTL seconds whatever happens.

LOCAL_TTL = 60.0
LOCAL_MAX_ENTRIES = 20_000
_local: dict[tuple, tuple[float, bytes]] = {}


def _version_key(organization_id: int) -> str:
    return f"kehu:org-version:{organization_id}"


def organization_cache_version(organization_id: int) -> int:
    """The current cache version of an organization (one cache read)."""
    key = _version_key(organization_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.randbits(62), timeout=None)
        version = cache.get(key)
    return version


def invalidate_organization_cache(organization_id: int | None, *, on_commit: bool = True) -> None:
    """Forget everything cached for the organization, now and again when the current
    transaction commits (a request in between could otherwise cache what is about to change)."""
    if organization_id is None:
        return
    cache.set(_version_key(organization_id), secrets.randbits(62), timeout=None)
    if on_commit and transaction.get_connection().in_atomic_block:
        transaction.on_commit(
            lambda: invalidate_organization_cache(organization_id, on_commit=False))


def organization_cached(organization_id: int, name: str, load: Callable[[], Any]) -> Any:
    """`load()`'s result for this organization, from this process's memory while the
    organization's version has not changed. Each caller gets its own copy (unpickled)."""
    key = (organization_id, organization_cache_version(organization_id), name)
    now = time.monotonic()
    hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return pickle.loads(hit[1])  # noqa: S301 - our own bytes
    value = load()
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[key] = (now + LOCAL_TTL, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return value


def active_membership(*, organization_id: int, user_id: int) -> Membership | None:
    """The user's active membership of an active organization, with its organization, role
    and team (not the user: set it from the request), or None. Cached per organization."""
    def load():
        # Finding out whether the user works in the organization comes before acting in it
        # (an API token is resolved while the request is walled to no organization yet).
        with rls.bypass():
            return (Membership.objects.select_related("organization", "role", "team")
                    .filter(organization_id=organization_id, user_id=user_id, is_active=True,
                            organization__is_active=True).first())

    return organization_cached(organization_id, f"membership:{user_id}", load)


def _changed(sender, instance, **kwargs) -> None:
    organization_id = (instance.pk if isinstance(instance, Organization)
                       else getattr(instance, "organization_id", None))
    invalidate_organization_cache(organization_id)


def _connect() -> None:
    from kehu.core.permissions.models import Role

    for model in (Organization, Membership, Team, Role):
        uid = f"kehu-org-cache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")


_connect()

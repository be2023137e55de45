from __future__ import annotations

import hmac

from django.db.models import QuerySet
from django.utils import timezone

from kehu.core import rls
from kehu.core.accounts.models import ApiToken, Membership, Team
from kehu.core.permissions.models import Role


def member_list(*, organization, active: bool | None = None) -> QuerySet[Membership]:
    qs = (Membership.objects.filter(organization=organization)
          .select_related("user", "role", "team").order_by("user__name", "user__email"))
    return qs if active is None else qs.filter(is_active=active)


def member_choices(*, organization, keep_user_id: int | None = None) -> list[tuple[str, str]]:
    """(user id, name) of the active members, for owner pickers; `keep_user_id` stays listed
    even when deactivated (the current owner of a record)."""
    return [(str(m.user_id), str(m.user)) for m in member_list(organization=organization)
            if m.is_active or m.user_id == keep_user_id]


def team_list(*, organization) -> QuerySet[Team]:
    return Team.objects.filter(organization=organization).select_related("manager", "parent")


def role_list(*, organization) -> QuerySet[Role]:
    return Role.objects.filter(organization=organization).order_by("-is_builtin", "name")


def api_token_list(*, organization, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organization=organization, user=user).order_by("-created_at")


def api_token_verify(secret: str) -> ApiToken | None:
    """The live token `secret` (with its user and organization, both active), or None. Read
    on every request, so a revoked token or a deactivated user is refused at once."""
    parts = secret.split("_")
    if len(parts) < 3 or not secret.startswith(ApiToken.PREFIX):
        return None
    # Which organization the token belongs to is what this finds out: a read across them.
    with rls.bypass():
        token = (ApiToken.objects.select_related("organization", "user")
                 .filter(key_prefix=parts[1], revoked_at__isnull=True).first())
        if token is None or not hmac.compare_digest(token.key_hash,
                                                    ApiToken.hash_secret(secret)):
            return None
        if not token.user.is_active or not token.organization.is_active:
            return None
        if (token.last_used_at is None
                or (timezone.now() - token.last_used_at).total_seconds() > 60):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token

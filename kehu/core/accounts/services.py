"""Managing the people of an organization: members, teams (departments) and API tokens.

Admin-only writes check `require_admin`; every change is in the audit log.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.accounts.models import ApiToken, Membership, Team, User
from kehu.core.accounts.phones import normalize_login_phone
from kehu.core.audit import services as audit
from kehu.core.common.errors import DomainError
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import Role


def _clean_phone(phone: str) -> str:
    if not phone:
        return ""
    normalized = normalize_login_phone(phone)
    if not normalized:
        raise ValidationError({"phone": _("Enter a valid mobile phone number.")})
    return normalized


@transaction.atomic
def user_create(*, email: str, name: str, password: str | None, phone: str = "",
                language: str = "") -> User:
    """A login, not yet a member of any organization (see member_invite)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    phone = _clean_phone(phone)
    if phone and User.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _("A user with this mobile phone already exists.")})
    if password:
        validate_password(password)
    user = User(email=email, name=name.strip(), phone=phone, language=language)
    user.set_password(password)  # None leaves an unusable password until they set one
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def member_invite(*, actor: Actor, email: str, name: str, role: Role, team: Team | None = None,
                  phone: str = "", password: str | None = None) -> tuple[Membership, str | None]:
    """Add a person to the organization. Returns the membership and, for a new login without
    a given password, a one-time password to hand over."""
    scoping.require_admin(actor)
    _check_same_org(actor, role, team)
    user = User.objects.filter(email__iexact=email.strip()).first()
    initial_password = None
    if user is None:
        initial_password = password or secrets.token_urlsafe(9)
        user = user_create(email=email, name=name, password=initial_password, phone=phone)
        if password:
            initial_password = None
    if Membership.objects.filter(organization=actor.organization, user=user).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    membership = Membership.objects.create(organization=actor.organization, user=user,
                                           role=role, team=team)
    audit.change_record(actor=actor, action="create", instance=membership, before=None,
                        after=audit.snapshot(membership))
    return membership, initial_password


def _check_same_org(actor: Actor, *objs) -> None:
    for obj in objs:
        if obj is not None and obj.organization_id != actor.organization.pk:
            raise ValidationError(_("Choose from this organization."))


@transaction.atomic
def member_update(*, actor: Actor, membership: Membership, role: Role | None = None,
                  team: Team | None = None, clear_team: bool = False) -> Membership:
    scoping.require_admin(actor)
    _check_same_org(actor, membership, role, team)
    before = audit.snapshot(membership)
    if role is not None:
        if membership.role.is_admin and not role.is_admin:
            _ensure_another_admin(actor, membership)
        membership.role = role
    if team is not None or clear_team:
        membership.team = team
    membership.save()
    audit.change_record(actor=actor, action="update", instance=membership, before=before,
                        after=audit.snapshot(membership))
    return membership


def _ensure_another_admin(actor: Actor, membership: Membership) -> None:
    others = (Membership.objects.filter(organization=actor.organization, is_active=True,
                                        role__is_admin=True).exclude(pk=membership.pk))
    if not others.exists():
        raise DomainError("last_admin", _("An organization needs at least one active admin."))


@transaction.atomic
def member_set_active(*, actor: Actor, membership: Membership, active: bool) -> Membership:
    """Deactivate (or reactivate) a member. Their records stay, owned by them, until someone
    reassigns them; they can no longer sign in to this organization or use its API tokens."""
    scoping.require_admin(actor)
    _check_same_org(actor, membership)
    if not active and membership.role.is_admin:
        _ensure_another_admin(actor, membership)
    before = audit.snapshot(membership)
    membership.is_active = active
    membership.save(update_fields=["is_active", "updated_at"])
    audit.change_record(actor=actor, action="update", instance=membership, before=before,
                        after=audit.snapshot(membership))
    return membership


@transaction.atomic
def team_create(*, actor: Actor, name: str, parent: Team | None = None,
                manager: User | None = None) -> Team:
    scoping.require_admin(actor)
    _check_same_org(actor, parent)
    team = Team(organization=actor.organization, name=name.strip(), parent=parent,
                manager=manager)
    team.full_clean(exclude=["organization", "path"])
    team.save()
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    audit.change_record(actor=actor, action="create", instance=team, before=None,
                        after=audit.snapshot(team))
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: Team, name: str | None = None,
                parent: Team | None = None, move_to_root: bool = False,
                manager: User | None = None) -> Team:
    scoping.require_admin(actor)
    _check_same_org(actor, team, parent)
    before = audit.snapshot(team)
    if name is not None:
        team.name = name.strip()
    if manager is not None:
        team.manager = manager
    if parent is not None or move_to_root:
        if parent is not None and parent.path.startswith(team.path):
            raise ValidationError({"parent": _("A team cannot be moved under itself.")})
        old_path = team.path
        team.parent = parent
        team.path = f"{parent.path if parent else '/'}{team.pk}/"
        for descendant in Team.objects.filter(organization=actor.organization,
                                              path__startswith=old_path).exclude(pk=team.pk):
            descendant.path = team.path + descendant.path[len(old_path):]
            descendant.save(update_fields=["path"])
    team.full_clean(exclude=["organization", "path"])
    team.save()
    audit.change_record(actor=actor, action="update", instance=team, before=before,
                        after=audit.snapshot(team))
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    scoping.require_admin(actor)
    _check_same_org(actor, team)
    if team.children.exists() or team.members.filter(is_active=True).exists():
        raise DomainError("team_not_empty",
                          _("Move this team's members and sub-teams elsewhere first."))
    before = audit.snapshot(team)
    pk = team.pk
    team.delete()
    team.pk = pk
    audit.change_record(actor=actor, action="delete", instance=team, before=before, after=None)


@transaction.atomic
def role_save(*, actor: Actor, role: Role | None, name: str, data_scope: str,
              grants: dict[str, list[str]], is_admin: bool = False) -> Role:
    """Create (role=None) or change a custom role. Built-in roles are fixed; copy one instead."""
    scoping.require_admin(actor)
    if role is not None:
        _check_same_org(actor, role)
        if role.is_builtin:
            raise DomainError("builtin_role", _("Built-in roles cannot be changed; copy one."))
    before = audit.snapshot(role) if role else None
    if role is None:
        role = Role(organization=actor.organization, key=f"custom-{secrets.token_hex(4)}")
    elif role.is_admin and not is_admin:
        for membership in Membership.objects.filter(role=role, is_active=True):
            _ensure_another_admin(actor, membership)
    role.name, role.data_scope, role.grants, role.is_admin = (
        name.strip(), data_scope, grants, is_admin)
    role.full_clean(exclude=["organization"])
    role.save()
    audit.change_record(actor=actor, action="update" if before else "create", instance=role,
                        before=before, after=audit.snapshot(role))
    return role


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new personal token for the actor. The secret is returned once and never stored."""
    prefix = secrets.token_hex(4)
    secret = f"{ApiToken.PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organization=actor.organization, user=actor.user, name=name.strip() or "API",
        key_prefix=prefix, key_hash=ApiToken.hash_secret(secret))
    audit.change_record(actor=actor, action="create", instance=token, before=None,
                        after={"name": token.name, "key_prefix": prefix})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.organization_id != actor.organization.pk or (
            token.user_id != actor.user.pk and not actor.is_admin):
        raise DomainError("not_found", _("No such token."), status=404)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.change_record(actor=actor, action="update", instance=token,
                            before={"revoked_at": None},
                            after={"revoked_at": token.revoked_at.isoformat()})
    return token

"""Who am I, the organization's members, teams and roles, and my API tokens."""


from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kehu.core.accounts import selectors, services
from kehu.core.accounts.models import ApiToken

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    name: str
    email: str


class MeOut(Schema):
    user: UserOut
    organization_id: int
    organization: str
    role: str
    data_scope: str
    is_admin: bool
    team_id: int | None
    grants: dict[str, list[str]]


class MemberOut(Schema):
    user: UserOut
    role_id: int
    role: str
    team_id: int | None
    is_active: bool

    @staticmethod
    def resolve_role(obj) -> str:
        return str(obj.role)


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None
    path: str
    manager_id: int | None


class RoleOut(Schema):
    id: int
    key: str
    name: str
    is_builtin: bool
    is_admin: bool
    data_scope: str
    grants: dict[str, list[str]]

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_grants(obj) -> dict[str, list[str]]:
        return obj.effective_grants()


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    actor = request.actor
    role = actor.membership.role
    return {"user": actor.user, "organization_id": actor.organization.pk,
            "organization": actor.organization.name, "role": str(role),
            "data_scope": role.data_scope, "is_admin": role.is_admin,
            "team_id": actor.membership.team_id, "grants": role.effective_grants()}


@router.get("/members", response=list[MemberOut])
def list_members(request: HttpRequest):
    return selectors.member_list(organization=request.actor.organization)


@router.get("/teams", response=list[TeamOut])
def list_teams(request: HttpRequest):
    return selectors.team_list(organization=request.actor.organization)


@router.get("/roles", response=list[RoleOut])
def list_roles(request: HttpRequest):
    return selectors.role_list(organization=request.actor.organization)


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest):
    return selectors.api_token_list(organization=request.actor.organization,
                                    user=request.actor.user)


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn):
    token, secret = services.api_token_create(actor=request.actor, name=payload.name)
    token.token = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, organization=request.actor.organization)
    return services.api_token_revoke(actor=request.actor, token=token)

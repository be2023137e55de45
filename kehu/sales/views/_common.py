"""Helpers every sales page shares: permissions, rendering, names, lookups."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehu.core.accounts import selectors as account_selectors
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.htmx import is_htmx  # noqa: F401 - the views call _common.is_htmx
from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors
from kehu.sales.models import Opportunity

OBJECT_TYPE = "sales.opportunity"
ACTIONS = ("view", "create", "edit", "delete", "assign")
CHANGED = "opportunity-changed"  # the HX-Trigger event writes on the detail page send


def require(actor: Actor, action: str) -> None:
    if not actor.can(action, OBJECT_TYPE):
        raise PermissionDenied


def can(actor: Actor) -> dict[str, bool]:
    allowed = {action: actor.can(action, OBJECT_TYPE) for action in ACTIONS}
    allowed["admin"] = actor.is_admin
    return allowed


def definitions(actor: Actor) -> list[FieldDefinition]:
    return active_definitions(organization=actor.organization, object_type=OBJECT_TYPE)


def render_page(request: HttpRequest, template: str, context: dict[str, Any],
                status: int = 200) -> HttpResponse:
    return render(request, f"sales/{template}", {"nav_section": "sales", **context},
                  status=status)


def member_choices(actor: Actor, *, keep_user_id: int | None = None) -> list[tuple[str, str]]:
    return account_selectors.member_choices(organization=actor.organization,
                                            keep_user_id=keep_user_id)


def owner_filter_members(actor: Actor) -> list[tuple[str, str]] | None:
    """The owner filter's choices; None for someone who only sees their own records."""
    if actor.data_scope == "own":
        return None
    return member_choices(actor)


def get_opportunity(actor: Actor, pk: int, action: str = "view", *,
                    deleted: bool = False) -> Opportunity:
    """404 when the actor may not see it, 403 when they may not do `action`."""
    try:
        return selectors.opportunity_get(actor=actor, pk=pk, action=action, deleted=deleted)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc

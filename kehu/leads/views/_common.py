"""Helpers every lead page shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.htmx import is_htmx  # noqa: F401 - the views call _common.is_htmx
from kehu.core.permissions.actor import Actor
from kehu.leads import selectors
from kehu.leads.models import Lead

OBJECT_TYPE = "leads.lead"
ACTIONS = ("view", "create", "edit", "delete", "assign", "import")


def require(actor: Actor, action: str) -> None:
    if not actor.can(action, OBJECT_TYPE):
        raise PermissionDenied


def can(actor: Actor) -> dict[str, bool]:
    """What the actor may do with leads, for hiding buttons (services refuse anyway)."""
    allowed = {action: actor.can(action, OBJECT_TYPE) for action in ACTIONS}
    allowed["admin"] = actor.is_admin
    return allowed


def render_page(request: HttpRequest, template: str, context: dict[str, Any],
                status: int = 200) -> HttpResponse:
    return render(request, f"leads/{template}", {"nav_section": "leads", **context},
                  status=status)


def get_lead(actor: Actor, lead_id: int, action: str = "view") -> Lead:
    """The lead; 404 when the actor may not see it, 403 when they may not do `action`."""
    try:
        return selectors.lead_get(actor=actor, lead_id=lead_id, action=action)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def detail_url(lead: Lead | int) -> str:
    return reverse("leads:lead-detail", args=[lead if isinstance(lead, int) else lead.pk])

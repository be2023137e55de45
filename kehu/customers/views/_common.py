"""Helpers every customer page shares: permissions, rendering, HTMX detection, names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from kehu.core.accounts import selectors as account_selectors
from kehu.core.common import htmx
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.htmx import is_htmx  # noqa: F401 - the views call _common.is_htmx
from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors
from kehu.customers.models import Customer

OBJECT_TYPE = "customers.customer"
CONTACT_OBJECT_TYPE = "customers.contact"
ACTIONS = ("view", "create", "edit", "delete", "export", "assign", "import")
MAX_SELECTED = 500  # rows one bulk action may name (a page holds 50)


def require(actor: Actor, action: str) -> None:
    if not actor.can(action, OBJECT_TYPE):
        raise PermissionDenied


def can(actor: Actor) -> dict[str, bool]:
    """What the actor may do with customers, for hiding buttons (services refuse anyway)."""
    allowed = {action: actor.can(action, OBJECT_TYPE) for action in ACTIONS}
    allowed["merge"] = allowed["edit"] and allowed["delete"]
    allowed["admin"] = actor.is_admin
    return allowed


def definitions(actor: Actor, object_type: str = OBJECT_TYPE) -> list[FieldDefinition]:
    return active_definitions(organization=actor.organization, object_type=object_type)


def user_names(actor: Actor, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    members = account_selectors.member_list(organization=actor.organization).filter(
        user_id__in=user_ids)
    return {m.user_id: str(m.user) for m in members}


def tag_choices(actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the organization's tags, for pickers."""
    return list(selectors.tag_list(actor=actor).order_by("name").values_list("pk", "name"))


def member_choices(actor: Actor, *, keep_user_id: int | None = None) -> list[tuple[str, str]]:
    return account_selectors.member_choices(organization=actor.organization,
                                            keep_user_id=keep_user_id)


def render_page(request: HttpRequest, template: str, context: dict[str, Any],
                status: int = 200) -> HttpResponse:
    return render(request, f"customers/{template}", {"nav_section": "customers", **context},
                  status=status)


def get_customer(actor: Actor, customer_id: int, action: str = "view", *,
                 deleted: bool = False) -> Customer:
    """The customer, 404 when the actor may not see it, 403 when they may not do `action`."""
    try:
        return selectors.customer_get(actor=actor, customer_id=customer_id, action=action,
                                      deleted=deleted)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def selected_ids(request: HttpRequest, name: str = "ids") -> list[int]:
    """The row ids a bulk form sent (checkboxes named `ids`), unparseable ones dropped."""
    ids = []
    for raw in request.POST.getlist(name)[:MAX_SELECTED]:
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` URL of the request when it points into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def back_to(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect after a form post: an htmx request gets HX-Redirect, others a 302."""
    return htmx.redirect(request, safe_next(request, default))


def detail_url(customer: Customer | int) -> str:
    pk = customer if isinstance(customer, int) else customer.pk
    return reverse("customers:customer-detail", args=[pk])

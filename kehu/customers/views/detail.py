"""The customer 360° page: key figures, profile and custom fields, tags, contacts, the
follow-up timeline, every registered panel (tasks, merges, and other modules' later), and the
history. Each block is also served on its own, so a change elsewhere on the page refreshes it
(they listen for the `customer-changed` event that writes send)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.views.decorators.http import require_GET

from kehu.core.customfields.forms import format_value, user_ids_in
from kehu.core.permissions.actor import Actor
from kehu.customers import panels
from kehu.customers.models import Customer
from kehu.customers.views import _common, contacts, followups, history, tags
from kehu.web.decorators import member_required

PROFILE_FIELDS = ["kind", "level", "industry", "source", "phone", "email", "website",
                  "next_follow_up_on", "last_contacted_at", "created_at", "updated_at"]
CHANGED = "customer-changed"  # the HX-Trigger event every write on the page sends


def _profile(customer: Customer) -> list[dict[str, Any]]:
    rows = []
    for name in PROFILE_FIELDS:
        field = Customer._meta.get_field(name)
        value = getattr(customer, name)
        if field.choices:
            shown = getattr(customer, f"get_{name}_display")() if value else ""
        elif isinstance(value, datetime.datetime):
            shown = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(value, datetime.date):
            shown = formats.date_format(value, "DATE_FORMAT")
        else:
            shown = value or ""
        rows.append({"name": name, "label": field.verbose_name, "value": shown, "raw": value})
    return rows


def _custom(actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    definitions = _common.definitions(actor)
    names = _common.user_names(actor, user_ids_in(definitions, [customer.custom_data]))
    return [{"definition": d, "label": d.label,
             "value": format_value(d, customer.custom_data.get(d.key), user_names=names)}
            for d in definitions]


def _may_release(actor: Actor, customer: Customer, can: dict[str, bool]) -> bool:
    """Owners release their own customers; others need the right to assign."""
    return (customer.owner_id is not None and can["edit"]
            and (customer.owner_id == actor.user.pk or can["assign"]))


def _figures(actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    return [{"key": f.key, "label": f.label, "value": f.value(actor, customer)}
            for f in panels.figures()]


def _panel(request: HttpRequest, customer: Customer, can: dict[str, bool], *, key: str,
           label: Any, template: str, context: dict[str, Any]) -> dict[str, Any]:
    # A plain context (not the request's, whose processors would run again per panel).
    html = render_to_string(template, {
        **context, "customer": customer, "can": can, "actor": request.actor,
        "request": request, "csrf_token": get_token(request)})
    return {"key": key, "label": label, "html": html, "empty": not html.strip()}


def _panels(request: HttpRequest, actor: Actor, customer: Customer,
            can: dict[str, bool], registered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_panel(request, customer, can, key=p["key"], label=p["label"],
                   template=p["template"], context=p["context"]) for p in registered]


def section_context(request: HttpRequest, actor: Actor, customer: Customer,
                    name: str) -> tuple[str, dict[str, Any]]:
    """The template and context of one block of the page (for its refresh)."""
    can = _common.can(actor)
    base = {"customer": customer, "can": can}
    if name == "figures":
        return "_figures.html", {**base, "figures": _figures(actor, customer)}
    if name == "profile":
        return "_profile.html", {**base, "profile": _profile(customer),
                                 "custom": _custom(actor, customer),
                                 "may_release": _may_release(actor, customer, can)}
    if name == "history":
        entries = history.history(actor, customer)
        return "_history.html", {**base, "history": entries,
                                  "history_truncated": len(entries) >= history.HISTORY_LIMIT}
    if name.startswith("panel-"):
        panel = next((p for p in panels.panels() if p.key == name[6:]), None)
        if panel is not None:
            return "_panel.html", {**base, "panel": _panel(
                request, customer, can, key=panel.key, label=panel.label,
                template=panel.template, context=panel.context(actor, customer))}
    raise Http404


@member_required
@require_GET
def customer_detail_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id)
    can = _common.can(actor)
    registered = panels.render_context(actor, customer)
    entries = history.history(actor, customer)
    context = {
        "customer": customer, "can": can, "profile": _profile(customer),
        "custom": _custom(actor, customer), "may_release": _may_release(actor, customer, can),
        "figures": registered["figures"],
        "panels": _panels(request, actor, customer, can, registered["panels"]),
        "history": entries, "history_truncated": len(entries) >= history.HISTORY_LIMIT,
        **tags.tags_context(actor, customer),
        **contacts.contacts_context(actor, customer),
        **followups.timeline_context(request, actor, customer),
    }
    return _common.render_page(request, "detail.html", context)


@member_required
@require_GET
def customer_section(request: HttpRequest, customer_id: int, name: str) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id)
    template, context = section_context(request, actor, customer, name)
    return _common.render_page(request, template, context)

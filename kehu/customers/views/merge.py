"""Merging two customers: pick the other one (search, or the probable duplicates), compare them
side by side choosing which value each differing field keeps, see what will move, confirm; and
undo a merge from the survivor's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.customfields.forms import format_value, user_ids_in
from kehu.core.permissions.actor import Actor
from kehu.customers import relations, selectors, services
from kehu.customers.models import Customer, MergeRecord
from kehu.customers.services.customers import DEDUP_FIELDS
from kehu.customers.services.merge import MERGEABLE_FIELDS
from kehu.customers.views import _common
from kehu.web.decorators import member_required

SEARCH_LIMIT = 20


def _require_merge(actor: Actor) -> None:
    _common.require(actor, "edit")
    _common.require(actor, "delete")


def _mergeable_ids(actor: Actor, ids: list[int], exclude: int) -> set[int]:
    """Of `ids`, those the actor may merge away (delete)."""
    return set(selectors.customer_list(actor=actor, action="delete").filter(pk__in=ids)
               .exclude(pk=exclude).values_list("pk", flat=True))


@member_required
@require_GET
def customer_merge_pick(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Step 1: which customer merges into this one."""
    actor = request.actor
    _require_merge(actor)
    customer = _common.get_customer(actor, customer_id, "edit")
    q = request.GET.get("q", "").strip()[:100]
    found = selectors.customer_search(actor=actor, q=q, limit=SEARCH_LIMIT) if q else []
    allowed = _mergeable_ids(actor, [c.pk for c in found], customer.pk)
    results = [c for c in found if c.pk in allowed]
    context = {"customer": customer, "q": q, "results": results}
    if _common.is_htmx(request, target="merge-results"):
        return _common.render_page(request, "_merge_results.html", context)
    candidates = services.check_duplicates(
        actor=actor, values={f: getattr(customer, f) for f in DEDUP_FIELDS},
        exclude_id=customer.pk)
    allowed = _mergeable_ids(actor, [c.customer_id for c in candidates], customer.pk)
    context["duplicates"] = [c for c in candidates if c.customer_id in allowed]
    return _common.render_page(request, "merge_pick.html", context)


def _display(actor: Actor, customer: Customer, name: str, names: dict[int, str]) -> str:
    value = getattr(customer, name)
    if value in (None, ""):
        return ""
    if name == "owner_id":
        return names.get(value) or f"#{value}"
    field = Customer._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _differences(actor: Actor, survivor: Customer, merged: Customer) -> dict[str, Any]:
    """The fields (and custom fields) the other customer has a different value for, each with
    both values shown and whether there is a choice to make (both filled) or the value simply
    fills a gap here (the service fills empty fields from the merged customer)."""
    names = _common.user_names(actor, {c.owner_id for c in (survivor, merged) if c.owner_id})
    fields = []
    for name in MERGEABLE_FIELDS:
        ours, theirs = getattr(survivor, name), getattr(merged, name)
        if ours == theirs or theirs in (None, ""):
            continue  # the same, or nothing there: this customer's value stays
        field = Customer._meta.get_field(name.removesuffix("_id"))
        fields.append({"name": name, "label": field.verbose_name,
                       "ours": _display(actor, survivor, name, names),
                       "theirs": _display(actor, merged, name, names),
                       "choice": ours not in (None, "") and theirs not in (None, "")})
    definitions = _common.definitions(actor)
    datas = [survivor.custom_data, merged.custom_data]
    user_names = _common.user_names(actor, user_ids_in(definitions, datas))
    custom = []
    for d in definitions:
        ours, theirs = survivor.custom_data.get(d.key), merged.custom_data.get(d.key)
        if ours == theirs or theirs in (None, "", []):
            continue
        custom.append({"name": d.key, "label": d.label,
                       "ours": format_value(d, ours, user_names=user_names),
                       "theirs": format_value(d, theirs, user_names=user_names),
                       "choice": ours not in (None, "", [])})
    return {"fields": fields, "custom": custom}


def _moves(merged: Customer, survivor: Customer) -> list[dict[str, Any]]:
    """How many rows of each registered relation (contacts, follow-ups, tasks, …) move, and
    the tags the survivor gains: what the merge will do, counted the way it does it."""
    moves = []
    for relation in relations.all_relations():
        count = relation.model._default_manager.filter(**{relation.field: merged}).count()
        if count:
            moves.append({"label": relation.label, "count": count})
    new_tags = merged.tags.exclude(pk__in=survivor.tags.values("pk")).count()
    if new_tags:
        moves.append({"label": _("tags"), "count": new_tags})
    return moves


@member_required
@require_http_methods(["GET", "POST"])
def customer_merge_compare(request: HttpRequest, customer_id: int,
                           other_id: int) -> HttpResponse:
    """Step 2: side by side; `customer_id` stays, `other_id` merges into it."""
    actor = request.actor
    _require_merge(actor)
    survivor = _common.get_customer(actor, customer_id, "edit")
    merged = _common.get_customer(actor, other_id, "delete")
    if survivor.pk == merged.pk:
        messages.error(request, _("Choose two different customers."))
        return redirect("customers:customer-merge", survivor.pk)
    differences = _differences(actor, survivor, merged)
    if request.method == "POST":
        take = [f["name"] for f in differences["fields"]
                if f["choice"] and request.POST.get(f"field_{f['name']}") == "theirs"]
        take_custom = [f["name"] for f in differences["custom"]
                       if f["choice"] and request.POST.get(f"custom_{f['name']}") == "theirs"]
        try:
            services.customer_merge(actor=actor, survivor=survivor, merged=merged,
                                    take_from_merged=take, custom_from_merged=take_custom)
        except PermissionDeniedError:
            raise
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("“%(merged)s” was merged into this customer. You can "
                                        "undo it under Merges below.")
                             % {"merged": merged.name})
            return redirect(_common.detail_url(survivor))
    return _common.render_page(request, "merge_compare.html", {
        "survivor": survivor, "merged": merged, **differences,
        "moves": _moves(merged, survivor)})


@member_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    actor = request.actor
    _require_merge(actor)
    record = get_object_or_404(MergeRecord, pk=merge_id, organization=actor.organization)
    survivor = _common.get_customer(actor, record.survivor_id, "edit")
    try:
        merged = services.customer_merge_undo(actor=actor, record=record)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The merge was undone: “%(name)s” is back.")
                         % {"name": merged.name})
    return redirect(_common.detail_url(survivor))

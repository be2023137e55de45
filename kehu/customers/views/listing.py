"""The customer list: search, filters (status, owner, tag, segment, custom fields), sort,
keyset pages, the actor's columns, and the export of what the filters describe."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kehu.core.common.api import keyset_page
from kehu.core.common.errors import DomainError
from kehu.core.customfields import query as custom_query
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions.actor import Actor
from kehu.customers import exports, selectors
from kehu.customers.forms import CUSTOM_FILTER_PREFIX, SORTABLE_KINDS, CustomerFilterForm
from kehu.customers.models import Customer
from kehu.customers.views import _common, columns
from kehu.web.decorators import member_required

PAGE_SIZE = 50
DEFAULT_SORT = "-created"
Kind = FieldDefinition.Kind


def filter_form(request: HttpRequest, actor: Actor, definitions: list[FieldDefinition], *,
                pool: bool = False, data=None) -> CustomerFilterForm:
    """The filters of the list (or, with `pool`, of the pool page: no owner, no segment),
    read from the query string (or `data`)."""
    tags = _common.tag_choices(actor)
    segments = None if pool else list(selectors.segment_list(actor=actor).only("id", "name"))
    show_owner = not pool and actor.data_scope != "own"
    return CustomerFilterForm(request.GET if data is None else data, definitions=definitions,
                              members=_common.member_choices(actor) if show_owner else None,
                              tags=tags, segments=segments)


def filtered(actor: Actor, form: CustomerFilterForm, *, action: str = "view",
             pool: bool | None = None) -> tuple[models.QuerySet[Customer], list[str]]:
    """The customers the filters describe (the same for the page, the export and the bulk
    actions' refresh), and the messages of filters that could not be applied."""
    owner_id = actor.user.pk if form.value("mine") else form.value("owner")
    qs = selectors.customer_list(actor=actor, q=form.value("q") or "", owner_id=owner_id,
                                 status=form.value("status") or "", tag_id=form.value("tag"),
                                 pool=pool, action=action)
    problems = []
    for definition in form.filter_definitions:
        raw = form.value(f"{CUSTOM_FILTER_PREFIX}{definition.key}")
        if raw in (None, ""):
            continue
        op = "contains" if definition.kind == Kind.TEXT else "eq"
        try:
            qs = custom_query.filter_by_custom(qs, definition, op, raw)
        except ValueError as exc:
            problems.append(f"{definition.label}: {exc}")
    segment_id = form.value("segment")
    if segment_id:
        segment = selectors.segment_get(actor=actor, segment_id=segment_id)
        try:
            qs = selectors.segment_filter(actor=actor, segment=segment, queryset=qs)
        except ValidationError as exc:
            problems += [_("Segment “%(name)s”: %(error)s") % {"name": segment.name, "error": m}
                         for m in exc.messages]
    return sorted_by(qs, form.value("sort") or DEFAULT_SORT, form.definitions), problems


def sorted_by(qs: models.QuerySet[Customer], sort: str,
              definitions: list[FieldDefinition]) -> models.QuerySet[Customer]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    tie = "-id" if descending else "id"
    if key == "name":
        return qs.order_by("-name" if descending else "name", tie)
    if key.startswith(CUSTOM_FILTER_PREFIX):
        definition = next((d for d in definitions
                           if d.key == key[len(CUSTOM_FILTER_PREFIX):]
                           and d.kind in SORTABLE_KINDS), None)
        if definition is not None:
            return _by_custom(qs, definition, descending)
    # "Created" sorts by id: the order customers entered Kehu, which the (organization, -id)
    # index serves at any depth; created_at has no such index and a sort over it is a full
    # sort of every visible row (2.7 s at 1,000,000 customers).
    return qs.order_by(tie)


def _by_custom(qs: models.QuerySet[Customer], definition: FieldDefinition,
               descending: bool) -> models.QuerySet[Customer]:
    """Sorted by a custom field, records without a value last in both directions.

    Keyset pages compare plain annotations, so the empty rows get a flag and a placeholder
    value instead of a NULL (NULL never compares greater or smaller)."""
    raw = custom_query.annotation_name(definition)
    expression = custom_query.value_expression(definition)
    numeric = definition.kind in custom_query.NUMERIC_KINDS
    placeholder = Value(0) if numeric else Value("")
    qs = qs.annotate(**{raw: expression}).annotate(
        sort_missing=Case(When(**{f"{raw}__isnull": True}, then=Value(1)), default=Value(0),
                          output_field=models.IntegerField()),
        sort_value=Coalesce(F(raw), placeholder, output_field=expression.output_field))
    return qs.order_by("sort_missing", "-sort_value" if descending else "sort_value",
                       "-id" if descending else "id")


def sort_link(current: str, column: str) -> str:
    """The sort a click on `column`'s header asks for (toggles when already sorted by it)."""
    if current.lstrip("-") == column:
        return current[1:] if current.startswith("-") else f"-{current}"
    return f"-{column}" if column == "created" else column


def page_of(request: HttpRequest, qs: models.QuerySet[Customer],
            problems: list[str]) -> dict[str, Any]:
    try:
        return keyset_page(qs, request.GET.get("cursor") or None, PAGE_SIZE)
    except DomainError:
        problems.append(_("That page link is no longer valid; showing the first page."))
        return keyset_page(qs, None, PAGE_SIZE)


def is_filtered(form: CustomerFilterForm) -> bool:
    return any(form.value(name) not in (None, "", False)
               for name in form.fields if name not in ("sort", "mine"))


def filters_open(form: CustomerFilterForm) -> bool:
    """Whether the narrow screen opens the filters (something besides the search is set)."""
    return (form.value("sort") or DEFAULT_SORT) != DEFAULT_SORT or any(
        form.value(name) not in (None, "", False)
        for name in form.fields if name not in ("q", "sort", "mine"))


def results_response(request: HttpRequest, target: str, partial: str, page: str,
                     context: dict[str, Any]) -> HttpResponse:
    """The page, or only its results when htmx asks for them (search, filter, paging, the
    refresh after a bulk action)."""
    if _common.is_htmx(request, target=target):
        response = _common.render_page(request, partial, {**context, "oob": True})
    else:
        response = _common.render_page(request, page, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _owner_choices(actor: Actor, form: CustomerFilterForm) -> list[tuple[str, str]]:
    """The members for bulk assignment: the owner filter's, when the form already has them."""
    if "owner" in form.fields:
        return [c for c in form.fields["owner"].choices if c[0]]
    return _common.member_choices(actor)


@member_required
@require_GET
def customer_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    definitions = _common.definitions(actor)
    form = filter_form(request, actor, definitions)
    qs, problems = filtered(actor, form)
    chosen = columns.chosen(actor, definitions)
    if any(c.key == "tags" for c in chosen):
        qs = qs.prefetch_related("tags")
    page = page_of(request, qs, problems)
    sort = form.value("sort") or DEFAULT_SORT
    can = _common.can(actor)
    bulk = can["edit"] or can["delete"] or can["export"] or can["assign"]
    context = {
        "form": form, "rows": columns.cells(actor, chosen, page["items"]),
        "columns": [(c, sort_link(sort, c.sort) if c.sort else "") for c in chosen],
        "next_cursor": page["next_cursor"], "is_first_page": not request.GET.get("cursor"),
        "problems": problems, "sort": sort, "name_sort": sort_link(sort, "name"),
        "can": can, "is_filtered": is_filtered(form),
        "filters_open": filters_open(form), "mine": bool(form.value("mine")),
        "tab": "mine" if form.value("mine") else "all",
        "bulk": bulk, "colspan": len(chosen) + (2 if bulk else 1),
        "members": _owner_choices(actor, form) if can["assign"] else [],
        "tags": form.fields["tag"].choices[1:] if "tag" in form.fields else [],
    }
    return results_response(request, "customer-results", "_rows.html", "list.html", context)


@member_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "export")
    form = filter_form(request, actor, _common.definitions(actor))
    qs, _problems = filtered(actor, form, action="export")
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return exports.export_customers(actor=actor, queryset=qs, fmt=fmt)

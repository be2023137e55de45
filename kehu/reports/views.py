"""Report pages: my and shared reports, the builder (HTMX preview), a report with its chart
and table, the drill-down to the rows behind a figure, exports, sharing and pins."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.common import exports
from kehu.core.common.errors import DomainError
from kehu.core.common.htmx import is_htmx
from kehu.core.common.htmx import redirect as htmx_redirect
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.reports import definitions, display, engine, selectors, services
from kehu.reports.models import SavedReport
from kehu.web.decorators import member_required

NAV = "reports"
ROWS_PER_PAGE = 50
DEFAULT_DEFINITION = {"object": "", "filters": [], "group_by": [],
                      "measures": [{"fn": "count"}], "chart": "table"}


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _loads(text: str) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError as exc:
        raise ValidationError({"definition": [_("The report definition is not valid JSON.")]}
                              ) from exc


def _can(actor: Actor) -> dict[str, bool]:
    return {a: actor.can(a, "reports.report") for a in ("view", "create", "edit", "delete")}


@member_required
@require_GET
def report_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    scoping.require(actor, "view", SavedReport)
    reports = list(selectors.report_list(actor=actor))
    pinned = selectors.pinned_ids(actor=actor)
    mine = [r for r in reports if r.owner_id == actor.user.pk]
    return render(request, "reports/list.html", {
        "nav_section": NAV, "mine": mine, "pinned": pinned, "can": _can(actor),
        "shared": [r for r in reports if r.owner_id != actor.user.pk]})


@member_required
@require_http_methods(["GET", "POST"])
def report_builder_page(request: HttpRequest, report_id: int | None = None) -> HttpResponse:
    actor = request.actor
    report = None
    if report_id is not None:
        report = selectors.report_get(actor=actor, report_id=report_id, action="edit")
        if not selectors.can_edit(actor=actor, report=report):
            raise Http404
    else:
        scoping.require(actor, "create", SavedReport)
    errors: list[str] = []
    data = request.POST
    if request.method == "POST":
        values = {"name": data.get("name", ""), "description": data.get("description", "")}
        try:
            values["definition"] = _loads(data.get("definition", ""))
            if report is None:
                report = services.report_create(actor=actor, values=values)
            else:
                report = services.report_update(actor=actor, report=report, values=values,
                                                version=int(data.get("version") or 0))
        except ValidationError as exc:
            errors = _messages(exc)
        except DomainError as exc:
            errors = [exc.message]
        else:
            messages.success(request, _("Report saved."))
            return htmx_redirect(request, "reports:report-detail", report_id=report.pk)
    initial = report.definition if report else DEFAULT_DEFINITION
    if request.method == "POST":  # show what was sent, when it can be read
        with contextlib.suppress(ValidationError):
            initial = _loads(data.get("definition", "")) or initial
    return render(request, "reports/builder.html", {
        "nav_section": NAV, "report": report, "errors": errors,
        "name": data.get("name", report.name if report else ""),
        "description": data.get("description", report.description if report else ""),
        "initial": initial, "charts": list(definitions.CHARTS.items()),
        "catalog": selectors.report_catalog(actor=actor)},
        status=422 if errors else 200)


@member_required
@require_POST
def report_preview(request: HttpRequest) -> HttpResponse:
    """The builder's live preview (HTMX): the chart and table of the definition being built."""
    actor = request.actor
    text = request.POST.get("definition", "")
    if not _has_object(text):
        return render(request, "reports/_preview.html", {})
    try:
        result = selectors.report_run(actor=actor, data=_loads(text))
    except ValidationError as exc:
        return render(request, "reports/_preview.html", {"errors": _messages(exc)}, status=422)
    context = display.result_context(result, reverse("reports:adhoc-rows"),
                              {"d": json.dumps(result.definition.to_dict())})
    return render(request, "reports/_preview.html", {**context, "chart_id": "preview"})


def _has_object(text: str) -> bool:
    """An empty builder (no object chosen yet) shows a hint, not errors."""
    try:
        return bool((json.loads(text or "{}") or {}).get("object"))
    except (ValueError, AttributeError):
        return True  # not JSON at all: let validation say so


@member_required
@require_GET
def report_detail_page(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request.actor
    report = selectors.report_get(actor=actor, report_id=report_id)
    context: dict[str, Any] = {"nav_section": NAV, "report": report, "errors": [],
                               "can_edit": selectors.can_edit(actor=actor, report=report),
                               "can_delete": selectors.can_edit(actor=actor, report=report)
                               and actor.can("delete", "reports.report"),
                               "pinned": selectors.is_pinned(actor=actor, report=report),
                               "chart_id": f"report-{report.pk}"}
    try:
        result = selectors.report_result(actor=actor, report=report)
        context.update(display.result_context(result, reverse("reports:report-rows",
                                                       args=[report.pk])))
    except ValidationError as exc:
        context["errors"] = _messages(exc)
    if context["can_edit"]:
        context.update(selectors.share_options(actor=actor, report=report))
    return render(request, "reports/detail.html", context)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@member_required
@require_POST
def report_share(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request.actor
    report = selectors.report_get(actor=actor, report_id=report_id, action="edit")
    try:
        services.report_share(actor=actor, report=report,
                              user_ids=_ids(request.POST.getlist("users")),
                              team_ids=_ids(request.POST.getlist("teams")),
                              role_ids=_ids(request.POST.getlist("roles")))
    except ValidationError as exc:
        for message in _messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Sharing saved."))
    return redirect("reports:report-detail", report_id=report.pk)


@member_required
@require_POST
def report_pin_toggle(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request.actor
    report = selectors.report_get(actor=actor, report_id=report_id)
    if selectors.is_pinned(actor=actor, report=report):
        services.report_unpin(actor=actor, report=report)
    else:
        services.report_pin(actor=actor, report=report)
    if is_htmx(request):
        return render(request, "reports/_pin_button.html", {
            "report": report, "pinned": selectors.is_pinned(actor=actor, report=report)})
    return redirect(request.POST.get("next") or reverse("reports:report-detail",
                                                        args=[report.pk]))


@member_required
@require_POST
def report_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request.actor
    report = selectors.report_get(actor=actor, report_id=report_id, action="delete")
    services.report_delete(actor=actor, report=report)
    messages.success(request, _("Report deleted."))
    return htmx_redirect(request, "reports:report-list")


def _rows_page(request: HttpRequest, *, data: Any, title: str, back: str) -> HttpResponse:
    actor = request.actor
    keys = request.GET.getlist("g")
    try:
        definition = selectors.definition_parse(actor=actor, data=data)
        qs = selectors.group_rows(actor=actor, data=data, keys=keys)
    except ValidationError as exc:
        raise Http404 from exc
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = engine.group_labels(actor=actor, definition=definition, keys=keys)
    group = [(g.label, label) for g, label in zip(definition.group_by, labels, strict=False)]
    columns = _columns(definition)
    rows = [{"title": str(obj), "url": definition.spec.detail_url(obj),
             "cells": [c.display(obj) for c in columns]} for obj in page.object_list]
    return render(request, "reports/rows.html", {
        "nav_section": NAV, "title": title, "back": back, "page": page, "rows": rows,
        "columns": [c.label for c in columns], "group": group, "definition": definition})


def _columns(definition) -> list:
    """Columns of the drill-down: the report's group-by and measured fields, and the owner."""
    fields = [g.field for g in definition.group_by]
    fields += [m.field for m in definition.measures if m.field is not None]
    owner = next((f for f in definition.spec.fields if f.key == "owner"), None)
    if owner is not None:
        fields.append(owner)
    return list({f.key: f for f in fields}.values())


@member_required
@require_GET
def report_rows_page(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    return _rows_page(request, data=report.definition, title=report.name,
                      back=reverse("reports:report-detail", args=[report.pk]))


@member_required
@require_GET
def adhoc_rows_page(request: HttpRequest) -> HttpResponse:
    """The drill-down of the builder's preview: the definition travels in the link."""
    try:
        data = _loads(request.GET.get("d", ""))
    except ValidationError as exc:
        raise Http404 from exc
    return _rows_page(request, data=data, title=_("Report preview"),
                      back=reverse("reports:report-create"))


@member_required
@require_GET
def report_export(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """The result table as CSV or XLSX; text cells are neutralized against formulas."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    actor = request.actor
    report = selectors.report_get(actor=actor, report_id=report_id)
    try:
        result = selectors.report_result(actor=actor, report=report)
    except ValidationError as exc:
        raise Http404 from exc
    header, rows = result.table()
    header = [exports.safe_cell(h) for h in header]  # labels of custom fields are user text
    filename = f"{slugify(report.name, allow_unicode=True) or 'report'}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename, header, rows)
    return exports.xlsx_response(filename, header, rows)

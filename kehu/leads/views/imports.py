"""Importing leads from a file: the upload page (with a dry-run option), the result page and
the rejected rows as a CSV. The last report is kept in the session."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.leads import imports
from kehu.leads.forms import LeadImportForm
from kehu.leads.views import _common
from kehu.web.decorators import member_required

SESSION_KEY = "kehu_leads_import_report"
SHOWN_REJECTED = 500


def _require_import(request: HttpRequest) -> None:
    try:
        imports.require_import(request.actor)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _last_report(request: HttpRequest) -> imports.LeadImportReport | None:
    data = request.session.get(SESSION_KEY)
    if not data or data.get("organization_id") != request.actor.organization.pk:
        return None
    return imports.LeadImportReport.from_dict(data["report"])


@member_required
@require_http_methods(["GET", "POST"])
def lead_import_page(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    form = LeadImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imports.check_size(upload.size or 0)
                report = imports.lead_import(
                    actor=request.actor, file_name=upload.name, data=upload.read(),
                    dry_run=form.cleaned_data["dry_run"])
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                request.session[SESSION_KEY] = {
                    "organization_id": request.actor.organization.pk,
                    "report": report.as_dict()}
                return redirect("leads:lead-import-result")
        status = 422
    return _common.render_page(request, "import.html", {"form": form, "tab": "import",
                                                        "max_rows": imports.MAX_ROWS},
                               status=status)


@member_required
@require_GET
def lead_import_result_page(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    report = _last_report(request)
    if report is None:
        return redirect("leads:lead-import")
    labels = {t.key: t.label for t in imports.LEAD_TARGETS}
    rejected = [(item, labels.get(item.field, item.field))
                for item in report.rejected[:SHOWN_REJECTED]]
    return _common.render_page(request, "import_result.html", {
        "report": report, "rejected": rejected, "tab": "import"})


@member_required
@require_GET
def lead_import_rejected_csv(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    report = _last_report(request)
    if report is None:
        return redirect("leads:lead-import")
    response = HttpResponse(imports.rejected_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = ("attachment; filename=\"rejected.csv\"; filename*=UTF-8''"
                                       + quote(imports.rejected_csv_name(report)))
    return response

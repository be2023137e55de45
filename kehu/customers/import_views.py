"""The import pages: upload → columns and options with a preview → progress (polled every
second) → result with the report of rejected rows. Reads through the imports' selectors,
writes through their services; the work itself runs as a background job.

URL patterns are in `import_urlpatterns`, included by customers/urls.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.permissions.actor import Actor
from kehu.customers.imports import mapping, selectors, services
from kehu.customers.models import ImportJob
from kehu.web.decorators import member_required

OBJECT_TYPE = "customers.customer"
ACCEPT = ".csv,.xlsx,.txt,.tsv,.xlsm"


def _require_import(actor: Actor) -> None:
    from django.core.exceptions import PermissionDenied

    if not actor.can("import", OBJECT_TYPE):
        raise PermissionDenied


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, f"customers/imports/{template}",
                  {"nav_section": "customers", **context}, status=status)


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return selectors.import_job_get(actor=request.actor, job_id=job_id)


# --- forms -------------------------------------------------------------------------------

class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"),
                           help_text=gettext_lazy("A .csv or .xlsx file from Excel or WPS. "
                                                  "The first sheet is read."),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    object_type = forms.ChoiceField(label=gettext_lazy("Import"),
                                    choices=ImportJob.ObjectType.choices,
                                    initial=mapping.CUSTOMERS, widget=forms.RadioSelect)
    template = forms.TypedChoiceField(label=gettext_lazy("Saved mapping"), required=False,
                                      coerce=int, empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in selectors.import_mapping_list(actor=actor)}
        self.fields["template"].choices = [
            ("", _("Guess from the column names")),
            *((str(t.pk), f"{t.name} ({t.get_object_type_display()})")
              for t in self.templates.values())]


class MappingForm(forms.Form):
    """One select per column of the file, then the options."""

    on_duplicate = forms.ChoiceField(
        label=gettext_lazy("When a row matches an existing record"),
        choices=ImportJob.OnDuplicate.choices, widget=forms.RadioSelect,
        help_text=gettext_lazy("A customer matches by name, phone (its own or a contact's), "
                               "email or website domain. “Update” changes only the columns "
                               "that have a value in the file."))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row and count, write nothing"),
        required=False)
    save_mapping_as = forms.CharField(
        label=gettext_lazy("Save this mapping as"), required=False, max_length=100,
        help_text=gettext_lazy("Name it to pick it again for the next file."))

    def __init__(self, *args: Any, job: ImportJob, targets: list[mapping.Target],
                 **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on_duplicate": job.on_duplicate,
                                      "dry_run": job.dry_run})
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        names = {"field": _("Fields"), "contact": _("Primary contact"),
                 "custom": _("Custom fields")}
        for target in targets:
            label = f"{target.label} *" if target.required else str(target.label)
            groups.setdefault(str(names[target.group]), []).append((target.key, label))
        choices = [("", _("— leave out —")), *groups.items()]
        self.columns = []
        for index, header in enumerate(job.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False,
                initial=job.mapping[index] if index < len(job.mapping) else "",
                widget=forms.Select(attrs={"class": "mapping-select"}))
            self.columns.append(name)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.columns]

    def mapping_keys(self) -> list[str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [data.get(name) or "" for name in self.columns]

    def raw_mapping(self) -> list[str]:
        """The mapping as submitted, before validation (for the live preview)."""
        return [self.data.get(name, "") for name in self.columns]


# --- pages -------------------------------------------------------------------------------

@member_required
@require_GET
def import_list_page(request: HttpRequest) -> HttpResponse:
    _require_import(request.actor)
    jobs = selectors.import_job_list(actor=request.actor)[:50]
    return _render(request, "list.html", {"jobs": jobs})


@member_required
@require_http_methods(["GET", "POST"])
def import_upload_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_import(actor)
    form = UploadForm(request.POST or None, request.FILES or None, actor=actor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_job_create(
                    actor=actor, file=upload, name=upload.name,
                    object_type=form.cleaned_data["object_type"],
                    template=form.templates.get(form.cleaned_data["template"]))
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("customers:import-detail", job.pk)
        status = 422
    return _render(request, "upload.html", {"form": form,
                                            "max_mb": services.max_upload_bytes() >> 20},
                   status=status)


def _mapping_context(request: HttpRequest, job: ImportJob,
                     form: MappingForm | None = None) -> dict[str, Any]:
    actor = request.actor
    targets = services.targets_for(organization=actor.organization,
                                   object_type=job.object_type)
    form = form or MappingForm(job=job, targets=targets)
    keys = form.raw_mapping() if form.is_bound else list(job.mapping)
    on_duplicate = form.data.get("on_duplicate") if form.is_bound else None
    if on_duplicate not in ImportJob.OnDuplicate.values:
        on_duplicate = None
    preview = selectors.import_preview(actor=actor, job=job, mapping_keys=keys,
                                       on_duplicate=on_duplicate)
    return {"job": job, "form": form, "preview": preview,
            "columns": list(zip(form.column_fields(), job.headers, strict=True))}


@member_required
@require_http_methods(["GET", "POST"])
def import_job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job not started yet: its mapping and options with the preview (POST starts it).
    Started: progress, then the result."""
    actor = request.actor
    _require_import(actor)
    job = _job(request, job_id)
    if job.status != ImportJob.Status.PENDING:
        if request.method == "POST":
            return redirect("customers:import-detail", job.pk)
        return _render(request, "detail.html", {"job": job})
    targets = services.targets_for(organization=actor.organization,
                                   object_type=job.object_type)
    if request.method == "GET":
        return _render(request, "mapping.html", _mapping_context(request, job))
    form = MappingForm(request.POST, job=job, targets=targets)
    if request.POST.get("action") == "preview":
        return _render(request, "_preview.html", _mapping_context(request, job, form))
    status = 422
    if form.is_valid():
        try:
            job = services.import_job_configure(
                actor=actor, job=job, mapping_keys=form.mapping_keys(),
                on_duplicate=form.cleaned_data["on_duplicate"],
                dry_run=form.cleaned_data["dry_run"],
                save_mapping_as=form.cleaned_data["save_mapping_as"])
            services.import_job_start(actor=actor, job=job)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect("customers:import-detail", job.pk)
    return _render(request, "mapping.html", _mapping_context(request, job, form),
                   status=status)


@member_required
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress panel, polled every second while the job is queued or running."""
    return _render(request, "_progress.html", {"job": _job(request, job_id)})


@member_required
@require_POST
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        job = services.import_job_cancel(actor=request.actor, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == ImportJob.Status.RUNNING:
            messages.info(request, _("The import stops after the rows it is writing now."))
        else:
            messages.info(request, _("The import was cancelled."))
    return redirect("customers:import-detail", job.pk)


@member_required
@require_POST
def import_start_for_real(request: HttpRequest, job_id: int) -> HttpResponse:
    """After a dry run: import the same file with the same mapping, writing this time."""
    job = _job(request, job_id)
    try:
        services.import_job_start(actor=request.actor, job=job, dry_run=False)
    except PermissionDeniedError:
        raise  # a 403 (member_required), not a redirect with a message
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customers:import-detail", job.pk)


@member_required
@require_GET
def import_report_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if not job.report:
        raise Http404
    return FileResponse(job.report.open("rb"), as_attachment=True,
                        filename=services.report_filename(job))


@member_required
@require_GET
def import_sample_download(request: HttpRequest) -> HttpResponse:
    """An empty spreadsheet with the column names the import recognizes."""
    from kehu.core.common import exports

    actor = request.actor
    _require_import(actor)
    object_type = request.GET.get("type", mapping.CUSTOMERS)
    if object_type not in mapping.OBJECT_TYPES:
        raise Http404
    targets = services.targets_for(organization=actor.organization, object_type=object_type)
    return exports.xlsx_response(f"{object_type}-{_('import')}.xlsx",
                                 [str(t.label) for t in targets], [])


import_urlpatterns = [
    path("import/", import_list_page, name="import-list"),
    path("import/new/", import_upload_page, name="import-upload"),
    path("import/sample/", import_sample_download, name="import-sample"),
    path("import/<int:job_id>/", import_job_page, name="import-detail"),
    path("import/<int:job_id>/progress/", import_progress, name="import-progress"),
    path("import/<int:job_id>/cancel/", import_cancel, name="import-cancel"),
    path("import/<int:job_id>/start/", import_start_for_real, name="import-start"),
    path("import/<int:job_id>/report/", import_report_download, name="import-report"),
]

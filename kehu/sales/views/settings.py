"""Pipeline settings (admins): pipelines, their stages (name, kind, win probability, order,
active) and the lost reasons. Plain forms: a change redirects back with a message; an invalid
one re-renders the page with the error and status 422 (409 for a broken rule)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.errors import DomainError
from kehu.core.customfields.forms import add_errors
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors
from kehu.sales.forms import LostReasonForm, PipelineForm, StageForm
from kehu.sales.models import Pipeline
from kehu.sales.services import pipelines as services
from kehu.sales.views import _common
from kehu.web.decorators import admin_required


def _settings_context(actor: Actor, **extra: Any) -> dict[str, Any]:
    pipelines = list(selectors.pipeline_list(actor=actor, active=None))
    if not pipelines:
        selectors.pipelines_for(actor=actor)
        pipelines = list(selectors.pipeline_list(actor=actor, active=None))
    return {"pipelines": pipelines,
            "reasons": list(selectors.lost_reason_list(actor=actor, active=None)),
            "pipeline_form": PipelineForm(), "reason_form": LostReasonForm(), **extra}


def row_form(stage, data=None) -> StageForm:
    """A stage's row in the table: its inputs belong to the form `stage-<id>` below it."""
    form = StageForm(data, prefix=f"s{stage.pk}", initial={
        "name": stage.name, "kind": stage.kind, "probability": stage.probability,
        "is_active": stage.is_active})
    for field in form.fields.values():
        field.widget.attrs["form"] = f"stage-{stage.pk}"
    return form


def _pipeline_context(actor: Actor, pipeline: Pipeline, **extra: Any) -> dict[str, Any]:
    stages = list(selectors.stage_list(actor=actor, pipeline=pipeline, active=None))
    counts = selectors.stage_opportunity_counts(actor=actor, stages=stages)
    rows = [{"stage": s, "count": counts.get(s.pk, 0), "form": row_form(s)} for s in stages]
    return {"pipeline": pipeline, "rows": rows,
            "edit_form": PipelineForm(initial={"name": pipeline.name,
                                               "is_active": pipeline.is_active,
                                               "is_default": pipeline.is_default}),
            "stage_form": StageForm(initial={"kind": "open", "probability": 10,
                                             "is_active": True}), **extra}


def _problem(exc: Exception, form=None) -> tuple[str, int]:
    if isinstance(exc, DomainError):
        return exc.message, exc.status
    if form is not None:
        add_errors(form, exc)
    return " ".join(exc.messages), 422


@admin_required
@require_GET
def pipeline_settings_page(request: HttpRequest) -> HttpResponse:
    return _common.render_page(request, "settings/pipelines.html",
                               _settings_context(request.actor))


@admin_required
@require_POST
def pipeline_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = PipelineForm(request.POST)
    if form.is_valid():
        try:
            pipeline = services.pipeline_create(actor=actor, name=form.cleaned_data["name"])
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Pipeline “%(name)s” created with the usual stages; "
                                        "adjust them below.") % {"name": pipeline.name})
            return redirect("sales:pipeline-edit", pipeline.pk)
    else:
        message, status = "", 422
    return _common.render_page(request, "settings/pipelines.html", _settings_context(
        actor, pipeline_form=form, error=message), status=status)


@admin_required
def pipeline_edit_page(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """GET the pipeline's stages; POST renames/(de)activates/makes it the default."""
    actor = request.actor
    pipeline = selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)
    if request.method != "POST":
        return _common.render_page(request, "settings/pipeline.html",
                                   _pipeline_context(actor, pipeline))
    form = PipelineForm(request.POST)
    message, status = "", 422
    if form.is_valid():
        try:
            services.pipeline_update(actor=actor, pipeline=pipeline, values=form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Pipeline saved."))
            return redirect("sales:pipeline-edit", pipeline.pk)
    return _common.render_page(request, "settings/pipeline.html", _pipeline_context(
        actor, pipeline, edit_form=form, error=message), status=status)


@admin_required
@require_POST
def stage_create(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    actor = request.actor
    pipeline = selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)
    form = StageForm(request.POST)
    message, status = "", 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_create(actor=actor, pipeline=pipeline, name=data["name"],
                                  kind=data["kind"], probability=data["probability"])
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Stage “%(name)s” added.") % {"name": data["name"]})
            return redirect("sales:pipeline-edit", pipeline.pk)
    return _common.render_page(request, "settings/pipeline.html", _pipeline_context(
        actor, pipeline, stage_form=form, error=message), status=status)


@admin_required
@require_POST
def stage_update(request: HttpRequest, stage_id: int) -> HttpResponse:
    actor = request.actor
    stage = selectors.stage_get(actor=actor, stage_id=stage_id)
    form = row_form(stage, request.POST)
    message, status = "", 422
    if form.is_valid():
        try:
            services.stage_update(actor=actor, stage=stage, values=form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Stage “%(name)s” saved.")
                             % {"name": form.cleaned_data["name"]})
            return redirect("sales:pipeline-edit", stage.pipeline_id)
    context = _pipeline_context(actor, stage.pipeline, error=message)
    for row in context["rows"]:
        if row["stage"].pk == stage.pk:
            row["form"] = form
    return _common.render_page(request, "settings/pipeline.html", context, status=status)


@admin_required
@require_POST
def stage_delete(request: HttpRequest, stage_id: int) -> HttpResponse:
    actor = request.actor
    stage = selectors.stage_get(actor=actor, stage_id=stage_id)
    try:
        services.stage_delete(actor=actor, stage=stage)
    except (DomainError, ValidationError) as exc:
        message, status = _problem(exc)
        return _common.render_page(request, "settings/pipeline.html", _pipeline_context(
            actor, stage.pipeline, error=message), status=status)
    messages.success(request, _("Stage “%(name)s” deleted.") % {"name": stage.name})
    return redirect("sales:pipeline-edit", stage.pipeline_id)


@admin_required
@require_POST
def stages_reorder(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """The stage ids in their new order (`stage` repeated), from the drag handle or arrows."""
    actor = request.actor
    pipeline = selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)
    ids = []
    for raw in request.POST.getlist("stage"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    try:
        services.stages_reorder(actor=actor, pipeline=pipeline, stage_ids=ids)
    except ValidationError as exc:
        return _common.render_page(request, "settings/pipeline.html", _pipeline_context(
            actor, pipeline, error=" ".join(exc.messages)), status=422)
    if _common.is_htmx(request):
        return HttpResponse(status=204)
    messages.success(request, _("Stage order saved."))
    return redirect(reverse("sales:pipeline-edit", args=[pipeline.pk]))


@admin_required
@require_POST
def lost_reason_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = LostReasonForm(request.POST)
    message, status = "", 422
    if form.is_valid():
        try:
            services.lost_reason_create(actor=actor, name=form.cleaned_data["name"])
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Lost reason added."))
            return redirect("sales:pipeline-settings")
    return _common.render_page(request, "settings/pipelines.html", _settings_context(
        actor, reason_form=form, error=message), status=status)


@admin_required
@require_POST
def lost_reason_update(request: HttpRequest, reason_id: int) -> HttpResponse:
    actor = request.actor
    reason = selectors.lost_reason_get(actor=actor, reason_id=reason_id)
    form = LostReasonForm(request.POST, prefix=f"r{reason.pk}")
    message, status = "", 422
    if form.is_valid():
        try:
            services.lost_reason_update(actor=actor, reason=reason, values=form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            message, status = _problem(exc, form)
        else:
            messages.success(request, _("Lost reason saved."))
            return redirect("sales:pipeline-settings")
    return _common.render_page(request, "settings/pipelines.html", _settings_context(
        actor, error=message or _("Enter a name.")), status=status)

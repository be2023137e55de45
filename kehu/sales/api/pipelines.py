"""/api/v1/sales/pipelines, /stages, /lost-reasons: the pipeline settings (writes: admins)."""

from django.http import HttpRequest
from ninja import Router, Status

from kehu.core.permissions import scoping
from kehu.sales import selectors
from kehu.sales.api.schemas import (
    LostReasonIn,
    LostReasonOut,
    LostReasonPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)
from kehu.sales.services import pipelines as services

router = Router(tags=["sales"])


def _pipeline(request: HttpRequest, pipeline_id: int):
    return selectors.pipeline_list(actor=request.actor, active=None) \
        .prefetch_related("stages").filter(pk=pipeline_id).first() or \
        selectors.pipeline_get(actor=request.actor, pipeline_id=pipeline_id)


@router.get("/pipelines", response=list[PipelineOut])
def list_pipelines(request: HttpRequest, include_inactive: bool = False):
    """The pipelines with their stages (in order), the default first."""
    selectors.pipelines_for(actor=request.actor)
    return selectors.pipeline_list(actor=request.actor,
                                   active=None if include_inactive else True) \
        .prefetch_related("stages")


@router.post("/pipelines", response={201: PipelineOut})
def create_pipeline(request: HttpRequest, payload: PipelineIn):
    """Admins: a new pipeline with the usual stages."""
    pipeline = services.pipeline_create(actor=request.actor, name=payload.name)
    return Status(201, _pipeline(request, pipeline.pk))


@router.get("/pipelines/{pipeline_id}", response=PipelineOut)
def get_pipeline(request: HttpRequest, pipeline_id: int):
    return _pipeline(request, pipeline_id)


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut)
def update_pipeline(request: HttpRequest, pipeline_id: int, payload: PipelinePatch):
    """Admins: rename, (de)activate, make default, move."""
    scoping.require_admin(request.actor)
    pipeline = selectors.pipeline_get(actor=request.actor, pipeline_id=pipeline_id)
    services.pipeline_update(actor=request.actor, pipeline=pipeline,
                             values=payload.dict(exclude_unset=True))
    return _pipeline(request, pipeline_id)


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut})
def create_stage(request: HttpRequest, pipeline_id: int, payload: StageIn):
    """Admins. 422 `won_stage_required` / `lost_stage_required` when the pipeline would no
    longer have exactly one won and at least one lost stage."""
    scoping.require_admin(request.actor)
    pipeline = selectors.pipeline_get(actor=request.actor, pipeline_id=pipeline_id)
    return Status(201, services.stage_create(actor=request.actor, pipeline=pipeline,
                                             **payload.dict()))


@router.post("/pipelines/{pipeline_id}/stages/order", response=PipelineOut)
def reorder_stages(request: HttpRequest, pipeline_id: int, payload: StageOrderIn):
    scoping.require_admin(request.actor)
    pipeline = selectors.pipeline_get(actor=request.actor, pipeline_id=pipeline_id)
    services.stages_reorder(actor=request.actor, pipeline=pipeline,
                            stage_ids=payload.stage_ids)
    return _pipeline(request, pipeline_id)


@router.patch("/stages/{stage_id}", response=StageOut)
def update_stage(request: HttpRequest, stage_id: int, payload: StagePatch):
    scoping.require_admin(request.actor)
    stage = selectors.stage_get(actor=request.actor, stage_id=stage_id)
    return services.stage_update(actor=request.actor, stage=stage,
                                 values=payload.dict(exclude_unset=True))


@router.delete("/stages/{stage_id}", response={204: None})
def delete_stage(request: HttpRequest, stage_id: int):
    """409 `stage_in_use` when opportunities are (or were) in it: deactivate it instead."""
    scoping.require_admin(request.actor)
    stage = selectors.stage_get(actor=request.actor, stage_id=stage_id)
    services.stage_delete(actor=request.actor, stage=stage)
    return Status(204, None)


@router.get("/lost-reasons", response=list[LostReasonOut])
def list_lost_reasons(request: HttpRequest, include_inactive: bool = False):
    return selectors.lost_reason_list(actor=request.actor,
                                      active=None if include_inactive else True)


@router.post("/lost-reasons", response={201: LostReasonOut})
def create_lost_reason(request: HttpRequest, payload: LostReasonIn):
    return Status(201, services.lost_reason_create(actor=request.actor, name=payload.name))


@router.patch("/lost-reasons/{reason_id}", response=LostReasonOut)
def update_lost_reason(request: HttpRequest, reason_id: int, payload: LostReasonPatch):
    scoping.require_admin(request.actor)
    reason = selectors.lost_reason_get(actor=request.actor, reason_id=reason_id)
    return services.lost_reason_update(actor=request.actor, reason=reason,
                                       values=payload.dict(exclude_unset=True))

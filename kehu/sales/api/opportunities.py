"""/api/v1/sales/opportunities and /board: the same services and rules as the UI."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.audit import selectors as audit_selectors
from kehu.core.audit.api import ChangeRecordOut
from kehu.core.common.api import CursorPage, expected_version
from kehu.sales import selectors
from kehu.sales.api.schemas import (
    BoardOut,
    LoseIn,
    MoveIn,
    MoveOut,
    OpportunityFilter,
    OpportunityIn,
    OpportunityLineIn,
    OpportunityLineOut,
    OpportunityLinePatch,
    OpportunityOut,
    OpportunityPatch,
    StageChangeOut,
    VersionIn,
)
from kehu.sales.services import lines as line_services
from kehu.sales.services import opportunities as services

router = Router(tags=["sales"])


def _split(payload, *, creating: bool):
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    custom = data.pop("custom", None)
    if "amount" in data and data["amount"] is None:
        data.pop("amount")
    return data, custom


def _get(request: HttpRequest, opportunity_id: int, action: str = "view"):
    return selectors.opportunity_get(actor=request.actor, pk=opportunity_id, action=action)


def _fresh(request: HttpRequest, opportunity_id: int):
    return selectors.opportunity_get(actor=request.actor, pk=opportunity_id)


def _totals(request: HttpRequest, opportunity, stage_ids: list[int]) -> list[dict]:
    rows = selectors.board_totals(actor=request.actor, pipeline=opportunity.pipeline,
                                  stage_ids=stage_ids)
    zero = {"count": 0, "amount": 0, "weighted_amount": 0}
    return [{**zero, **rows.get(pk, {}), "stage_id": pk} for pk in stage_ids]


@router.get("/board", response=BoardOut)
def board(request: HttpRequest, pipeline_id: int | None = None, owner_id: int | None = None,
          mine: bool = False):
    """One pipeline's columns (active stages) with their totals and first 20 cards (ordered
    by position); the next cards of a column come from `/opportunities?stage_id=…`."""
    pipelines = selectors.pipelines_for(actor=request.actor)
    pipeline = pipelines[0] if pipeline_id is None else selectors.pipeline_get(
        actor=request.actor, pipeline_id=pipeline_id, active=True)
    owner = request.actor.user.pk if mine else owner_id
    columns = selectors.board(actor=request.actor, pipeline=pipeline, owner_id=owner)
    return {"pipeline_id": pipeline.pk, "columns": [
        {"stage": c.stage, "count": c.count, "amount": c.amount,
         "weighted_amount": c.weighted, "cards": c.cards, "more": c.more} for c in columns]}


@router.get("/opportunities", response=list[OpportunityOut])
@paginate(CursorPage)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilter]):
    """Opportunities the caller may see, newest first."""
    return selectors.opportunity_list(actor=request.actor, **filters.dict())


@router.post("/opportunities", response={201: OpportunityOut})
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    """Without `pipeline_id` the default pipeline; without `stage_id` its first stage."""
    values, custom = _split(payload, creating=True)
    values = selectors.resolve_ids(actor=request.actor, values=values)
    opportunity = services.opportunity_create(actor=request.actor, values=values,
                                              custom=custom)
    return Status(201, _fresh(request, opportunity.pk))


@router.get("/opportunities/recycle-bin", response=list[OpportunityOut])
@paginate(CursorPage)
def recycle_bin(request: HttpRequest):
    return selectors.opportunity_list(actor=request.actor, action="delete", deleted=True)


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut)
def get_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int):
    opportunity = _get(request, opportunity_id)
    response["ETag"] = f'"{opportunity.version}"'
    return opportunity


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch):
    """Plain fields; stage, status and lost reason change through /move, /win, /lose.
    Needs `version` (or If-Match); a stale one gets 409."""
    opportunity = _get(request, opportunity_id, "edit")
    version = expected_version(request, payload.version)
    values, custom = _split(payload, creating=False)
    values = selectors.resolve_ids(actor=request.actor, values=values)
    services.opportunity_update(actor=request.actor, opportunity=opportunity, values=values,
                                custom=custom, version=version)
    return _fresh(request, opportunity_id)


@router.delete("/opportunities/{opportunity_id}", response={204: None})
def delete_opportunity(request: HttpRequest, opportunity_id: int):
    """Into the recycle bin; `POST …/restore` brings it back."""
    opportunity = _get(request, opportunity_id, "delete")
    services.opportunity_delete(actor=request.actor, opportunity=opportunity)
    return Status(204, None)


@router.post("/opportunities/{opportunity_id}/restore", response=OpportunityOut)
def restore_opportunity(request: HttpRequest, opportunity_id: int):
    opportunity = selectors.opportunity_get(actor=request.actor, pk=opportunity_id,
                                            action="delete", deleted=True)
    services.opportunity_restore(actor=request.actor, opportunity=opportunity)
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/move", response=MoveOut)
def move_opportunity(request: HttpRequest, opportunity_id: int, payload: MoveIn):
    """To another stage of its pipeline (or another place in its column: `after_id` /
    `before_id` name the new neighbours). A lost stage needs `lost_reason_id` (422
    `lost_reason_required`). Answers the opportunity and the new totals of the columns it
    left and joined."""
    opportunity = _get(request, opportunity_id, "edit")
    left = opportunity.stage_id
    stage = selectors.stage_get(actor=request.actor, stage_id=payload.stage_id)
    services.opportunity_move_stage(
        actor=request.actor, opportunity=opportunity, stage=stage, version=payload.version,
        before_id=payload.before_id, after_id=payload.after_id,
        lost_reason=payload.lost_reason_id, lost_note=payload.lost_note)
    moved = _fresh(request, opportunity_id)
    return {"opportunity": moved,
            "totals": _totals(request, moved, sorted({left, moved.stage_id}))}


@router.post("/opportunities/{opportunity_id}/win", response=OpportunityOut)
def win_opportunity(request: HttpRequest, opportunity_id: int, payload: VersionIn):
    opportunity = _get(request, opportunity_id, "edit")
    services.opportunity_win(actor=request.actor, opportunity=opportunity,
                             version=payload.version)
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/lose", response=OpportunityOut)
def lose_opportunity(request: HttpRequest, opportunity_id: int, payload: LoseIn):
    """Needs `lost_reason_id` (422 `lost_reason_required` otherwise)."""
    opportunity = _get(request, opportunity_id, "edit")
    stage = (selectors.stage_get(actor=request.actor, stage_id=payload.stage_id)
             if payload.stage_id else None)
    services.opportunity_lose(actor=request.actor, opportunity=opportunity,
                              lost_reason=payload.lost_reason_id, note=payload.note,
                              version=payload.version, stage=stage)
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/reopen", response=OpportunityOut)
def reopen_opportunity(request: HttpRequest, opportunity_id: int, payload: VersionIn):
    opportunity = _get(request, opportunity_id, "edit")
    services.opportunity_reopen(actor=request.actor, opportunity=opportunity,
                                version=payload.version)
    return _fresh(request, opportunity_id)


@router.get("/opportunities/{opportunity_id}/stage-history", response=list[StageChangeOut])
def stage_history(request: HttpRequest, opportunity_id: int):
    """Every stage change, oldest first, with the seconds spent in the stage it left."""
    opportunity = _get(request, opportunity_id)
    return selectors.stage_change_list(actor=request.actor, opportunity=opportunity)


@router.get("/opportunities/{opportunity_id}/history", response=list[ChangeRecordOut])
def opportunity_history(request: HttpRequest, opportunity_id: int):
    opportunity = _get(request, opportunity_id)
    return audit_selectors.history_for(actor=request.actor, instance=opportunity)[:200]


# --- product lines ---------------------------------------------------------------------------

def _line_values(request: HttpRequest, data: dict) -> dict:
    from kehu.catalog import selectors as catalog_selectors

    if "product_id" in data:
        product_id = data.pop("product_id")
        product = None
        if product_id:
            product = catalog_selectors.product_list(actor=request.actor) \
                .filter(pk=product_id).first()
            if product is None:
                raise ValidationError({"product_id": gettext("Choose a product you can see.")})
        data["product"] = product
    return data


@router.get("/opportunities/{opportunity_id}/lines", response=list[OpportunityLineOut])
def list_lines(request: HttpRequest, opportunity_id: int):
    opportunity = _get(request, opportunity_id)
    return selectors.line_list(actor=request.actor, opportunity=opportunity)


@router.post("/opportunities/{opportunity_id}/lines", response={201: OpportunityLineOut})
def create_line(request: HttpRequest, opportunity_id: int, payload: OpportunityLineIn):
    """Adding a line makes the opportunity's amount the total of its lines."""
    opportunity = _get(request, opportunity_id, "edit")
    values = _line_values(request, payload.dict(exclude_unset=True))
    return Status(201, line_services.line_create(actor=request.actor, opportunity=opportunity,
                                                 values=values))


@router.patch("/lines/{line_id}", response=OpportunityLineOut)
def update_line(request: HttpRequest, line_id: int, payload: OpportunityLinePatch):
    line = selectors.line_get(actor=request.actor, line_id=line_id)
    return line_services.line_update(actor=request.actor, line=line,
                                     values=payload.dict(exclude_unset=True))


@router.delete("/lines/{line_id}", response={204: None})
def delete_line(request: HttpRequest, line_id: int):
    line = selectors.line_get(actor=request.actor, line_id=line_id)
    line_services.line_delete(actor=request.actor, line=line)
    return Status(204, None)

"""The kanban board (销售漏斗) of one pipeline: a column per active stage with its totals and
first cards, "load more" per column, and the drag-and-drop move (JSON for board.js)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.api import validation_fields
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.money import format_money
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors
from kehu.sales.forms import BoardFilterForm
from kehu.sales.models import Opportunity, Pipeline
from kehu.sales.services import opportunities as services
from kehu.sales.views import _common
from kehu.web.decorators import member_required


def _filters(request: HttpRequest, actor: Actor, data=None) -> tuple[BoardFilterForm, int | None]:
    form = BoardFilterForm(request.GET if data is None else data,
                           members=_common.owner_filter_members(actor))
    owner_id = actor.user.pk if form.value("mine") else form.value("owner")
    return form, owner_id


def totals_json(actor: Actor, pipeline: Pipeline, owner_id: int | None,
                stage_ids: list[int] | None = None) -> dict[str, Any]:
    """The totals of the columns `stage_ids` (default: every column), formatted for the
    board, from one grouped query."""
    currency = actor.organization.default_currency
    rows = selectors.board_totals(actor=actor, pipeline=pipeline, owner_id=owner_id,
                                  stage_ids=stage_ids)
    if stage_ids is None:
        stage_ids = selectors.stage_list(actor=actor, pipeline=pipeline) \
            .values_list("pk", flat=True)
    result = {}
    for stage_id in stage_ids:
        row = rows.get(stage_id, {"count": 0, "amount": 0, "weighted_amount": 0})
        result[str(stage_id)] = {
            "count": row["count"], "amount": str(row["amount"]),
            "weighted_amount": str(row["weighted_amount"]),
            "amount_display": format_money(row["amount"], currency),
            "weighted_display": format_money(row["weighted_amount"], currency)}
    return result


@member_required
@require_GET
def board_page(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    pipelines = selectors.pipelines_for(actor=actor)
    if pipeline_id is None:
        pipeline = pipelines[0]
    else:
        pipeline = next((p for p in pipelines if p.pk == pipeline_id), None)
        if pipeline is None:
            if selectors.pipeline_list(actor=actor, active=None).filter(pk=pipeline_id).exists():
                return redirect("sales:board")  # a deactivated pipeline has no board
            raise Http404
    form, owner_id = _filters(request, actor)
    columns = selectors.board(actor=actor, pipeline=pipeline, owner_id=owner_id)
    can = _common.can(actor)
    context = {"pipelines": pipelines, "pipeline": pipeline, "columns": columns, "form": form,
               "can": can, "currency": actor.organization.default_currency,
               "mine": bool(form.value("mine")),
               "filter_query": request.GET.urlencode()}
    return _common.render_page(request, "board.html", context)


@member_required
@require_GET
def board_column_more(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next cards of one column (after `after=<rank>:<id>`), for "load more"."""
    actor = request.actor
    _common.require(actor, "view")
    pipeline = selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id, active=True)
    stage = selectors.stage_get(actor=actor, stage_id=stage_id)
    if stage.pipeline_id != pipeline.pk:
        raise Http404
    after = None
    raw = request.GET.get("after", "")
    if raw:
        try:
            rank, pk = raw.split(":", 1)
            after = (float(rank), int(pk))
        except ValueError as exc:
            raise Http404 from exc
    _form, owner_id = _filters(request, actor)
    cards = selectors.board_column_cards(actor=actor, pipeline=pipeline, stage=stage,
                                         after=after, owner_id=owner_id,
                                         limit=selectors.BOARD_CARDS + 1)
    more = len(cards) > selectors.BOARD_CARDS
    cards = cards[:selectors.BOARD_CARDS]
    return _common.render_page(request, "_cards.html", {
        "cards": cards, "more": more, "pipeline": pipeline, "stage": stage,
        "can": _common.can(actor), "filter_query": _filter_query(request)})


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


def _error(exc: Exception, status: int) -> JsonResponse:
    if isinstance(exc, ValidationError):
        body = {"code": "invalid", "message": " ".join(exc.messages),
                "fields": validation_fields(exc)}
    else:
        body = {"code": exc.code, "message": exc.message, **exc.details}
    return JsonResponse({"error": body}, status=status)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@member_required
@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """A card dropped on the board: POST stage, version, after_id/before_id (its new
    neighbours), lost_reason/lost_note for a lost column, and the board's filters. Answers
    JSON: the card (re-rendered) and the new totals of the columns it left and joined; or the
    error (the card goes back)."""
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id, "edit")
    left = opportunity.stage_id
    stage = selectors.stage_get(actor=actor, stage_id=_int(request.POST.get("stage")))
    try:
        moved = services.opportunity_move_stage(
            actor=actor, opportunity=opportunity, stage=stage,
            version=_int(request.POST.get("version")),
            after_id=_int(request.POST.get("after_id")),
            before_id=_int(request.POST.get("before_id")),
            lost_reason=_int(request.POST.get("lost_reason")),
            lost_note=request.POST.get("lost_note", ""))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        return _error(exc, exc.status)
    except ValidationError as exc:
        return _error(exc, 422)
    except Opportunity.DoesNotExist as exc:
        raise Http404 from exc
    _form, owner_id = _filters(request, actor, data=request.POST)
    moved = selectors.opportunity_get(actor=actor, pk=moved.pk)
    card = render_to_string("sales/_card.html", {"card": moved, "can": _common.can(actor)},
                            request=request)
    return JsonResponse({
        "opportunity": {"id": moved.pk, "version": moved.version, "stage_id": moved.stage_id,
                        "status": moved.status},
        "card": card,
        "totals": totals_json(actor, moved.pipeline, owner_id,
                              stage_ids=sorted({left, moved.stage_id})),
        "message": _("Moved to “%(stage)s”.") % {"stage": moved.stage.name}})


@member_required
@require_GET
def lost_dialog(request: HttpRequest) -> HttpResponse:
    """The options of the lost-reason select in the board's dialog (loaded when needed)."""
    actor = request.actor
    _common.require(actor, "view")
    return _common.render_page(request, "_lost_options.html",
                               {"reasons": selectors.lost_reason_list(actor=actor)})

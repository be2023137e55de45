"""Tags and segments (saved filters)."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage
from kehu.customers import selectors, services
from kehu.customers.api.schemas import CustomerOut
from kehu.customers.models import Tag

router = Router(tags=["tags and segments"])


class TagOut(Schema):
    id: int
    name: str
    color: str
    customer_count: int = 0


class TagIn(Schema):
    name: str
    color: str = ""


class SegmentOut(Schema):
    id: int
    name: str
    owner_id: int
    is_shared: bool
    conditions: list[dict[str, Any]]

    @staticmethod
    def resolve_conditions(obj) -> list[dict[str, Any]]:
        return obj.filters


class SegmentIn(Schema):
    name: str
    conditions: list[dict[str, Any]]
    is_shared: bool = False


@router.get("/tags", response=list[TagOut])
def list_tags(request: HttpRequest):
    return selectors.tag_list(actor=request.actor, counts=True)


@router.post("/tags", response={201: TagOut})
def create_tag(request: HttpRequest, payload: TagIn):
    return Status(201, services.tag_get_or_create(actor=request.actor, name=payload.name,
                                                  color=payload.color))


@router.delete("/tags/{tag_id}", response={204: None})
def delete_tag(request: HttpRequest, tag_id: int):
    tag = get_object_or_404(Tag, pk=tag_id, organization=request.actor.organization)
    services.tag_delete(actor=request.actor, tag=tag)
    return Status(204, None)


@router.get("/segments", response=list[SegmentOut])
def list_segments(request: HttpRequest):
    return selectors.segment_list(actor=request.actor)


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn):
    """Conditions: `{"field": "city", "op": "eq", "value": "深圳"}`; fields are customer
    fields, `tags` (any/all/none of tag ids), `days_since_follow_up` (gte/lte) and
    `custom.<key>`."""
    return Status(201, services.segment_save(actor=request.actor, segment=None,
                                             name=payload.name, conditions=payload.conditions,
                                             is_shared=payload.is_shared))


@router.put("/segments/{segment_id}", response=SegmentOut)
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentIn):
    segment = selectors.segment_get(actor=request.actor, segment_id=segment_id)
    return services.segment_save(actor=request.actor, segment=segment, name=payload.name,
                                 conditions=payload.conditions, is_shared=payload.is_shared)


@router.delete("/segments/{segment_id}", response={204: None})
def delete_segment(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get(actor=request.actor, segment_id=segment_id)
    services.segment_delete(actor=request.actor, segment=segment)
    return Status(204, None)


@router.get("/segments/{segment_id}/customers", response=list[CustomerOut])
@paginate(CursorPage)
def segment_customers(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get(actor=request.actor, segment_id=segment_id)
    return selectors.segment_filter(actor=request.actor, segment=segment,
                                    queryset=selectors.customer_list(actor=request.actor)) \
        .prefetch_related("tags")

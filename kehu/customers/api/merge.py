"""Merging duplicates, and undoing a merge."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kehu.customers import selectors, services
from kehu.customers.api.schemas import CustomerOut
from kehu.customers.models import MergeRecord

router = Router(tags=["merge"])


class MergeIn(Schema):
    merged_id: int
    take_from_merged: list[str] = []
    custom_from_merged: list[str] = []


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    user_id: int | None
    moved: dict[str, list[int]]
    created_at: datetime
    undone_at: datetime | None


@router.post("/{customer_id}/merge", response=MergeOut)
def merge(request: HttpRequest, customer_id: int, payload: MergeIn):
    """Merge customer `merged_id` into this one. Fields named in `take_from_merged` (and
    custom keys in `custom_from_merged`) take the merged customer's value; empty fields are
    filled from it. Everything attached to it moves here. Undo with `POST /merges/{id}/undo`."""
    survivor = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="edit")
    merged = selectors.customer_get(actor=request.actor, customer_id=payload.merged_id,
                                    action="delete")
    return services.customer_merge(actor=request.actor, survivor=survivor, merged=merged,
                                   take_from_merged=payload.take_from_merged,
                                   custom_from_merged=payload.custom_from_merged)


@router.get("/{customer_id}/merges", response=list[MergeOut])
def merges(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return selectors.merge_list(actor=request.actor, customer=customer)


@router.post("/merges/{merge_id}/undo", response=CustomerOut)
def undo(request: HttpRequest, merge_id: int):
    record = get_object_or_404(MergeRecord, pk=merge_id, organization=request.actor.organization)
    selectors.customer_get(actor=request.actor, customer_id=record.survivor_id, action="edit")
    return services.customer_merge_undo(actor=request.actor, record=record)

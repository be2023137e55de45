"""Follow-up records with attachments: /customers/{id}/follow-ups and /follow-ups/{id}."""

from datetime import date, datetime
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage
from kehu.customers import selectors, services
from kehu.customers.models import Attachment

router = Router(tags=["follow-ups"])


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/follow-ups/attachments/{obj.pk}"


class FollowUpOut(Schema):
    id: int
    customer_id: int
    contact_id: int | None
    author_id: int | None
    kind: str
    content: str
    happened_at: datetime
    next_follow_up_on: date | None
    location: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class FollowUpIn(Schema):
    kind: Literal["call", "visit", "meeting", "email", "wechat", "note"] = "call"
    content: str
    happened_at: datetime | None = None
    contact_id: int | None = None
    next_follow_up_on: date | None = None
    location: str = ""


@router.get("/customers/{customer_id}/follow-ups", response=list[FollowUpOut])
@paginate(CursorPage)
def list_follow_ups(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return selectors.follow_up_list(actor=request.actor, customer=customer)


@router.post("/customers/{customer_id}/follow-ups", response={201: FollowUpOut})
def create_follow_up(request: HttpRequest, customer_id: int, payload: Form[FollowUpIn],
                     files: File[list[UploadedFile]] = None):
    """Multipart form: the fields above plus any number of `files` (photos, documents).
    `next_follow_up_on` creates (or moves) a reminder task for the customer's owner."""
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="edit")
    values = payload.dict(exclude_unset=True)
    if values.get("contact_id"):
        values["contact"] = selectors.contact_get(actor=request.actor,
                                                  contact_id=values.pop("contact_id"))
    if values.get("happened_at") is None:
        values.pop("happened_at", None)
    return Status(201, services.follow_up_create(actor=request.actor, customer=customer,
                                                 values=values, files=files or []))


@router.delete("/follow-ups/{follow_up_id}", response={204: None})
def delete_follow_up(request: HttpRequest, follow_up_id: int):
    follow_up = selectors.follow_up_get(actor=request.actor, follow_up_id=follow_up_id,
                                        action="edit")
    services.follow_up_delete(actor=request.actor, follow_up=follow_up)
    return Status(204, None)


@router.get("/follow-ups/attachments/{attachment_id}", response={200: None})
def download_attachment(request: HttpRequest, attachment_id: int):
    attachment = get_object_or_404(Attachment, pk=attachment_id,
                                   organization=request.actor.organization)
    selectors.follow_up_get(actor=request.actor, follow_up_id=attachment.follow_up_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=not attachment.is_image,
                        filename=attachment.original_name,
                        content_type=attachment.content_type)


from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage
from kehu.core.notifications import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None


class MarkReadOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut])
@paginate(CursorPage)
def list_notifications(request: HttpRequest, unread: bool = False):
    return selectors.notification_list(actor=request.actor, unread_only=unread).order_by("-id")


@router.post("/read", response=MarkReadOut)
def mark_read(request: HttpRequest, payload: MarkReadIn):
    return {"marked": services.notification_mark_read(actor=request.actor,
                                                      notification_ids=payload.ids)}

"""The organization's audit log, for admins."""


from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kehu.core.audit import selectors
from kehu.core.common.api import CursorPage

router = Router(tags=["audit"])


class ChangeRecordOut(Schema):
    id: int
    created_at: datetime
    user_id: int | None
    via: str
    action: str
    object_type: str
    object_id: int
    object_repr: str
    changes: dict[str, Any]
    note: str


class AuditFilter(Schema):
    object_type: str = ""
    object_id: int | None = None
    user_id: int | None = None
    action: str = ""


@router.get("", response=list[ChangeRecordOut])
@paginate(CursorPage)
def list_changes(request: HttpRequest, filters: Query[AuditFilter]):
    qs = selectors.change_record_list(actor=request.actor, object_type=filters.object_type,
                                      user_id=filters.user_id, action=filters.action)
    if filters.object_id is not None:
        qs = qs.filter(object_id=filters.object_id)
    return qs.order_by("-id")

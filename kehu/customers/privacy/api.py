"""`/api/v1/privacy/…`: preview, export and erase one person's data (admins only)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kehu.customers.privacy import selectors, services

router = Router(tags=["privacy"])


class PersonIn(Schema):
    phone: str = ""
    email: str = ""
    name: str = ""


class EraseIn(PersonIn):
    reason: str
    # keys from the preview ("customers.contact:5"); empty: every record found
    records: list[str] | None = None


class FoundOut(Schema):
    key: str
    object_type: str
    object_id: int
    name: str
    kind: str
    url: str
    related: dict[str, int]

    @staticmethod
    def resolve_related(obj) -> dict[str, int]:
        return dict(obj.related)


class PreviewOut(Schema):
    records: list[FoundOut]
    history: int
    mentions: int
    notifications: int


class EraseOut(Schema):
    records: list[str]
    counts: dict[str, int]
    change_record_id: int | None


def _query(person: PersonIn):
    return selectors.person_query(phone=person.phone, email=person.email, name=person.name)


@router.get("/privacy/preview", response=PreviewOut)
def preview(request: HttpRequest, person: Query[PersonIn]):
    """Every record holding the person's data, and how many audit records and
    notifications mention them."""
    return selectors.person_preview(actor=request.actor, query=_query(person))


@router.get("/privacy/export", response=dict[str, Any])
def export(request: HttpRequest, person: Query[PersonIn]):
    """The data held about the person, for an access request."""
    return selectors.person_export(actor=request.actor, query=_query(person))


@router.post("/privacy/erase", response=EraseOut)
def erase(request: HttpRequest, payload: EraseIn):
    """Erase the person's data (see docs/operations.md). Repeating it changes nothing."""
    return services.person_erase(
        actor=request.actor, query=_query(payload), reason=payload.reason,
        only=set(payload.records) if payload.records is not None else None)

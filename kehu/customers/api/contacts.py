"""Contacts: /customers/{id}/contacts and /contacts/{id}."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kehu.core.common.api import expected_version
from kehu.customers import selectors, services

router = Router(tags=["contacts"])

Role = Literal["", "decision_maker", "influencer", "purchaser", "user", "other"]


class ContactOut(Schema):
    id: int
    version: int
    customer_id: int
    name: str
    title: str
    role: str
    mobile: str
    phone: str
    email: str
    wechat: str
    is_primary: bool
    notes: str
    custom: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data


class ContactFields(Schema):
    title: str | None = None
    role: Role | None = None
    mobile: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    is_primary: bool | None = None
    notes: str | None = None
    custom: dict[str, Any] | None = None


class ContactIn(ContactFields):
    name: str


class ContactPatch(ContactFields):
    name: str | None = None
    version: int | None = None


def _split(payload: Schema):
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data, data.pop("custom", None)


@router.get("/customers/{customer_id}/contacts", response=list[ContactOut])
def list_contacts(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return selectors.contact_list(actor=request.actor, customer=customer)


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, customer_id: int, payload: ContactIn):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="edit")
    values, custom = _split(payload)
    return Status(201, services.contact_create(actor=request.actor, customer=customer,
                                               values=values, custom=custom))


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int):
    return selectors.contact_get(actor=request.actor, contact_id=contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get(actor=request.actor, contact_id=contact_id, action="edit")
    version = expected_version(request, payload.version)
    values, custom = _split(payload)
    return services.contact_update(actor=request.actor, contact=contact, values=values,
                                   custom=custom, version=version)


@router.delete("/contacts/{contact_id}", response={204: None})
def delete_contact(request: HttpRequest, contact_id: int):
    contact = selectors.contact_get(actor=request.actor, contact_id=contact_id, action="edit")
    services.contact_delete(actor=request.actor, contact=contact)
    return Status(204, None)

"""/api/v1/leads: leads, their follow-ups, the lead pool, assignment and conversion."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage, expected_version
from kehu.customers import selectors as customer_selectors
from kehu.leads import imports, selectors, services

router = Router(tags=["leads"])

Source = Literal["manual", "import", "api", "web_form", "campaign"]
EditableStatus = Literal["new", "contacted", "qualified", "disqualified"]
Kind = Literal["call", "visit", "meeting", "email", "wechat", "note"]


class LeadOut(Schema):
    id: int
    version: int
    name: str
    company: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat: str
    province: str
    city: str
    industry: str
    source: str
    status: str
    disqualify_reason: str
    notes: str
    owner_id: int | None
    team_id: int | None
    assigned_at: datetime | None
    converted_at: datetime | None
    converted_customer_id: int | None
    converted_contact_id: int | None
    converted_opportunity_id: int | None
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data


class LeadFields(Schema):
    company: str | None = None
    title: str | None = None
    mobile: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    province: str | None = None
    city: str | None = None
    industry: str | None = None
    status: EditableStatus | None = None
    disqualify_reason: str | None = None
    notes: str | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class LeadIn(LeadFields):
    name: str
    source: Source = "api"


class LeadPatch(LeadFields):
    name: str | None = None
    source: Source | None = None
    version: int | None = None


class LeadFilter(Schema):
    q: str = ""
    status: str = ""
    source: str = ""
    owner_id: int | None = None
    mine: bool = False
    pool: bool | None = None


class ActivityOut(Schema):
    id: int
    lead_id: int
    author_id: int | None
    kind: str
    content: str
    happened_at: datetime


class ActivityIn(Schema):
    kind: Kind = "call"
    content: str
    happened_at: datetime | None = None


class DisqualifyIn(Schema):
    reason: str
    version: int | None = None


class LeadReleaseIn(Schema):
    reason: str = ""


class ConvertIn(Schema):
    existing_customer_id: int | None = None
    create_anyway: bool = False
    create_opportunity: bool = True
    opportunity_name: str = ""
    amount: Decimal | None = None


class ConvertOut(Schema):
    lead: LeadOut
    customer_id: int
    contact_id: int | None
    opportunity_id: int | None
    customer_created: bool


class AssignOut(Schema):
    considered: int
    assigned: int
    unassigned: int
    by_owner: dict[str, int]
    by_rule: dict[str, int]


class RejectedRowOut(Schema):
    row: int
    field: str
    message: str
    values: list[str]


class LeadImportOut(Schema):
    file_name: str
    dry_run: bool
    headers: list[str]
    columns: dict[str, str]
    ignored_columns: list[str]
    created: int
    assigned: int
    in_pool: int
    rejected_count: int
    rejected: list[RejectedRowOut]
    lead_ids: list[int]


def _split(payload: Schema) -> tuple[dict[str, Any], dict[str, Any] | None]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data, data.pop("custom", None)


@router.get("", response=list[LeadOut])
@paginate(CursorPage)
def list_leads(request: HttpRequest, filters: Query[LeadFilter]):
    """Leads the caller may see, newest first; `pool=true` lists the lead pool, `mine=true`
    the caller's own."""
    return selectors.lead_list(actor=request.actor, **filters.dict())


@router.post("", response={201: LeadOut})
def create_lead(request: HttpRequest, payload: LeadIn):
    values, custom = _split(payload)
    values.setdefault("source", "api")
    return Status(201, services.lead_create(actor=request.actor, values=values, custom=custom))


@router.post("/assign", response=AssignOut)
def assign_leads(request: HttpRequest):
    """Run the assignment rules on the unassigned leads; returns what happened."""
    return services.leads_assign(actor=request.actor).as_dict()


@router.post("/import", response=LeadImportOut)
def import_leads(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import leads from a .csv or .xlsx file (multipart `file`; `dry_run=true` checks without
    writing). Rows go through the same validation as `POST /leads`; rejected rows come back
    with their row number (header = 1), field, reason and original `values` (one per
    `headers` entry). 422 `unreadable_file` when the file cannot be read at all."""
    imports.require_import(request.actor)
    imports.check_size(file.size or 0)
    return imports.lead_import(actor=request.actor, file_name=file.name or "",
                               data=file.read(), dry_run=dry_run).as_dict()


@router.get("/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, response: HttpResponse, lead_id: int):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id)
    response["ETag"] = f'"{lead.version}"'
    return lead


@router.patch("/{lead_id}", response=LeadOut)
def update_lead(request: HttpRequest, lead_id: int, payload: LeadPatch):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    version = expected_version(request, payload.version)
    values, custom = _split(payload)
    return services.lead_update(actor=request.actor, lead=lead, values=values, custom=custom,
                                version=version)


@router.delete("/{lead_id}", response={204: None})
def delete_lead(request: HttpRequest, lead_id: int):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="delete")
    services.lead_delete(actor=request.actor, lead=lead)
    return Status(204, None)


@router.get("/{lead_id}/activities", response=list[ActivityOut])
@paginate(CursorPage)
def list_activities(request: HttpRequest, lead_id: int):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id)
    return selectors.activity_list(actor=request.actor, lead=lead)


@router.post("/{lead_id}/activities", response={201: ActivityOut})
def create_activity(request: HttpRequest, lead_id: int, payload: ActivityIn):
    """A "new" lead becomes "contacted"."""
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    return Status(201, services.activity_create(actor=request.actor, lead=lead,
                                                values=payload.dict()))


@router.post("/{lead_id}/claim", response=LeadOut)
def claim_lead(request: HttpRequest, lead_id: int):
    """Take a pool lead; 409 `not_in_pool` when someone was faster."""
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    return services.lead_claim(actor=request.actor, lead=lead)


@router.post("/{lead_id}/release", response=LeadOut)
def release_lead(request: HttpRequest, lead_id: int, payload: LeadReleaseIn | None = None):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    return services.lead_release(actor=request.actor, lead=lead,
                                 reason=payload.reason if payload else "")


@router.post("/{lead_id}/disqualify", response=LeadOut)
def disqualify_lead(request: HttpRequest, lead_id: int, payload: DisqualifyIn):
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    return services.lead_disqualify(actor=request.actor, lead=lead, reason=payload.reason,
                                    version=payload.version)


@router.post("/{lead_id}/convert", response=ConvertOut)
def convert_lead(request: HttpRequest, lead_id: int, payload: ConvertIn):
    """Customer + contact + opportunity in one step. 409 `duplicate` with `candidates` when the
    customer looks like one you already have: send `existing_customer_id` to attach the lead
    to it, or `create_anyway: true`. 409 `already_converted` the second time."""
    lead = selectors.lead_get(actor=request.actor, lead_id=lead_id, action="edit")
    existing = None
    if payload.existing_customer_id:
        existing = customer_selectors.customer_get(actor=request.actor,
                                                   customer_id=payload.existing_customer_id)
    result = services.lead_convert(
        actor=request.actor, lead=lead, existing_customer=existing,
        create_anyway=payload.create_anyway, create_opportunity=payload.create_opportunity,
        opportunity_name=payload.opportunity_name, amount=payload.amount)
    return {"lead": result.lead, "customer_id": result.customer.pk,
            "contact_id": result.contact.pk if result.contact else None,
            "opportunity_id": result.opportunity.pk if result.opportunity else None,
            "customer_created": result.customer_created}

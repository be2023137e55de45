"""/api/v1/customers: the customer archive over HTTP, with the UI's validation and rules."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kehu.core.audit import selectors as audit_selectors
from kehu.core.audit.api import ChangeRecordOut
from kehu.core.common.api import CursorPage, expected_version
from kehu.core.permissions import scoping
from kehu.customers import exports, selectors, services
from kehu.customers.api.schemas import (
    CountOut,
    CustomerFilter,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    IdsIn,
    split,
)
from kehu.customers.models import Customer, Tag

router = Router(tags=["customers"])


class CandidateOut(Schema):
    customer_id: int
    name: str
    owner: str
    reasons: list[str]


class AssignIn(IdsIn):
    owner_id: int


class TaggingIn(IdsIn):
    tag_ids: list[int]
    remove: bool = False


def filtered(request: HttpRequest, filters: CustomerFilter, action: str = "view"):
    values = filters.dict()
    segment_id = values.pop("segment_id")
    qs = selectors.customer_list(actor=request.actor, action=action, **values)
    if segment_id:
        segment = selectors.segment_get(actor=request.actor, segment_id=segment_id)
        qs = selectors.segment_filter(actor=request.actor, segment=segment, queryset=qs)
    return qs


@router.get("", response=list[CustomerOut])
@paginate(CursorPage)
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]):
    """Customers the caller may see, newest first. `q` searches names (any two characters),
    phones (whole or last four digits) and emails; `pool=true` lists the customer pool."""
    return filtered(request, filters).prefetch_related("tags")


@router.post("", response={201: CustomerOut})
def create_customer(request: HttpRequest, payload: CustomerIn):
    """409 `duplicate` with `candidates` when probable duplicates exist; send
    `confirm_duplicate: true` to create it anyway."""
    values, custom, confirm = split(payload)
    return Status(201, services.customer_create(actor=request.actor, values=values,
                                                custom=custom, allow_duplicates=confirm))


@router.get("/duplicates", response=list[CandidateOut])
def find_duplicates(request: HttpRequest, name: str = "", phone: str = "", email: str = "",
                    website: str = ""):
    """Probable duplicates of these values, before saving."""
    return services.check_duplicates(actor=request.actor, values={
        "name": name, "phone": services.normalize_phone(phone),
        "email": email.strip().lower(), "website": website})


@router.get("/export", response={200: None})
def export_customers(request: HttpRequest, filters: Query[CustomerFilter],
                     format: Literal["csv", "xlsx"] = "csv") -> HttpResponse:
    scoping.require(request.actor, "export", Customer)  # as the page does: 403, not an empty file
    qs = filtered(request, filters, action="export")
    return exports.export_customers(actor=request.actor, queryset=qs, fmt=format)


@router.get("/recycle-bin", response=list[CustomerOut])
@paginate(CursorPage)
def recycle_bin(request: HttpRequest):
    return selectors.customer_list(actor=request.actor, action="delete", deleted=True) \
        .filter(merged_into__isnull=True).prefetch_related("tags")


@router.post("/bulk/assign", response=CountOut)
def bulk_assign(request: HttpRequest, payload: AssignIn):
    return {"count": services.customers_assign(actor=request.actor,
                                               customer_ids=payload.customer_ids,
                                               owner_id=payload.owner_id)}


@router.post("/bulk/delete", response=CountOut)
def bulk_delete(request: HttpRequest, payload: IdsIn):
    return {"count": services.customers_delete(actor=request.actor,
                                               customer_ids=payload.customer_ids)}


@router.post("/bulk/tag", response=CountOut)
def tag_customers(request: HttpRequest, payload: TaggingIn):
    """Add (or with `remove`, take away) tags on customers; returns how many changed."""
    tags = list(Tag.objects.filter(organization=request.actor.organization,
                                   pk__in=payload.tag_ids))
    return {"count": services.customers_tag(actor=request.actor,
                                            customer_ids=payload.customer_ids, tags=tags,
                                            remove=payload.remove)}


@router.get("/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, response: HttpResponse, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    response["ETag"] = f'"{customer.version}"'
    return customer


@router.patch("/{customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="edit")
    version = expected_version(request, payload.version)
    values, custom, confirm = split(payload)
    return services.customer_update(actor=request.actor, customer=customer, values=values,
                                    custom=custom, version=version, allow_duplicates=confirm)


@router.delete("/{customer_id}", response={204: None})
def delete_customer(request: HttpRequest, customer_id: int):
    """Moves the customer to the recycle bin; `POST …/restore` brings it back."""
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="delete")
    services.customer_delete(actor=request.actor, customer=customer)
    return Status(204, None)


@router.post("/{customer_id}/restore", response=CustomerOut)
def restore_customer(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id,
                                      action="delete", deleted=True)
    return services.customer_restore(actor=request.actor, customer=customer)


@router.get("/{customer_id}/history", response=list[ChangeRecordOut])
def customer_history(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return audit_selectors.history_for(actor=request.actor, instance=customer)[:200]

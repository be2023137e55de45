"""/api/v1/quotes: quotes from opportunities, their lines, approval, sending, revisions and
the PDF. Amounts are decimal strings, never floats."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kehu.catalog import selectors as catalog_selectors
from kehu.core.common.api import CursorPage, expected_version
from kehu.customers import selectors as customer_selectors
from kehu.quotes import pdf, selectors, services
from kehu.sales import selectors as sales_selectors

router = Router(tags=["quotes"])

StatusKey = Literal["draft", "pending", "approved", "rejected", "sent", "accepted", "declined",
                    "superseded"]


class QuoteLineOut(Schema):
    id: int
    product_id: int | None
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    position: int


class QuoteOut(Schema):
    id: int
    version: int
    number: str
    revision: int
    supersedes_id: int | None
    opportunity_id: int
    customer_id: int
    contact_id: int | None
    title: str
    status: str
    currency: str
    price_book_id: int | None
    valid_until: datetime.date | None
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    max_discount_percent: Decimal
    terms: str
    notes: str
    owner_id: int | None
    approver_id: int | None
    approval_requested_at: datetime.datetime | None
    approval_decided_at: datetime.datetime | None
    approval_comment: str
    created_at: datetime.datetime


class QuoteDetailOut(QuoteOut):
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(selectors.line_list(quote=obj))


class QuoteFilter(Schema):
    status: StatusKey | None = None
    mine: bool = False
    awaiting_me: bool = False
    customer_id: int | None = None
    opportunity_id: int | None = None
    q: str = ""


class QuoteFields(Schema):
    title: str | None = None
    contact_id: int | None = None
    valid_until: datetime.date | None = None
    terms: str | None = None
    notes: str | None = None


class QuoteIn(QuoteFields):
    opportunity_id: int
    copy_lines: bool = True


class QuotePatch(QuoteFields):
    version: int | None = None


class LineFields(Schema):
    sku: str | None = None
    name: str | None = None
    unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate: Decimal | None = None


class QuoteLineIn(LineFields):
    product_id: int | None = None


class QuoteLinePatch(LineFields):
    product_id: int | None = None


class CommentIn(Schema):
    comment: str = ""


def _header(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    for key in ("version", "opportunity_id", "copy_lines"):
        data.pop(key, None)
    if "contact_id" in data:
        contact_id = data.pop("contact_id")
        data["contact"] = (customer_selectors.contact_get(actor=request.actor,
                                                          contact_id=contact_id)
                           if contact_id else None)
    return data


def _line(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if "product_id" in data:
        product_id = data.pop("product_id")
        data["product"] = (catalog_selectors.product_get(actor=request.actor,
                                                         product_id=product_id)
                           if product_id else None)
    return data


def _get(request: HttpRequest, quote_id: int, action: str = "view"):
    return selectors.quote_get(actor=request.actor, quote_id=quote_id, action=action)


@router.get("", response=list[QuoteOut])
@paginate(CursorPage)
def list_quotes(request: HttpRequest, filters: Query[QuoteFilter]):
    """Quotes the caller may see, newest first; `awaiting_me=true` lists those waiting for
    the caller's approval."""
    values = filters.dict()
    values["status"] = values["status"] or ""
    return selectors.quote_list(actor=request.actor, **values)


@router.post("", response={201: QuoteDetailOut})
def create_quote(request: HttpRequest, payload: QuoteIn):
    """A draft quote for an opportunity (its customer and currency; its product lines are
    copied unless `copy_lines` is false)."""
    opportunity = sales_selectors.opportunity_get(actor=request.actor, pk=payload.opportunity_id)
    return Status(201, services.quote_create(actor=request.actor, opportunity=opportunity,
                                             values=_header(request, payload),
                                             copy_lines=payload.copy_lines))


@router.get("/{quote_id}", response=QuoteDetailOut)
def get_quote(request: HttpRequest, response: HttpResponse, quote_id: int):
    quote = _get(request, quote_id)
    response["ETag"] = f'"{quote.version}"'
    return quote


@router.patch("/{quote_id}", response=QuoteDetailOut)
def update_quote(request: HttpRequest, quote_id: int, payload: QuotePatch):
    quote = _get(request, quote_id, "edit")
    version = expected_version(request, payload.version)
    return services.quote_update(actor=request.actor, quote=quote,
                                 values=_header(request, payload), version=version)


@router.delete("/{quote_id}", response={204: None})
def delete_quote(request: HttpRequest, quote_id: int):
    """Only a first draft can be deleted."""
    services.quote_delete(actor=request.actor, quote=_get(request, quote_id, "delete"))
    return Status(204, None)


@router.get("/{quote_id}/lines", response=list[QuoteLineOut])
def list_lines(request: HttpRequest, quote_id: int):
    return selectors.line_list(quote=_get(request, quote_id))


@router.post("/{quote_id}/lines", response={201: QuoteLineOut})
def add_line(request: HttpRequest, quote_id: int, payload: QuoteLineIn):
    """A product line (name, SKU, unit, tax rate and the customer's price filled in unless
    given) or a free line (`name` and `unit_price`). Editing a submitted quote's lines sends
    it back to draft."""
    quote = _get(request, quote_id, "edit")
    return Status(201, services.line_add(actor=request.actor, quote=quote,
                                         values=_line(request, payload)))


@router.patch("/{quote_id}/lines/{line_id}", response=QuoteLineOut)
def update_line(request: HttpRequest, quote_id: int, line_id: int, payload: QuoteLinePatch):
    quote = _get(request, quote_id, "edit")
    line = selectors.line_get(quote=quote, line_id=line_id)
    return services.line_update(actor=request.actor, quote=quote, line=line,
                                values=_line(request, payload))


@router.delete("/{quote_id}/lines/{line_id}", response={204: None})
def delete_line(request: HttpRequest, quote_id: int, line_id: int):
    quote = _get(request, quote_id, "edit")
    line = selectors.line_get(quote=quote, line_id=line_id)
    services.line_delete(actor=request.actor, quote=quote, line=line)
    return Status(204, None)


@router.post("/{quote_id}/submit", response=QuoteDetailOut)
def submit_quote(request: HttpRequest, quote_id: int):
    """Approved at once when every discount is within the threshold, else `pending` and the
    approver is notified."""
    return services.quote_submit(actor=request.actor, quote=_get(request, quote_id, "edit"))


@router.post("/{quote_id}/approve", response=QuoteDetailOut)
def approve_quote(request: HttpRequest, quote_id: int, payload: CommentIn):
    """Only the quote's approver (or an admin when none is set) may decide: else 403."""
    return services.quote_approve(actor=request.actor, quote=_get(request, quote_id),
                                  comment=payload.comment)


@router.post("/{quote_id}/reject", response=QuoteDetailOut)
def reject_quote(request: HttpRequest, quote_id: int, payload: CommentIn):
    return services.quote_reject(actor=request.actor, quote=_get(request, quote_id),
                                 comment=payload.comment)


@router.post("/{quote_id}/send", response=QuoteDetailOut)
def send_quote(request: HttpRequest, quote_id: int):
    return services.quote_send(actor=request.actor, quote=_get(request, quote_id, "edit"))


@router.post("/{quote_id}/accept", response=QuoteDetailOut)
def accept_quote(request: HttpRequest, quote_id: int):
    return services.quote_accept(actor=request.actor, quote=_get(request, quote_id, "edit"))


@router.post("/{quote_id}/decline", response=QuoteDetailOut)
def decline_quote(request: HttpRequest, quote_id: int):
    return services.quote_decline(actor=request.actor, quote=_get(request, quote_id, "edit"))


@router.post("/{quote_id}/revise", response={201: QuoteDetailOut})
def revise_quote(request: HttpRequest, quote_id: int):
    """A new draft revision (number `<first number>-N`); this one becomes `superseded`."""
    return Status(201, services.quote_revise(actor=request.actor,
                                             quote=_get(request, quote_id, "edit")))


@router.get("/{quote_id}/pdf", response={200: None})
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The printable quote as application/pdf, in the caller's language."""
    quote = _get(request, quote_id)
    content = pdf.build_pdf(quote=quote, settings=selectors.settings_get(
        organization=request.actor.organization))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response

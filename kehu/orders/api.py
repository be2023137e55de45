"""/api/v1/orders: orders and contracts, payment plans, payments, invoices, attachments and
per-customer money summaries."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage, expected_version
from kehu.core.permissions import scoping
from kehu.customers import selectors as customer_selectors
from kehu.orders import selectors, services
from kehu.orders.models import Order
from kehu.quotes.models import Quote
from kehu.sales import selectors as sales_selectors

router = Router(tags=["orders"])

StatusName = Literal["draft", "signed", "completed", "cancelled"]
MethodName = Literal["bank", "cash", "alipay", "wechat", "cheque", "bill", "other"]
KindName = Literal["vat_special", "vat_normal", "electronic", "other"]


class OrderLineOut(Schema):
    id: int
    product_id: int | None
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    total: Decimal


class InstalmentOut(Schema):
    id: int
    order_id: int
    sequence: int
    due_on: date
    amount: Decimal
    collected_amount: Decimal
    outstanding_amount: Decimal
    notes: str


class PaymentOut(Schema):
    id: int
    order_id: int
    instalment_id: int | None
    amount: Decimal
    currency: str
    received_on: date
    method: str
    reference: str
    notes: str
    recorded_by_id: int | None


class InvoiceOut(Schema):
    id: int
    order_id: int
    number: str
    kind: str
    amount: Decimal
    issued_on: date
    notes: str


class OrderAttachmentOut(Schema):
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
        return f"/api/v1/orders/attachments/{obj.pk}"


class OrderOut(Schema):
    id: int
    version: int
    number: str
    title: str
    customer_id: int
    opportunity_id: int | None
    quote_id: int | None
    status: str
    signed_on: date | None
    starts_on: date | None
    ends_on: date | None
    currency: str
    amount: Decimal
    collected_amount: Decimal
    outstanding_amount: Decimal
    invoiced_amount: Decimal
    owner_id: int | None
    notes: str
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data


class OrderDetailOut(OrderOut):
    """An order with its lines, plan, payments, invoices and attachments."""

    lines: list[OrderLineOut]
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]
    invoices: list[InvoiceOut]
    attachments: list[OrderAttachmentOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return obj.detail["lines"]

    @staticmethod
    def resolve_instalments(obj) -> list:
        return obj.detail["instalments"]

    @staticmethod
    def resolve_payments(obj) -> list:
        return obj.detail["payments"]

    @staticmethod
    def resolve_invoices(obj) -> list:
        return obj.detail["invoices"]

    @staticmethod
    def resolve_attachments(obj) -> list:
        return obj.detail["attachments"]


class OrderLineIn(Schema):
    product_id: int | None = None
    sku: str = ""
    name: str
    unit: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


class OrderFields(Schema):
    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class OrderIn(OrderFields):
    """Give one of `opportunity_id` (a won opportunity), `quote_id` (an accepted quote) or
    `customer_id` (with `amount` or `lines`)."""

    customer_id: int | None = None
    opportunity_id: int | None = None
    quote_id: int | None = None
    currency: str | None = None
    amount: Decimal | None = None
    lines: list[OrderLineIn] | None = None


class OrderPatch(OrderFields):
    status: StatusName | None = None
    signed_on: date | None = None
    currency: str | None = None
    amount: Decimal | None = None
    version: int | None = None


class OrderFilter(Schema):
    status: StatusName | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    mine: bool = False
    q: str = ""


class InstalmentIn(Schema):
    due_on: date
    amount: Decimal
    sequence: int | None = None
    notes: str = ""


class SplitIn(Schema):
    count: int
    first_due_on: date
    interval_months: int = 1


class PaymentIn(Schema):
    amount: Decimal
    received_on: date | None = None
    method: MethodName = "bank"
    reference: str = ""
    notes: str = ""
    instalment_id: int | None = None
    allow_overpayment: bool = False


class InvoiceIn(Schema):
    number: str
    kind: KindName = "vat_special"
    amount: Decimal
    issued_on: date | None = None
    notes: str = ""


class SummaryOut(Schema):
    customer_id: int
    count: int
    amount: Decimal
    collected: Decimal
    outstanding: Decimal
    invoiced: Decimal
    last_signed_on: date | None


class OverdueOut(InstalmentOut):
    order_number: str
    customer_id: int
    owner_id: int | None

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_customer_id(obj) -> int:
        return obj.order.customer_id

    @staticmethod
    def resolve_owner_id(obj) -> int | None:
        return obj.order.owner_id


def _detail(request: HttpRequest, order: Order) -> Order:
    actor = request.actor
    order.refresh_from_db()
    order.detail = {
        "lines": list(selectors.line_list(actor=actor, order=order)),
        "instalments": list(selectors.instalment_list(actor=actor, order=order)),
        "payments": list(selectors.payment_list(actor=actor, order=order)),
        "invoices": list(selectors.invoice_list(actor=actor, order=order)),
        "attachments": list(selectors.attachment_list(actor=actor, order=order))}
    return order


def _split(payload: Schema) -> tuple[dict[str, Any], dict[str, Any] | None]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data, data.pop("custom", None)


@router.get("", response=list[OrderOut])
@paginate(CursorPage)
def list_orders(request: HttpRequest, filters: Query[OrderFilter]):
    """Orders the caller may see, newest first."""
    owner_id = request.actor.user.pk if filters.mine else filters.owner_id
    return selectors.order_list(actor=request.actor, status=filters.status or "",
                                owner_id=owner_id, customer_id=filters.customer_id,
                                q=filters.q)


@router.post("", response={201: OrderDetailOut})
def create_order(request: HttpRequest, payload: OrderIn):
    actor = request.actor
    values, custom = _split(payload)
    for key in ("customer_id", "opportunity_id", "quote_id"):
        values.pop(key, None)
    lines = values.pop("lines", None)
    extra = {k: v for k, v in values.items() if v is not None}
    if payload.opportunity_id:
        opportunity = sales_selectors.opportunity_get(actor=actor, pk=payload.opportunity_id)
        order = services.order_create_from_opportunity(actor=actor, opportunity=opportunity,
                                                       values=extra)
    elif payload.quote_id:
        quote = scoping.get_visible(actor, Quote.objects.select_related("customer"),
                                    payload.quote_id)
        order = services.order_create_from_quote(actor=actor, quote=quote, values=extra)
    else:
        customer = (customer_selectors.customer_get(actor=actor,
                                                    customer_id=payload.customer_id)
                    if payload.customer_id else None)
        order = services.order_create(
            actor=actor, values={**extra, "customer": customer}, custom=custom,
            lines=list(lines or []))
    return Status(201, _detail(request, order))


@router.get("/overdue", response=list[OverdueOut])
@paginate(CursorPage)
def list_overdue(request: HttpRequest, mine: bool = False):
    """Instalments due before today and not fully paid, oldest first."""
    return selectors.overdue_instalments(actor=request.actor,
                                         owner_id=request.actor.user.pk if mine else None)


@router.get("/customers/{customer_id}/summary", response=SummaryOut)
def customer_summary(request: HttpRequest, customer_id: int):
    """Signed and completed orders of the customer: amount, collected, outstanding."""
    customer = customer_selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return selectors.customer_summary(actor=request.actor, customer_id=customer.pk)


@router.get("/{order_id}", response=OrderDetailOut)
def get_order(request: HttpRequest, response: HttpResponse, order_id: int):
    order = selectors.order_get(actor=request.actor, pk=order_id)
    response["ETag"] = f'"{order.version}"'
    return _detail(request, order)


@router.patch("/{order_id}", response=OrderDetailOut)
def update_order(request: HttpRequest, order_id: int, payload: OrderPatch):
    """Edit, or move along draft → signed (needs `signed_on`) → completed / cancelled."""
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    version = expected_version(request, payload.version)
    values, custom = _split(payload)
    order = services.order_update(actor=request.actor, order=order, values=values,
                                  custom=custom, version=version)
    return _detail(request, order)


@router.delete("/{order_id}", response={204: None})
def delete_order(request: HttpRequest, order_id: int):
    order = selectors.order_get(actor=request.actor, pk=order_id, action="delete")
    services.order_delete(actor=request.actor, order=order)
    return Status(204, None)


@router.post("/{order_id}/instalments", response={201: InstalmentOut})
def create_instalment(request: HttpRequest, order_id: int, payload: InstalmentIn):
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    return Status(201, services.instalment_create(actor=request.actor, order=order,
                                                  values=payload.dict()))


@router.post("/{order_id}/instalments/split", response={201: list[InstalmentOut]})
def split_instalments(request: HttpRequest, order_id: int, payload: SplitIn):
    """Replace the plan by `count` equal instalments (the last takes the rounding rest)."""
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    return Status(201, services.instalments_split(actor=request.actor, order=order,
                                                  **payload.dict()))


@router.delete("/instalments/{instalment_id}", response={204: None})
def delete_instalment(request: HttpRequest, instalment_id: int):
    instalment = selectors.instalment_get(actor=request.actor, pk=instalment_id, action="edit")
    services.instalment_delete(actor=request.actor, instalment=instalment)
    return Status(204, None)


@router.post("/{order_id}/payments", response={201: PaymentOut})
def create_payment(request: HttpRequest, order_id: int, payload: PaymentIn):
    """409 `overpayment` when the amount is above what is outstanding; send
    `allow_overpayment: true` to record it anyway."""
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    values = payload.dict()
    allow = values.pop("allow_overpayment")
    return Status(201, services.payment_create(actor=request.actor, order=order, values=values,
                                               allow_overpayment=allow))


@router.delete("/payments/{payment_id}", response={204: None})
def delete_payment(request: HttpRequest, payment_id: int):
    payment = selectors.payment_get(actor=request.actor, pk=payment_id, action="edit")
    services.payment_delete(actor=request.actor, payment=payment)
    return Status(204, None)


@router.post("/{order_id}/invoices", response={201: InvoiceOut})
def create_invoice(request: HttpRequest, order_id: int, payload: InvoiceIn):
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    return Status(201, services.invoice_create(actor=request.actor, order=order,
                                               values=payload.dict()))


@router.delete("/invoices/{invoice_id}", response={204: None})
def delete_invoice(request: HttpRequest, invoice_id: int):
    invoice = selectors.invoice_get(actor=request.actor, pk=invoice_id, action="edit")
    services.invoice_delete(actor=request.actor, invoice=invoice)
    return Status(204, None)


@router.post("/{order_id}/attachments", response={201: list[OrderAttachmentOut]})
def upload_attachments(request: HttpRequest, order_id: int,
                       files: File[list[UploadedFile]] = None):
    """Multipart form with one or more `files` (contract scans, PDFs, office documents)."""
    order = selectors.order_get(actor=request.actor, pk=order_id, action="edit")
    return Status(201, services.attachments_add(actor=request.actor, order=order,
                                                files=files or []))


@router.get("/attachments/{attachment_id}", response={200: None})
def download_attachment(request: HttpRequest, attachment_id: int):
    attachment = selectors.attachment_get(actor=request.actor, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


@router.delete("/attachments/{attachment_id}", response={204: None})
def delete_attachment(request: HttpRequest, attachment_id: int):
    attachment = selectors.attachment_get(actor=request.actor, pk=attachment_id, action="edit")
    services.attachment_delete(actor=request.actor, attachment=attachment)
    return Status(204, None)

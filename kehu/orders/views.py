"""Order pages: the list, creating an order (directly, from a won opportunity or an accepted
quote), the detail page with its payment plan, payments, invoices and attachments (each added
inline through htmx; invalid input comes back with 422), and the overdue instalments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.common import htmx
from kehu.core.common.api import keyset_page
from kehu.core.common.errors import DomainError, PermissionDeniedError, StaleWrite
from kehu.core.common.htmx import is_htmx, trigger
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.orders import forms as order_forms
from kehu.orders import selectors, services
from kehu.orders.models import Order
from kehu.quotes.models import Quote
from kehu.sales import selectors as sales_selectors
from kehu.web.decorators import member_required
from kehu.web.forms import add_service_errors

OBJECT_TYPE = "orders.order"
PAGE_SIZE = 50
CUSTOMER_CHOICES = 300
CHANGED = "order-changed"


def _can(actor: Actor) -> dict[str, bool]:
    return {action: actor.can(action, OBJECT_TYPE)
            for action in ("view", "create", "edit", "delete", "assign")}


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, f"orders/{template}",
                  {"nav_section": "orders", "can": _can(request.actor), **context},
                  status=status)


def _get(actor: Actor, order_id: int, action: str = "view") -> Order:
    try:
        return selectors.order_get(actor=actor, pk=order_id, action=action)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _add_error(form: forms.Form, exc: DomainError | ValidationError,
               field: str | None = None) -> None:
    if isinstance(exc, DomainError) and field:
        form.add_error(field, exc.message)
    else:
        add_service_errors(form, exc)


# ---------------------------------------------------------------------------------------------
# list


@member_required
@require_GET
def order_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    scoping.require(actor, "view", Order)
    form = order_forms.OrderFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    customer = None
    if data.get("customer"):
        customer = customer_selectors.customer_get(actor=actor, customer_id=data["customer"])
    qs = selectors.order_list(actor=actor, status=data.get("status") or "",
                              owner_id=actor.user.pk if data.get("mine") else None,
                              customer_id=customer.pk if customer else None,
                              q=(data.get("q") or "").strip())
    cursor = request.GET.get("cursor") or None
    try:
        page = keyset_page(qs, cursor, PAGE_SIZE)
    except DomainError:
        page, cursor = keyset_page(qs, None, PAGE_SIZE), None
    context = {"form": form, "orders": page["items"], "next_cursor": page["next_cursor"],
               "is_first_page": cursor is None, "customer": customer,
               "is_filtered": any(data.get(k) for k in ("q", "status", "mine", "customer"))}
    if is_htmx(request) and request.headers.get("HX-Target") == "order-results":
        return _render(request, "_rows.html", context)
    return _render(request, "list.html", context)


@member_required
@require_GET
def overdue_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    scoping.require(actor, "view", Order)
    mine = request.GET.get("mine") == "1"
    rows = list(selectors.overdue_instalments(
        actor=actor, owner_id=actor.user.pk if mine else None)[:500])
    today = timezone.localdate()
    return _render(request, "overdue.html", {
        "rows": [{"instalment": i, "days": (today - i.due_on).days} for i in rows],
        "mine": mine, "truncated": len(rows) == 500})


# ---------------------------------------------------------------------------------------------
# create and edit


def _source(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    """Where a new order comes from: ?opportunity=<id>, ?quote=<id> or ?customer=<id>."""
    params = request.GET
    if params.get("opportunity"):
        opportunity = sales_selectors.opportunity_get(actor=actor, pk=params["opportunity"])
        return {"kind": "opportunity", "opportunity": opportunity,
                "customer": opportunity.customer, "title": opportunity.name,
                "amount": opportunity.amount, "currency": opportunity.currency}
    if params.get("quote"):
        quote = scoping.get_visible(actor, Quote.objects.select_related("customer"),
                                    params["quote"])
        return {"kind": "quote", "quote": quote, "customer": quote.customer,
                "title": quote.title, "amount": quote.total, "currency": quote.currency}
    if params.get("customer"):
        customer = customer_selectors.customer_get(actor=actor, customer_id=params["customer"])
        return {"kind": "", "customer": customer}
    return {"kind": ""}


def _customer_choices(actor: Actor) -> list[tuple[int, str]]:
    qs = customer_selectors.customer_list(actor=actor).order_by("name")
    return list(qs.values_list("pk", "name")[:CUSTOMER_CHOICES])


@member_required
@require_http_methods(["GET", "POST"])
def order_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    scoping.require(actor, "create", Order)
    source = _source(request, actor)
    fixed_customer = source.get("customer")
    choices = None if fixed_customer else _customer_choices(actor)
    initial = {"title": source.get("title", ""),
               "currency": source.get("currency", actor.organization.default_currency)}
    form = order_forms.OrderForm(request.POST or None, customers=choices,
                                 source=source["kind"], initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.values()
            try:
                if source["kind"] == "opportunity":
                    order = services.order_create_from_opportunity(
                        actor=actor, opportunity=source["opportunity"], values=values)
                elif source["kind"] == "quote":
                    order = services.order_create_from_quote(actor=actor, quote=source["quote"],
                                                             values=values)
                else:
                    customer = fixed_customer or customer_selectors.customer_get(
                        actor=actor, customer_id=form.cleaned_data["customer"])
                    order = services.order_create(actor=actor,
                                                  values={**values, "customer": customer})
            except (DomainError, ValidationError) as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Order %(number)s created.")
                                 % {"number": order.number})
                return redirect("orders:order-detail", order.pk)
        status = 422
    return _render(request, "form.html", {"form": form, "source": source,
                                          "action": request.get_full_path()}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def order_edit_page(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    initial = {"title": order.title, "currency": order.currency, "amount": order.amount,
               "starts_on": order.starts_on, "ends_on": order.ends_on, "notes": order.notes,
               "version": order.version}
    form = order_forms.OrderForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.order_update(actor=actor, order=order, values=form.values(),
                                      version=form.cleaned_data.get("version"))
            except StaleWrite as exc:
                form.add_error(None, exc.message)
                return _render(request, "form.html", {"form": form, "order": order,
                                                      "action": request.path}, status=409)
            except (DomainError, ValidationError) as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Order saved."))
                return redirect("orders:order-detail", order.pk)
        status = 422
    return _render(request, "form.html", {"form": form, "order": order,
                                          "action": request.path}, status=status)


@member_required
@require_POST
def order_status(request: HttpRequest, order_id: int) -> HttpResponse:
    """Sign (with the signing date), complete or cancel."""
    actor = request.actor
    order = _get(actor, order_id, "edit")
    target = request.POST.get("status", "")
    form = order_forms.SignForm(request.POST)
    signed_on = form.cleaned_data["signed_on"] if form.is_valid() else None
    try:
        services.order_set_status(actor=actor, order=order, status=target, signed_on=signed_on,
                                  version=_int(request.POST.get("version")))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order status: %(status)s.")
                         % {"status": Order.Status(target).label})
    return _back(request, order)


@member_required
@require_POST
def order_delete(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "delete")
    try:
        services.order_delete(actor=actor, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, order)
    messages.success(request, _("Order %(number)s deleted.") % {"number": order.number})
    return htmx.redirect(request, "orders:order-list")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _back(request: HttpRequest, order: Order) -> HttpResponse:
    return htmx.redirect(request, "orders:order-detail", order.pk)


# ---------------------------------------------------------------------------------------------
# detail and its inline sections


def _money_context(actor: Actor, order: Order, **bound: forms.Form) -> dict[str, Any]:
    today = timezone.localdate()
    instalments = list(selectors.instalment_list(actor=actor, order=order))
    for instalment in instalments:
        instalment.is_overdue = (instalment.due_on < today
                                 and instalment.outstanding_amount > 0
                                 and order.status in selectors.WON_STATUSES)
    planned = sum((i.amount for i in instalments), order.amount * 0)
    return {
        "order": order, "today": today, "instalments": instalments,
        "planned": planned, "unplanned": order.amount - planned,
        "payments": list(selectors.payment_list(actor=actor, order=order)),
        "invoices": list(selectors.invoice_list(actor=actor, order=order)),
        "instalment_form": bound.get("instalment_form") or order_forms.InstalmentForm(),
        "split_form": bound.get("split_form") or order_forms.SplitForm(),
        "payment_form": bound.get("payment_form") or order_forms.PaymentForm(
            instalments=instalments, initial={"received_on": today}),
        "invoice_form": bound.get("invoice_form") or order_forms.InvoiceForm(
            initial={"issued_on": today}),
        "open_form": bound.get("open_form", ""),
    }


def _attachments_context(actor: Actor, order: Order,
                         form: forms.Form | None = None) -> dict[str, Any]:
    return {"order": order, "attachments": list(selectors.attachment_list(actor=actor,
                                                                          order=order)),
            "attachment_form": form or order_forms.AttachmentForm()}


@member_required
@require_GET
def order_detail_page(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id)
    return _render(request, "detail.html", {
        "lines": list(selectors.line_list(actor=actor, order=order)),
        **_money_context(actor, order), **_attachments_context(actor, order)})


@member_required
@require_GET
def order_money_section(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _get(request.actor, order_id)
    return _render(request, "_money.html", _money_context(request.actor, order))


def _money_response(request: HttpRequest, order_id: int, ok: bool,
                    **bound: forms.Form) -> HttpResponse:
    """After an inline write: the refreshed money section (or the full page without htmx)."""
    order = _get(request.actor, order_id)
    if not is_htmx(request):
        if ok:
            return redirect("orders:order-detail", order.pk)
        for form in bound.values():
            if isinstance(form, forms.Form):
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
        return redirect("orders:order-detail", order.pk)
    response = _render(request, "_money.html", _money_context(request.actor, order, **bound),
                       status=200 if ok else 422)
    return trigger(response, CHANGED) if ok else response


def _inline_write(request: HttpRequest, order_id: int, form_key: str, form: forms.Form,
                  write, field: str | None = None) -> HttpResponse:
    if form.is_valid():
        try:
            write(form)
        except (DomainError, ValidationError) as exc:
            _add_error(form, exc, field)
        else:
            return _money_response(request, order_id, True)
    return _money_response(request, order_id, False, **{form_key: form, "open_form": form_key})


@member_required
@require_POST
def instalment_create(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    return _inline_write(
        request, order_id, "instalment_form", order_forms.InstalmentForm(request.POST),
        lambda f: services.instalment_create(actor=actor, order=order, values=f.cleaned_data))


@member_required
@require_POST
def instalment_split(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    return _inline_write(
        request, order_id, "split_form", order_forms.SplitForm(request.POST),
        lambda f: services.instalments_split(actor=actor, order=order, **f.cleaned_data),
        field="count")


@member_required
@require_POST
def instalment_delete(request: HttpRequest, instalment_id: int) -> HttpResponse:
    actor = request.actor
    instalment = selectors.instalment_get(actor=actor, pk=instalment_id, action="edit")
    try:
        services.instalment_delete(actor=actor, instalment=instalment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, instalment.order)
    return _money_response(request, instalment.order_id, True)


@member_required
@require_POST
def payment_create(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    instalments = list(selectors.instalment_list(actor=actor, order=order))
    form = order_forms.PaymentForm(request.POST, instalments=instalments)
    return _inline_write(
        request, order_id, "payment_form", form,
        lambda f: services.payment_create(
            actor=actor, order=order, values=f.values(),
            allow_overpayment=f.cleaned_data.get("allow_overpayment", False)),
        field="amount")


@member_required
@require_POST
def payment_delete(request: HttpRequest, payment_id: int) -> HttpResponse:
    actor = request.actor
    payment = selectors.payment_get(actor=actor, pk=payment_id, action="edit")
    services.payment_delete(actor=actor, payment=payment)
    return _money_response(request, payment.order_id, True)


@member_required
@require_POST
def invoice_create(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    return _inline_write(
        request, order_id, "invoice_form", order_forms.InvoiceForm(request.POST),
        lambda f: services.invoice_create(actor=actor, order=order, values=f.cleaned_data))


@member_required
@require_POST
def invoice_delete(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = request.actor
    invoice = selectors.invoice_get(actor=actor, pk=invoice_id, action="edit")
    services.invoice_delete(actor=actor, invoice=invoice)
    return _money_response(request, invoice.order_id, True)


def _attachments_response(request: HttpRequest, order: Order, form: forms.Form | None = None,
                          status: int = 200) -> HttpResponse:
    if not is_htmx(request):
        if form is not None and form.errors:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("orders:order-detail", order.pk)
    return _render(request, "_attachments.html",
                   _attachments_context(request.actor, order, form), status=status)


@member_required
@require_POST
def attachment_upload(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request.actor
    order = _get(actor, order_id, "edit")
    form = order_forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachments_add(actor=actor, order=order,
                                     files=form.cleaned_data["files"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _attachments_response(request, order)
    if not form.errors:
        form.add_error("files", _("Choose a file."))
    return _attachments_response(request, order, form, status=422)


@member_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get(actor=request.actor, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not attachment.is_image,
                            filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if attachment.is_image:
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


@member_required
@require_POST
def attachment_delete(request: HttpRequest, attachment_id: int) -> HttpResponse:
    actor = request.actor
    attachment = selectors.attachment_get(actor=actor, pk=attachment_id, action="edit")
    order = attachment.order
    services.attachment_delete(actor=actor, attachment=attachment)
    return _attachments_response(request, order)

"""Quote pages: the list, creating from an opportunity, the detail page with its HTMX line
editor and the life-cycle buttons, the printable page, the PDF and the admin settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.catalog import selectors as catalog_selectors
from kehu.core.accounts import selectors as account_selectors
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.htmx import is_htmx, trigger
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.quotes import pdf, selectors, services
from kehu.quotes.forms import (
    DecisionForm,
    LineForm,
    QuoteCreateForm,
    QuoteFilterForm,
    QuoteHeaderForm,
    QuoteSettingsForm,
)
from kehu.quotes.models import Quote, QuoteLine
from kehu.sales import selectors as sales_selectors
from kehu.web.decorators import admin_required, member_required
from kehu.web.forms import add_service_errors

OBJECT_TYPE = "quotes.quote"
PAGE_SIZE = 50
CHANGED = "quote-changed"
S = Quote.Status


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, f"quotes/{template}", {"nav_section": "quotes", **context},
                  status=status)


def _save(form, write) -> tuple[Any, int]:
    if not form.is_valid():
        return None, 422
    try:
        return write(), 200
    except PermissionDeniedError:
        raise
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 422
    except DomainError as exc:
        add_service_errors(form, exc)
        return None, exc.status


def _can(actor: Actor, quote: Quote | None = None) -> dict[str, Any]:
    edit = actor.can("edit", OBJECT_TYPE)
    allowed: dict[str, Any] = {"create": actor.can("create", OBJECT_TYPE), "edit": edit,
                               "admin": actor.is_admin}
    if quote is not None:
        latest = quote.status != S.SUPERSEDED and selectors.is_latest(quote)
        st = quote.status
        allowed.update(
            lines=edit and latest and st in services.LINES_EDITABLE,
            submit=edit and latest and st in (S.DRAFT, S.REJECTED),
            decide=st == S.PENDING_APPROVAL and selectors.can_decide(actor=actor, quote=quote),
            send=edit and latest and st == S.APPROVED,
            answer=edit and latest and st == S.SENT,
            revise=edit and latest and st != S.ACCEPTED,
            delete=actor.can("delete", OBJECT_TYPE) and st == S.DRAFT and quote.revision == 1)
    return allowed


def _products(actor: Actor) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.name} ({p.sku})")
            for p in catalog_selectors.product_list(actor=actor, active=True)]


def _line_form(request: HttpRequest, actor: Actor, line: QuoteLine | None = None,
               data=None) -> LineForm:
    initial = {"quantity": 1}
    prefix = f"line-{line.pk}" if line else "new"
    if line is not None:
        initial = {f: getattr(line, f) for f in ("name", "quantity", "unit", "unit_price",
                                                 "discount_percent", "tax_rate")}
        initial["product"] = line.product_id
    products = _products(actor)
    if line is not None and line.product_id and line.product_id not in {p for p, _n in products}:
        products.append((line.product_id, f"{line.name} ({line.sku})"))  # deactivated since
    return LineForm(data, initial=initial, prefix=prefix, products=products)


def _detail_context(request: HttpRequest, actor: Actor, quote: Quote, **extra: Any) -> dict:
    lines = list(selectors.line_list(quote=quote))
    return {"quote": quote, "lines": lines, "can": _can(actor, quote),
            "line_form": extra.pop("line_form", None) or _line_form(request, actor),
            "decision_form": extra.pop("decision_form", None) or DecisionForm(),
            "settings": selectors.settings_get(organization=actor.organization), **extra}


# -- list and create ---------------------------------------------------------------------------

@member_required
def quote_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = QuoteFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {"q": form.cleaned_data["q"], "status": form.cleaned_data["status"],
                   "mine": form.cleaned_data["mine"],
                   "awaiting_me": form.cleaned_data["awaiting"]}
    qs = selectors.quote_list(actor=actor, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "quotes": page.object_list, "can": _can(actor),
               "awaiting_count": selectors.awaiting_count(actor=actor)}
    if is_htmx(request) and request.headers.get("HX-Target") == "quote-results":
        return _render(request, "_quote_rows.html", context)
    return _render(request, "list.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def quote_create_page(request: HttpRequest) -> HttpResponse:
    """Pick an opportunity (or come with ?opportunity=<id> from its page)."""
    actor = request.actor
    scoping.require(actor, "create", Quote)  # the form is no use to who may not create
    opportunities = [(o.pk, f"{o.name} · {o.customer.name}")
                     for o in sales_selectors.opportunity_list(actor=actor)
                     .filter(status="open")[:500]]
    preset = request.GET.get("opportunity")
    form = QuoteCreateForm(request.POST if request.method == "POST" else None,
                           initial={"opportunity": preset, "copy_lines": True},
                           opportunities=opportunities)
    if preset and preset.isdigit() and int(preset) not in {pk for pk, _label in opportunities}:
        opportunity = sales_selectors.opportunity_get(actor=actor, pk=preset)
        form.fields["opportunity"].choices.append(
            (opportunity.pk, f"{opportunity.name} · {opportunity.customer.name}"))
    status = 200
    if request.method == "POST":
        quote, status = _save(form, lambda: services.quote_create(
            actor=actor, opportunity=sales_selectors.opportunity_get(
                actor=actor, pk=form.cleaned_data["opportunity"]),
            copy_lines=form.cleaned_data["copy_lines"]))
        if quote is not None:
            messages.success(request, _("Quote %(number)s created.") % {"number": quote.number})
            return redirect("quotes:quote-detail", quote.pk)
    return _render(request, "create.html", {"form": form}, status=status)


# -- detail, header, lines ---------------------------------------------------------------------

@member_required
def quote_detail_page(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    context = _detail_context(request, actor, quote,
                              revisions=selectors.revisions(actor=actor, quote=quote))
    if request.GET.get("part") == "summary":
        return _render(request, "_summary.html", context)
    return _render(request, "detail.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def quote_edit_page(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id, action="edit")
    contacts = [(c.pk, c.name) for c in customer_selectors.contact_list(
        actor=actor, customer=quote.customer)]
    form = QuoteHeaderForm(
        request.POST if request.method == "POST" else None, contacts=contacts,
        initial={"version": quote.version, "title": quote.title, "contact": quote.contact_id,
                 "valid_until": quote.valid_until, "terms": quote.terms, "notes": quote.notes})
    status = 200
    if request.method == "POST":
        def write():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            contact_id = values.pop("contact")
            values["contact"] = (customer_selectors.contact_get(actor=actor,
                                                                contact_id=contact_id)
                                 if contact_id else None)
            return services.quote_update(actor=actor, quote=quote, values=values,
                                         version=form.cleaned_data.get("version"))

        saved, status = _save(form, write)
        if saved is not None:
            messages.success(request, _("Quote saved."))
            return redirect("quotes:quote-detail", quote.pk)
    return _render(request, "edit.html", {"form": form, "quote": quote}, status=status)


def _lines_response(request: HttpRequest, actor: Actor, quote: Quote,
                    status: int = 200, **extra: Any) -> HttpResponse:
    quote = selectors.quote_get(actor=actor, quote_id=quote.pk)
    response = _render(request, "_lines.html", _detail_context(request, actor, quote, **extra),
                       status=status)
    return trigger(response, CHANGED) if status == 200 else response


def _product_of(actor: Actor, form: LineForm):
    product_id = form.cleaned_data.get("product")
    return catalog_selectors.product_get(actor=actor, product_id=product_id) \
        if product_id else None


@member_required
@require_POST
def line_add(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id, action="edit")
    form = _line_form(request, actor, data=request.POST)
    saved, status = _save(form, lambda: services.line_add(
        actor=actor, quote=quote, values=form.values(_product_of(actor, form))))
    if not is_htmx(request):
        if saved is None:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" if k != "__all__"
                                              else " ".join(v) for k, v in form.errors.items()))
        return redirect("quotes:quote-detail", quote.pk)
    if saved is None:
        return _lines_response(request, actor, quote, status=status, line_form=form)
    return _lines_response(request, actor, quote)


@member_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, quote_id: int, line_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id, action="edit")
    line = selectors.line_get(quote=quote, line_id=line_id)
    form = _line_form(request, actor, line, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.line_update(
            actor=actor, quote=quote, line=line, values=form.values(_product_of(actor, form))))
        if saved is not None:
            if is_htmx(request):
                return _lines_response(request, actor, quote)
            return redirect("quotes:quote-detail", quote.pk)
    context = {"quote": quote, "line": line, "form": form}
    if is_htmx(request):
        return _render(request, "_line_form_row.html", context, status=status)
    return _render(request, "line_edit.html", context, status=status)


@member_required
@require_POST
def line_delete(request: HttpRequest, quote_id: int, line_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id, action="edit")
    line = selectors.line_get(quote=quote, line_id=line_id)
    try:
        services.line_delete(actor=actor, quote=quote, line=line)
    except DomainError as exc:
        if isinstance(exc, PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    if is_htmx(request):
        return _lines_response(request, actor, quote)
    return redirect("quotes:quote-detail", quote.pk)


# -- life cycle --------------------------------------------------------------------------------

ACTIONS = {
    "submit": (services.quote_submit, "edit"),
    "send": (services.quote_send, "edit"),
    "accept": (services.quote_accept, "edit"),
    "decline": (services.quote_decline, "edit"),
    "revise": (services.quote_revise, "edit"),
}


def _done_message(action: str, quote: Quote) -> str:
    return {
        "submit": _("Quote approved.") if quote.status == S.APPROVED
        else _("Quote sent for approval."),
        "send": _("Quote marked as sent."),
        "accept": _("Quote marked as accepted."),
        "decline": _("Quote marked as declined."),
        "revise": _("Revision %(number)s created.") % {"number": quote.number},
        "approve": _("Quote approved."),
        "reject": _("Quote rejected."),
    }[action]


@member_required
@require_POST
def quote_action(request: HttpRequest, quote_id: int, action: str) -> HttpResponse:
    """submit / send / accept / decline / revise / approve / reject (with a comment)."""
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    try:
        if action in ACTIONS:
            service, permission = ACTIONS[action]
            quote = selectors.quote_get(actor=actor, quote_id=quote_id, action=permission)
            quote = service(actor=actor, quote=quote)
        elif action in ("approve", "reject"):
            form = DecisionForm(request.POST)
            form.is_valid()
            service = services.quote_approve if action == "approve" else services.quote_reject
            quote = service(actor=actor, quote=quote, comment=form.cleaned_data.get("comment",
                                                                                    ""))
        else:
            return HttpResponse(status=404)
        messages.success(request, _done_message(action, quote))
    except PermissionDeniedError:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("quotes:quote-detail", quote.pk)


@member_required
@require_POST
def quote_delete(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id, action="delete")
    try:
        services.quote_delete(actor=actor, quote=quote)
    except DomainError as exc:
        if isinstance(exc, PermissionDeniedError):
            raise
        messages.error(request, exc.message)
        return redirect("quotes:quote-detail", quote.pk)
    messages.success(request, _("Quote %(number)s deleted.") % {"number": quote.number})
    return redirect("quotes:quote-list")


# -- print, PDF, settings ----------------------------------------------------------------------

@member_required
def quote_print_page(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    return _render(request, "print.html", {
        "quote": quote, "lines": list(selectors.line_list(quote=quote)),
        "settings": selectors.settings_get(organization=actor.organization)})


@member_required
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = request.actor
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    content = pdf.build_pdf(quote=quote,
                            settings=selectors.settings_get(organization=actor.organization))
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{quote.number}.pdf"'
    return response


@admin_required
@require_http_methods(["GET", "POST"])
def quote_settings_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    current = selectors.settings_get(organization=actor.organization)
    members = account_selectors.member_choices(organization=actor.organization,
                                               keep_user_id=current.approver_id)
    form = QuoteSettingsForm(request.POST if request.method == "POST" else None,
                             instance=current, members=members)
    status = 200
    if request.method == "POST":
        def write():
            values = dict(form.cleaned_data)
            values["approver_id"] = values.pop("approver")
            return services.settings_update(actor=actor, values=values)

        saved, status = _save(form, write)
        if saved is not None:
            messages.success(request, _("Quote settings saved."))
            return redirect("quotes:quote-settings")
    return _render(request, "settings.html", {"form": form, "section": "quotes"},
                   status=status)


def detail_url(quote: Quote) -> str:
    return reverse("quotes:quote-detail", args=[quote.pk])

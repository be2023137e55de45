"""One opportunity: its fields, product lines and stage history; create, edit (422 on
invalid, 409 on a stale version), delete, win, lose and reopen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.catalog import selectors as catalog_selectors
from kehu.core.common import htmx
from kehu.core.common.errors import DomainError, PermissionDeniedError, StaleWrite
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.sales import panels, selectors
from kehu.sales.forms import LineForm, LoseForm, OpportunityForm
from kehu.sales.models import Opportunity
from kehu.sales.services import lines as line_services
from kehu.sales.services import opportunities as services
from kehu.sales.views import _common
from kehu.web.decorators import member_required

CUSTOMER_OPTIONS = 20


def detail_url(opportunity: Opportunity | int) -> str:
    pk = opportunity if isinstance(opportunity, int) else opportunity.pk
    return reverse("sales:opportunity-detail", args=[pk])


def product_choices(actor: Actor) -> list[tuple[int, str]]:
    if not actor.can("view", "catalog.product"):
        return []
    return [(p.pk, str(p)) for p in
            catalog_selectors.product_list(actor=actor, active=True)[:500]]


def _customer_choices(actor: Actor, customer_id: int | None) -> list[tuple[int, str]]:
    if not customer_id:
        return []
    customer = customer_selectors.customer_list(actor=actor).filter(pk=customer_id).first()
    return [(customer.pk, customer.name)] if customer else []


def _contact_choices(actor: Actor, customer_id: int | None) -> list[tuple[int, str]]:
    if not customer_id:
        return []
    customer = customer_selectors.customer_list(actor=actor).filter(pk=customer_id).first()
    if customer is None:
        return []
    return list(customer_selectors.contact_list(actor=actor, customer=customer)
                .values_list("pk", "name"))


def _form(request: HttpRequest, actor: Actor, instance: Opportunity | None = None
          ) -> OpportunityForm:
    data = request.POST if request.method == "POST" else None
    if data is not None:
        customer_id = _int(data.get("customer"))
    elif instance is not None:
        customer_id = instance.customer_id
    else:
        customer_id = _int(request.GET.get("customer"))
    creating = instance is None
    pipelines = selectors.pipelines_for(actor=actor) if creating else []
    stages = (list(selectors.stage_list(actor=actor).filter(pipeline__is_active=True)
                   .select_related("pipeline")) if creating else [])
    initial = {"customer": customer_id} if creating and customer_id else None
    return OpportunityForm(
        data, instance=instance, initial=initial, organization=actor.organization,
        definitions=_common.definitions(actor),
        can_assign=actor.can("assign", _common.OBJECT_TYPE), user=actor.user,
        customers=_customer_choices(actor, customer_id),
        contacts=_contact_choices(actor, customer_id), pipelines=pipelines, stages=stages,
        amount_locked=instance is not None and services.has_lines(instance))


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _save(form: OpportunityForm, write) -> tuple[Opportunity | None, int]:
    if not form.is_valid():
        return None, 422
    try:
        return write(), 200
    except ValidationError as exc:
        form.add_service_errors(exc, aliases={"customer_id": "customer",
                                              "contact_id": "contact",
                                              "pipeline_id": "pipeline",
                                              "stage_id": "stage"})
        return None, 422
    except StaleWrite as exc:
        form.add_error(None, exc.message)
        return None, 409
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None, exc.status


def _form_response(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    template = "_form.html" if _common.is_htmx(request) else "form.html"
    return _common.render_page(request, template, context, status)


def _saved(request: HttpRequest, opportunity: Opportunity, message: str) -> HttpResponse:
    messages.success(request, message)
    return htmx.redirect(request, detail_url(opportunity))


@member_required
@require_http_methods(["GET", "POST"])
def opportunity_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "create")
    form = _form(request, actor)
    context: dict[str, Any] = {"form": form, "opportunity": None,
                               "action": reverse("sales:opportunity-create")}
    status = 200
    if request.method == "POST":
        opportunity, status = _save(form, lambda: services.opportunity_create(
            actor=actor, values=selectors.resolve_ids(actor=actor, values=form.values()),
            custom=form.custom_values()))
        if opportunity is not None:
            return _saved(request, opportunity, _("Opportunity “%(name)s” created.")
                          % {"name": opportunity.name})
    return _form_response(request, context, status)


@member_required
@require_http_methods(["GET", "POST"])
def opportunity_edit_page(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id, "edit")
    form = _form(request, actor, opportunity)
    context: dict[str, Any] = {"form": form, "opportunity": opportunity,
                               "action": reverse("sales:opportunity-edit",
                                                 args=[opportunity.pk])}
    status = 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.opportunity_update(
            actor=actor, opportunity=opportunity,
            values=selectors.resolve_ids(actor=actor, values=form.values()),
            custom=form.custom_values(), version=form.cleaned_data["version"]))
        if saved is not None:
            return _saved(request, saved, _("Opportunity “%(name)s” saved.")
                          % {"name": saved.name})
    context["conflict"] = status == 409
    return _form_response(request, context, status)


def detail_context(request: HttpRequest, actor: Actor, opportunity: Opportunity
                   ) -> dict[str, Any]:
    can = _common.can(actor)
    lines = list(selectors.line_list(actor=actor, opportunity=opportunity))
    reasons = list(selectors.lost_reason_list(actor=actor))
    stages = list(selectors.stage_list(actor=actor, pipeline=opportunity.pipeline))
    return {
        "opportunity": opportunity, "can": can, "lines": lines,
        "history": selectors.stage_history(actor=actor, opportunity=opportunity),
        "stages": stages, "lost_form": LoseForm(reasons=reasons,
                                                initial={"version": opportunity.version}),
        "line_form": LineForm(products=product_choices(actor)) if can["edit"] else None,
        "currency": opportunity.currency,
        "custom": [(d.label, opportunity.custom_data.get(d.key))
                   for d in _common.definitions(actor)
                   if opportunity.custom_data.get(d.key) not in (None, "", [])],
        "panels": panels.render_panels(request, actor, opportunity),
    }


@member_required
@require_GET
def opportunity_detail_page(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id)
    return _common.render_page(request, "detail.html",
                               detail_context(request, actor, opportunity))


@member_required
@require_http_methods(["GET", "POST"])
def opportunity_delete_page(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id, "delete")
    if request.method == "POST":
        try:
            services.opportunity_delete(actor=actor, opportunity=opportunity)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("Opportunity “%(name)s” moved to the recycle bin.")
                         % {"name": opportunity.name})
        return redirect("sales:opportunity-list")
    return _common.render_page(request, "delete.html", {"opportunity": opportunity})


def _transition(request: HttpRequest, opportunity_id: int, write) -> HttpResponse:
    """Win, lose, reopen: back to the page with a message, or with the error (409/422)."""
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id, "edit")
    try:
        moved = write(actor, opportunity)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        status = exc.status if isinstance(exc, DomainError) else 422
        message = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
        context = detail_context(request, actor, opportunity)
        context["action_error"] = message
        if request.POST:
            context["lost_form"] = LoseForm(request.POST, reasons=list(
                selectors.lost_reason_list(actor=actor)))
            context["lost_form"].is_valid()
        return _common.render_page(request, "detail.html", context, status=status)
    except Opportunity.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("“%(name)s” is now in “%(stage)s”.")
                     % {"name": moved.name, "stage": moved.stage.name})
    return redirect(detail_url(moved))


@member_required
@require_POST
def opportunity_win(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    version = _int(request.POST.get("version"))
    return _transition(request, opportunity_id, lambda actor, opp: services.opportunity_win(
        actor=actor, opportunity=opp, version=version))


@member_required
@require_POST
def opportunity_lose(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    version = _int(request.POST.get("version"))
    return _transition(request, opportunity_id, lambda actor, opp: services.opportunity_lose(
        actor=actor, opportunity=opp, lost_reason=_int(request.POST.get("lost_reason")),
        note=request.POST.get("note", ""), version=version))


@member_required
@require_POST
def opportunity_reopen(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    version = _int(request.POST.get("version"))
    return _transition(request, opportunity_id, lambda actor, opp: services.opportunity_reopen(
        actor=actor, opportunity=opp, version=version))


@member_required
@require_POST
def opportunity_stage(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """The stage select on the detail page (a move without the board)."""
    version = _int(request.POST.get("version"))
    actor = request.actor
    stage = selectors.stage_get(actor=actor, stage_id=_int(request.POST.get("stage")))
    return _transition(request, opportunity_id, lambda actor, opp:
                       services.opportunity_move_stage(
                           actor=actor, opportunity=opp, stage=stage, version=version,
                           lost_reason=_int(request.POST.get("lost_reason")),
                           lost_note=request.POST.get("note", "")))


@member_required
@require_GET
def customer_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the customers matching `q`, for the customer select of the form."""
    actor = request.actor
    q = (request.GET.get("q") or "").strip()
    customers = (customer_selectors.customer_search(actor=actor, q=q, limit=CUSTOMER_OPTIONS)
                 if len(q) >= 2 else [])
    return _common.render_page(request, "_customer_options.html",
                               {"customers": customers, "q": q})


@member_required
@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return _common.render_page(request, "_contact_options.html", {
        "contacts": _contact_choices(actor, _int(request.GET.get("customer")))})


# --- product lines ---------------------------------------------------------------------------

def _lines_response(request: HttpRequest, actor: Actor, opportunity: Opportunity,
                    form: LineForm | None = None, status: int = 200) -> HttpResponse:
    """After a line change the amounts all over the page change: reload it. A refused line
    comes back inside the lines card with its errors (422)."""
    if status == 200:
        return htmx.redirect(request, detail_url(opportunity))
    opportunity = selectors.opportunity_get(actor=actor, pk=opportunity.pk)
    context = detail_context(request, actor, opportunity)
    if form is not None:
        context["line_form"] = form
    template = "_lines.html" if _common.is_htmx(request) else "detail.html"
    return _common.render_page(request, template, context, status=status)


def _line_write(form: LineForm, write) -> int:
    if not form.is_valid():
        return 422
    try:
        write()
        return 200
    except ValidationError as exc:
        from kehu.core.customfields.forms import add_errors

        add_errors(form, exc, aliases={"product_id": "product"})
        return 422
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error(None, exc.message)
        return exc.status


def _line_values(actor: Actor, form: LineForm) -> dict[str, Any]:
    values = form.values()
    product_id = values.pop("product_id")
    product = None
    if product_id:
        product = catalog_selectors.product_list(actor=actor).filter(pk=product_id).first()
        if product is None:
            raise ValidationError({"product": _("Choose a product you can see.")})
    values["product"] = product
    return values


@member_required
@require_POST
def line_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = request.actor
    opportunity = _common.get_opportunity(actor, opportunity_id, "edit")
    form = LineForm(request.POST, products=product_choices(actor))
    status = _line_write(form, lambda: line_services.line_create(
        actor=actor, opportunity=opportunity, values=_line_values(actor, form)))
    if status == 200:
        form = None
    return _lines_response(request, actor, opportunity, form, status)


@member_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, line_id: int) -> HttpResponse:
    actor = request.actor
    try:
        line = selectors.line_get(actor=actor, line_id=line_id)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    opportunity = line.opportunity
    if request.method == "GET":
        form = LineForm(instance=line, products=product_choices(actor))
        return _common.render_page(request, "_line_form.html",
                                   {"form": form, "line": line, "opportunity": opportunity})
    form = LineForm(request.POST, instance=line, products=product_choices(actor))
    status = _line_write(form, lambda: line_services.line_update(
        actor=actor, line=line, values=_line_values(actor, form)))
    if status != 200:
        return _common.render_page(request, "_line_form.html",
                                   {"form": form, "line": line, "opportunity": opportunity},
                                   status=status)
    return _lines_response(request, actor, opportunity)


@member_required
@require_POST
def line_delete(request: HttpRequest, line_id: int) -> HttpResponse:
    actor = request.actor
    try:
        line = selectors.line_get(actor=actor, line_id=line_id)
        line_services.line_delete(actor=actor, line=line)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return _lines_response(request, actor, line.opportunity)

"""The lead pages: the list (with the pool), one lead with its follow-ups, the create and edit
forms, and what a lead page does (claim, release, disqualify, convert)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.accounts import selectors as account_selectors
from kehu.core.common import htmx
from kehu.core.common.api import keyset_page
from kehu.core.common.errors import DomainError, PermissionDeniedError, StaleWrite
from kehu.core.common.htmx import is_htmx
from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.customers.services import customers as customer_services
from kehu.leads import selectors, services
from kehu.leads.forms import (
    ActivityForm,
    ConvertForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
)
from kehu.leads.models import Lead
from kehu.leads.views import _common
from kehu.leads.views._common import OBJECT_TYPE
from kehu.web.decorators import member_required

PAGE_SIZE = 50


# --- the list --------------------------------------------------------------------------------

def _list_context(request: HttpRequest, actor: Actor, *, pool: bool) -> dict[str, Any]:
    can = _common.can(actor)
    members = (account_selectors.member_choices(organization=actor.organization)
               if actor.data_scope != "own" else None)
    data = request.GET.copy()
    if pool:
        data["pool"] = "1"
    form = LeadFilterForm(data, members=None if pool else members)
    filters = form.filters()
    qs = selectors.lead_list(actor=actor, **filters)
    problems: list[str] = []
    try:
        page = keyset_page(qs, request.GET.get("cursor") or None, PAGE_SIZE)
    except DomainError:
        problems.append(_("That page link is no longer valid; showing the first page."))
        page = keyset_page(qs, None, PAGE_SIZE)
    tab = "pool" if pool else ("mine" if filters["mine"] else "all")
    return {"form": form, "leads": page["items"], "next_cursor": page["next_cursor"],
            "is_first_page": not request.GET.get("cursor"), "problems": problems,
            "can": can, "tab": tab, "pool": pool, "mine": filters["mine"],
            "is_filtered": any(filters[k] for k in ("q", "status", "source", "owner_id"))}


def _list_response(request: HttpRequest, pool: bool) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    context = _list_context(request, actor, pool=pool)
    if is_htmx(request) and request.headers.get("HX-Target") == "lead-results":
        return _common.render_page(request, "_rows.html", context)
    return _common.render_page(request, "list.html", context)


@member_required
@require_GET
def lead_list_page(request: HttpRequest) -> HttpResponse:
    return _list_response(request, pool=False)


@member_required
@require_GET
def lead_pool_page(request: HttpRequest) -> HttpResponse:
    return _list_response(request, pool=True)


# --- one lead --------------------------------------------------------------------------------

def _detail_context(actor: Actor, lead: Lead, **extra: Any) -> dict[str, Any]:
    can = _common.can(actor)
    definitions = active_definitions(organization=actor.organization, object_type=OBJECT_TYPE)
    custom = [{"label": d.label, "value": (lead.custom_data or {}).get(d.key)}
              for d in definitions]
    mine = lead.owner_id is not None and lead.owner_id == actor.user.pk
    return {"lead": lead, "can": can, "custom": custom,
            "activities": selectors.activity_list(actor=actor, lead=lead)[:100],
            "activity_form": extra.pop("activity_form", None) or ActivityForm(),
            "disqualify_form": extra.pop("disqualify_form", None) or DisqualifyForm(),
            "may_claim": lead.owner_id is None and lead.is_open and can["edit"],
            "may_release": (lead.owner_id is not None and lead.is_open and can["edit"]
                            and (mine or can["assign"])),
            "may_convert": lead.is_open and can["edit"],
            **extra}


@member_required
@require_GET
def lead_detail_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id)
    return _common.render_page(request, "detail.html", _detail_context(actor, lead))


def _lead_form(request: HttpRequest, actor: Actor, instance: Lead | None = None) -> LeadForm:
    return LeadForm(request.POST if request.method == "POST" else None, instance=instance,
                    organization=actor.organization,
                    definitions=active_definitions(organization=actor.organization,
                                                   object_type=OBJECT_TYPE),
                    can_assign=actor.can("assign", OBJECT_TYPE), user=actor.user)


def _save(form: LeadForm, write) -> tuple[Lead | None, int]:
    if not form.is_valid():
        return None, 422
    try:
        return write(), 200
    except ValidationError as exc:
        form.add_service_errors(exc)
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
    template = "_form.html" if is_htmx(request) else "form.html"
    return _common.render_page(request, template, context, status)


@member_required
@require_http_methods(["GET", "POST"])
def lead_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "create")
    form = _lead_form(request, actor)
    status = 200
    if request.method == "POST":
        lead, status = _save(form, lambda: services.lead_create(
            actor=actor, values=form.values(), custom=form.custom_values()))
        if lead is not None:
            messages.success(request, _("Lead “%(name)s” created.") % {"name": lead})
            return htmx.redirect(request, _common.detail_url(lead))
    return _form_response(request, {"form": form, "lead": None,
                                    "action": reverse("leads:lead-create")}, status)


@member_required
@require_http_methods(["GET", "POST"])
def lead_edit_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    if lead.status == Lead.Status.CONVERTED:
        messages.error(request, _("This lead was converted and can no longer change."))
        return redirect(_common.detail_url(lead))
    form = _lead_form(request, actor, lead)
    status = 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.lead_update(
            actor=actor, lead=lead, values=form.values(), custom=form.custom_values(),
            version=form.cleaned_data["version"]))
        if saved is not None:
            messages.success(request, _("Lead “%(name)s” saved.") % {"name": saved})
            return htmx.redirect(request, _common.detail_url(saved))
    return _form_response(request, {"form": form, "lead": lead,
                                    "action": reverse("leads:lead-edit", args=[lead.pk])},
                          status)


@member_required
@require_http_methods(["GET", "POST"])
def lead_delete_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "delete")
    if request.method == "POST":
        try:
            services.lead_delete(actor=actor, lead=lead)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("Lead “%(name)s” deleted.") % {"name": lead})
        return redirect("leads:lead-list")
    return _common.render_page(request, "delete.html", {"lead": lead})


@member_required
@require_POST
def activity_create(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    form = ActivityForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.activity_create(actor=actor, lead=lead, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            if not is_htmx(request):
                messages.success(request, _("Follow-up logged."))
                return redirect(_common.detail_url(lead))
            lead = _common.get_lead(actor, lead_id)
            form = ActivityForm()
    if form.errors:
        status = 422
    context = _detail_context(actor, lead, activity_form=form)
    if is_htmx(request):
        response = _common.render_page(request, "_activities.html", context, status)
        response["HX-Trigger"] = "lead-changed"
        return response
    return _common.render_page(request, "detail.html", context, status)


def _act(request: HttpRequest, lead: Lead, write, success: str) -> HttpResponse:
    try:
        write()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return htmx.redirect(request, _common.detail_url(lead))


@member_required
@require_POST
def lead_claim(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    return _act(request, lead, lambda: services.lead_claim(actor=actor, lead=lead),
                _("“%(name)s” is now yours.") % {"name": lead})


@member_required
@require_POST
def lead_release(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    return _act(request, lead, lambda: services.lead_release(
        actor=actor, lead=lead, reason=request.POST.get("reason", "")[:200]),
        _("“%(name)s” is back in the lead pool.") % {"name": lead})


@member_required
@require_POST
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    form = DisqualifyForm(request.POST)
    if form.is_valid():
        try:
            services.lead_disqualify(actor=actor, lead=lead, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Lead disqualified."))
            return htmx.redirect(request, _common.detail_url(lead))
    return _common.render_page(request, "detail.html",
                               _detail_context(actor, lead, disqualify_form=form,
                                               disqualify_open=True), status=422)


# --- conversion ------------------------------------------------------------------------------

def _candidates(actor: Actor, lead: Lead) -> list[dict[str, Any]]:
    """Existing customers the new one would probably duplicate, marked with whether the actor
    may attach the lead to them (they can see them)."""
    from kehu.leads.services.conversion import customer_values

    values = customer_services.normalized_values(
        {k: v for k, v in customer_values(lead, None).items() if k in ("name", "phone",
                                                                         "email")})
    found = customer_services.check_duplicates(actor=actor, values=values)
    ids = [c.customer_id for c in found]
    visible = set(customer_selectors.customer_list(actor=actor).filter(pk__in=ids)
                  .values_list("pk", flat=True))
    return [{"candidate": c, "visible": c.customer_id in visible} for c in found]


@member_required
@require_http_methods(["GET", "POST"])
def lead_convert_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = request.actor
    lead = _common.get_lead(actor, lead_id, "edit")
    if lead.status == Lead.Status.CONVERTED:
        messages.error(request, _("This lead was already converted."))
        return redirect(_common.detail_url(lead))
    try:
        candidates = _candidates(actor, lead)
    except ValidationError:
        candidates = []
    choices = [(c["candidate"].customer_id, c["candidate"].name) for c in candidates
               if c["visible"]]
    form = ConvertForm(request.POST or None, candidates=choices,
                       initial={"opportunity_name": lead.company or lead.name})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = None
        if data["existing_customer"]:
            existing = customer_selectors.customer_get(actor=actor,
                                                       customer_id=data["existing_customer"])
        try:
            result = services.lead_convert(
                actor=actor, lead=lead, existing_customer=existing,
                create_anyway=data["create_anyway"],
                create_opportunity=data["create_opportunity"],
                opportunity_name=data["opportunity_name"], amount=data["amount"])
        except customer_services.DuplicateFound:
            form.add_error(None, _("This looks like a customer you already have. Attach the "
                                   "lead to it, or confirm that it is a different one."))
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            status = 422
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Lead converted: customer “%(name)s” is ready.")
                             % {"name": result.customer.name})
            return htmx.redirect(request, reverse("customers:customer-detail",
                                               args=[result.customer.pk]))
    elif request.method == "POST":
        status = 422
    return _common.render_page(request, "convert.html",
                               {"lead": lead, "form": form, "candidates": candidates},
                               status=status)

"""Contacts of a customer, added, edited and deleted inline on the 360° page (a small form
swapped into the contacts card), with the contacts' own custom fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.htmx import trigger
from kehu.core.customfields.forms import format_value, user_ids_in
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors, services
from kehu.customers.forms_360 import ContactForm
from kehu.customers.models import Contact, Customer
from kehu.customers.views import _common
from kehu.web.decorators import member_required

CHANGED = "customer-changed"


def contacts_context(actor: Actor, customer: Customer) -> dict[str, Any]:
    """The contacts, each with its filled custom fields as (label, text)."""
    contacts = list(selectors.contact_list(actor=actor, customer=customer))
    definitions = _common.definitions(actor, _common.CONTACT_OBJECT_TYPE)
    names = _common.user_names(actor, user_ids_in(definitions,
                                                  (c.custom_data for c in contacts)))
    rows = [{"contact": c, "custom": [
        (d.label, text) for d in definitions
        if (text := format_value(d, c.custom_data.get(d.key), user_names=names))]}
        for c in contacts]
    return {"contacts": contacts, "contact_rows": rows}


def _get_contact(actor: Actor, contact_id: int) -> Contact:
    """The contact, 404 unless the actor sees its customer, 403 unless they may edit it."""
    return selectors.contact_get(actor=actor, contact_id=contact_id, action="edit")


def _form(request: HttpRequest, actor: Actor, instance: Contact | None) -> ContactForm:
    return ContactForm(request.POST if request.method == "POST" else None, instance=instance,
                       organization=actor.organization,
                       definitions=_common.definitions(actor, _common.CONTACT_OBJECT_TYPE))


def _save(form: ContactForm, write) -> tuple[Contact | None, int]:
    if not form.is_valid():
        return None, 422
    try:
        return write(), 200
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None, 422
    except PermissionDeniedError:
        raise
    except DomainError as exc:  # a stale version, mostly
        form.add_error(None, exc.message)
        return None, exc.status


def _card(request: HttpRequest, actor: Actor, customer: Customer) -> HttpResponse:
    """The contacts card, replacing the whole card whatever the form aimed at."""
    response = _common.render_page(request, "_contacts.html", {
        "customer": customer, "can": _common.can(actor), **contacts_context(actor, customer)})
    response["HX-Retarget"] = "#customer-contacts"
    response["HX-Reswap"] = "outerHTML"
    return trigger(response, CHANGED)


def _respond(request: HttpRequest, actor: Actor, customer: Customer, form: ContactForm,
             contact: Contact | None, saved: Contact | None, status: int,
             message: str) -> HttpResponse:
    if saved is not None:
        if _common.is_htmx(request):
            return _card(request, actor, customer)
        messages.success(request, message)
        return redirect(_common.detail_url(customer))
    action = (reverse("customers:contact-edit", args=[contact.pk]) if contact
              else reverse("customers:contact-create", args=[customer.pk]))
    context = {"form": form, "customer": customer, "contact": contact, "action": action}
    template = "_contact_form.html" if _common.is_htmx(request) else "contact_form.html"
    return _common.render_page(request, template, context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    form = _form(request, actor, None)
    saved, status = None, 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.contact_create(
            actor=actor, customer=customer, values=form.values(), custom=form.custom_values()))
    return _respond(request, actor, customer, form, None, saved, status,
                    _("Contact added."))


@member_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = request.actor
    contact = _get_contact(actor, contact_id)
    customer = _common.get_customer(actor, contact.customer_id, "edit")
    form = _form(request, actor, contact)
    saved, status = None, 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.contact_update(
            actor=actor, contact=contact, values=form.values(), custom=form.custom_values(),
            version=form.cleaned_data["version"]))
    return _respond(request, actor, customer, form, contact, saved, status,
                    _("Contact saved."))


@member_required
@require_POST
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = request.actor
    contact = _get_contact(actor, contact_id)
    customer = _common.get_customer(actor, contact.customer_id, "edit")
    services.contact_delete(actor=actor, contact=contact)
    if _common.is_htmx(request):
        return _card(request, actor, customer)
    messages.success(request, _("Contact “%(name)s” deleted.") % {"name": contact.name})
    return redirect(_common.detail_url(customer))

"""Creating, editing and deleting a customer: the archive form with custom fields, version
conflicts, and the duplicate warning with "save anyway"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehu.core.common import htmx
from kehu.core.common.errors import DomainError, PermissionDeniedError, StaleWrite
from kehu.core.customfields.services import custom_data_clean
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors, services
from kehu.customers.forms import CustomerForm
from kehu.customers.models import Customer
from kehu.customers.views import _common
from kehu.customers.views._common import OBJECT_TYPE
from kehu.web.decorators import member_required


def _form(request: HttpRequest, actor: Actor, instance: Customer | None = None) -> CustomerForm:
    return CustomerForm(request.POST if request.method == "POST" else None,
                        instance=instance, organization=actor.organization,
                        definitions=_common.definitions(actor),
                        can_assign=actor.can("assign", OBJECT_TYPE), user=actor.user)


def _check_custom_too(actor: Actor, form: CustomerForm, instance: Customer | None) -> None:
    """When the model fields are invalid the service is not called; still show what it would
    say about the custom fields, so that all errors appear at once."""
    creating = instance is None
    try:
        custom_data_clean(organization=actor.organization, object_type=OBJECT_TYPE,
                          data=form.custom_values(),
                          current=None if creating else instance.custom_data, model=Customer,
                          instance_pk=None if creating else instance.pk,
                          definitions=form.custom_definitions)
    except ValidationError as exc:
        form.add_service_errors(exc)


def _save(actor: Actor, form: CustomerForm, instance: Customer | None,
          write: Callable[[], Customer],
          context: dict[str, Any]) -> tuple[Customer | None, int]:
    """Run the service; on failure put its errors on the form (and probable duplicates in
    `context`) and return the status."""
    if not form.is_valid():
        _check_custom_too(actor, form, instance)
        return None, 422
    try:
        return write(), 200
    except services.DuplicateFound as exc:
        context["duplicates"] = _duplicates(actor, exc.candidates)
        return None, 409
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


def _duplicates(actor: Actor, candidates: list) -> list[dict[str, Any]]:
    """The probable duplicates, linked when the actor may open them (a rep learns that a
    colleague has the customer, without seeing its details)."""
    ids = [c.customer_id for c in candidates]
    visible = set(selectors.customer_list(actor=actor).filter(pk__in=ids)
                  .values_list("pk", flat=True))
    return [{"candidate": c, "visible": c.customer_id in visible} for c in candidates]


def _form_response(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    template = "_form.html" if _common.is_htmx(request) else "form.html"
    return _common.render_page(request, template, context, status)


def _saved(request: HttpRequest, customer: Customer, message: str) -> HttpResponse:
    messages.success(request, message)
    return htmx.redirect(request, "customers:customer-detail", customer.pk)


@member_required
@require_http_methods(["GET", "POST"])
def customer_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "create")
    form = _form(request, actor)
    context: dict[str, Any] = {"form": form, "customer": None,
                               "action": reverse("customers:customer-create")}
    status = 200
    if request.method == "POST":
        customer, status = _save(actor, form, None, lambda: services.customer_create(
            actor=actor, values=form.values(), custom=form.custom_values(),
            allow_duplicates=form.allow_duplicates_requested), context)
        if customer is not None:
            return _saved(request, customer, _("Customer “%(name)s” created.")
                          % {"name": customer.name})
    return _form_response(request, context, status)


@member_required
@require_http_methods(["GET", "POST"])
def customer_edit_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    form = _form(request, actor, customer)
    context: dict[str, Any] = {"form": form, "customer": customer,
                               "action": reverse("customers:customer-edit", args=[customer.pk])}
    status = 200
    if request.method == "POST":
        saved, status = _save(actor, form, customer, lambda: services.customer_update(
            actor=actor, customer=customer, values=form.values(), custom=form.custom_values(),
            version=form.cleaned_data["version"],
            allow_duplicates=form.allow_duplicates_requested), context)
        if saved is not None:
            return _saved(request, saved, _("Customer “%(name)s” saved.") % {"name": saved.name})
    context["conflict"] = status == 409 and "duplicates" not in context
    return _form_response(request, context, status)


@member_required
@require_http_methods(["GET", "POST"])
def customer_delete_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "delete")
    if request.method == "POST":
        try:
            services.customer_delete(actor=actor, customer=customer)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("Customer “%(name)s” deleted.") % {"name": customer.name})
        return redirect("customers:customer-list")
    recoverable = any(f.name == "deleted_at" for f in Customer._meta.concrete_fields)
    return _common.render_page(request, "delete.html",
                               {"customer": customer, "recoverable": recoverable})

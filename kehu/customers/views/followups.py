"""The follow-up timeline (newest first, older pages on request), logging a follow-up with
photos and files, deleting one, and the permission-checked download of an attachment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.api import keyset_page
from kehu.core.common.errors import DomainError
from kehu.core.common.htmx import trigger
from kehu.core.customfields.forms import add_errors
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors, services
from kehu.customers.forms_360 import ACCEPT_FILES, FollowUpForm
from kehu.customers.models import Attachment, Customer
from kehu.customers.views import _common
from kehu.web.decorators import member_required

PAGE_SIZE = 20
CHANGED = "customer-changed"


def _page(actor: Actor, customer: Customer, cursor: str | None) -> dict[str, Any]:
    qs = selectors.follow_up_list(actor=actor, customer=customer)
    try:
        return keyset_page(qs, cursor, PAGE_SIZE)
    except DomainError:
        return keyset_page(qs, None, PAGE_SIZE)


def _form(actor: Actor, customer: Customer, data=None, files=None) -> FollowUpForm:
    contacts = list(selectors.contact_list(actor=actor, customer=customer))
    return FollowUpForm(data, files, contacts=contacts)


def timeline_context(request: HttpRequest, actor: Actor, customer: Customer,
                     form: FollowUpForm | None = None) -> dict[str, Any]:
    page = _page(actor, customer, None)
    return {"follow_ups": page["items"], "followups_next": page["next_cursor"],
            "followup_form": form if form is not None else _form(actor, customer),
            "accept_files": ACCEPT_FILES}


def _timeline(request: HttpRequest, actor: Actor, customer: Customer,
              form: FollowUpForm | None = None, status: int = 200) -> HttpResponse:
    response = _common.render_page(request, "_followups.html", {
        "customer": customer, "can": _common.can(actor),
        **timeline_context(request, actor, customer, form)}, status=status)
    return trigger(response, CHANGED) if status == 200 else response


@member_required
@require_POST
def follow_up_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    form = _form(actor, customer, request.POST, request.FILES)
    if form.is_valid():
        values = form.values()
        if form.cleaned_data.get("contact"):
            values["contact"] = selectors.contact_get(actor=actor,
                                                      contact_id=form.cleaned_data["contact"])
        try:
            services.follow_up_create(actor=actor, customer=customer, values=values,
                                      files=form.uploads())
        except ValidationError as exc:
            add_errors(form, exc, aliases={"attachments": "files"})
    if not _common.is_htmx(request):
        if form.errors:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
        else:
            messages.success(request, _("Follow-up logged."))
        return redirect(_common.detail_url(customer))
    if form.errors:
        return _timeline(request, actor, customer, form, status=422)
    return _timeline(request, actor, customer)


@member_required
@require_GET
def follow_up_more(request: HttpRequest, customer_id: int) -> HttpResponse:
    """An older page of the timeline, appended in place of the "show older" button."""
    actor = request.actor
    customer = _common.get_customer(actor, customer_id)
    page = _page(actor, customer, request.GET.get("cursor") or None)
    return _common.render_page(request, "_followup_items.html", {
        "customer": customer, "can": _common.can(actor), "follow_ups": page["items"],
        "followups_next": page["next_cursor"]})


@member_required
@require_POST
def follow_up_delete(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    actor = request.actor
    follow_up = selectors.follow_up_get(actor=actor, follow_up_id=follow_up_id, action="edit")
    customer = _common.get_customer(actor, follow_up.customer_id, "edit")
    services.follow_up_delete(actor=actor, follow_up=follow_up)
    if _common.is_htmx(request):
        return _timeline(request, actor, customer)
    messages.success(request, _("Follow-up deleted."))
    return redirect(_common.detail_url(customer))


@member_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A follow-up's file, for those who may see its customer: images inline (thumbnails),
    other files as downloads."""
    actor = request.actor
    attachment = get_object_or_404(Attachment, pk=attachment_id,
                                   organization=actor.organization)
    selectors.follow_up_get(actor=actor, follow_up_id=attachment.follow_up_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not attachment.is_image,
                            filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if attachment.is_image:
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response

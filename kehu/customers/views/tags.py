"""Tags: the chips on a customer (added and removed inline; a new name creates the tag), and
the tags page with how many customers carry each (admins may delete a tag)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.htmx import trigger
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors, services
from kehu.customers.forms_360 import TagForm
from kehu.customers.models import Customer, Tag
from kehu.customers.views import _common
from kehu.web.decorators import admin_required, member_required

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CHANGED = "customer-changed"


def color(tag: Tag) -> str:
    """The tag's color when it is a plain hex color (it ends up in a style attribute)."""
    return tag.color if COLOR.match(tag.color or "") else "#64748b"


def tags_context(actor: Actor, customer: Customer, form: TagForm | None = None) -> dict[str, Any]:
    return {"customer_tags": [(t, color(t)) for t in customer.tags.all()],
            "tag_options": [name for _pk, name in _common.tag_choices(actor)],
            "tag_form": form or TagForm()}


def _tags_response(request: HttpRequest, actor: Actor, customer: Customer,
                   form: TagForm | None = None, status: int = 200) -> HttpResponse:
    response = _common.render_page(request, "_tags.html", {
        "customer": customer, "can": _common.can(actor),
        **tags_context(actor, customer, form)}, status=status)
    return trigger(response, CHANGED) if status == 200 else response


@member_required
@require_POST
def customer_tag_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            tag = services.tag_get_or_create(actor=actor, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", exc.messages)
        else:
            services.customers_tag(actor=actor, customer_ids=[customer.pk], tags=[tag])
    if not _common.is_htmx(request):
        for error in form.errors.get("name", []):
            messages.error(request, error)
        return redirect(_common.detail_url(customer))
    if form.errors:
        return _tags_response(request, actor, customer, form, status=422)
    return _tags_response(request, actor, customer)


@member_required
@require_POST
def customer_tag_remove(request: HttpRequest, customer_id: int, tag_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    tag = get_object_or_404(Tag, pk=tag_id, organization=actor.organization)
    services.customers_tag(actor=actor, customer_ids=[customer.pk], tags=[tag], remove=True)
    if not _common.is_htmx(request):
        return redirect(_common.detail_url(customer))
    return _tags_response(request, actor, customer)


@member_required
@require_GET
def tag_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    tags = [(t, color(t)) for t in selectors.tag_list(actor=actor, counts=True)]
    return _common.render_page(request, "tags.html", {"tags": tags, "tab": "tags",
                                                      "can": _common.can(actor)})


@admin_required
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    actor = request.actor
    tag = get_object_or_404(Tag, pk=tag_id, organization=actor.organization)
    services.tag_delete(actor=actor, tag=tag)
    messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
    return redirect("customers:tag-list")

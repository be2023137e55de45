"""Bulk actions on the checked rows of the customer list: assign an owner, add or remove a tag,
move to the pool, delete, export. Each service acts only on the rows the actor may change and
says how many changed; the rows then reload (HX-Trigger `customers-changed`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.htmx import trigger
from kehu.core.permissions.actor import Actor
from kehu.customers import exports, selectors, services
from kehu.customers.forms_lists import BulkForm
from kehu.customers.models import Tag
from kehu.customers.views import _common
from kehu.web.decorators import member_required

CHANGED = "customers-changed"


def _run(actor: Actor, form: BulkForm, ids: list[int]) -> int:
    action, data = form.cleaned_data["action"], form.cleaned_data
    if action == "assign":
        return services.customers_assign(actor=actor, customer_ids=ids, owner_id=data["owner"])
    if action == "tag":
        tag = services.tag_get_or_create(actor=actor, name=data["tag"])
        return services.customers_tag(actor=actor, customer_ids=ids, tags=[tag])
    if action == "untag":
        tags = list(Tag.objects.filter(organization=actor.organization,
                                       name=data["tag"].strip()))
        return services.customers_tag(actor=actor, customer_ids=ids, tags=tags, remove=True)
    if action == "pool":
        return services.customers_release(actor=actor, customer_ids=ids)
    return services.customers_delete(actor=actor, customer_ids=ids)


def _reply(request: HttpRequest, text: str, level: str, status: int = 200) -> HttpResponse:
    if _common.is_htmx(request):
        response = _common.render_page(request, "_message.html",
                                       {"text": text, "level": level}, status=status)
        return trigger(response, CHANGED) if status == 200 else response
    getattr(messages, level)(request, text)
    return redirect(_common.safe_next(request, reverse("customers:customer-list")))


@member_required
@require_POST
def customer_bulk(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    ids = _common.selected_ids(request)
    form = BulkForm(request.POST, members=_common.member_choices(actor))
    if not ids:
        return _reply(request, _("Select customers first."), "warning", status=422)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return _reply(request, " ".join(errors), "error", status=422)
    try:
        count = _run(actor, form, ids)
    except PermissionDeniedError as exc:
        return _reply(request, exc.message, "error", status=422)
    except ValidationError as exc:
        return _reply(request, " ".join(exc.messages), "error", status=422)
    except DomainError as exc:
        return _reply(request, exc.message, "error", status=422)
    text = ngettext("%(n)d customer changed.", "%(n)d customers changed.", count) % {"n": count}
    if count < len(ids):
        text += " " + _("The others were unchanged: already so, or not yours to change.")
    return _reply(request, text, "success" if count else "warning")


@member_required
@require_POST
def customer_export_selected(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "export")
    ids = _common.selected_ids(request)
    qs = selectors.customer_list(actor=actor, action="export").filter(pk__in=ids)
    fmt = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
    return exports.export_customers(actor=actor, queryset=qs, fmt=fmt)

"""The opportunity list: search on the name, filters (pipeline, stage, status, owner, expected
close dates, amount range) and keyset pages, like the customer list."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kehu.core.common.api import keyset_page
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors
from kehu.sales.forms import OpportunityFilterForm
from kehu.sales.models import Opportunity
from kehu.sales.views import _common
from kehu.web.decorators import member_required

PAGE_SIZE = 50


def filter_form(request: HttpRequest, actor: Actor) -> OpportunityFilterForm:
    pipelines = selectors.pipelines_for(actor=actor)
    stages = list(selectors.stage_list(actor=actor).filter(pipeline__is_active=True)
                  .select_related("pipeline"))
    return OpportunityFilterForm(request.GET, pipelines=pipelines, stages=stages,
                                 members=_common.owner_filter_members(actor))


def filtered(actor: Actor, form: OpportunityFilterForm) -> models.QuerySet[Opportunity]:
    owner_id = actor.user.pk if form.value("mine") else form.value("owner")
    return selectors.opportunity_list(
        actor=actor, q=form.value("q") or "", pipeline_id=form.value("pipeline"),
        stage_id=form.value("stage"), status=form.value("status") or "", owner_id=owner_id,
        customer_id=form.value("customer"),
        close_from=form.value("close_from"), close_to=form.value("close_to"),
        amount_min=form.value("amount_min"), amount_max=form.value("amount_max"),
        currency=form.value("currency") or "", created_from=form.value("created_from"),
        created_to=form.value("created_to"), closed_from=form.value("closed_from"),
        closed_to=form.value("closed_to"), reached_stage_id=form.value("reached_stage"),
        lost_reason_id=form.value("lost_reason"))


def is_filtered(form: OpportunityFilterForm) -> bool:
    return any(form.value(name) not in (None, "", False) for name in form.fields
               if name != "mine")


@member_required
@require_GET
def opportunity_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    form = filter_form(request, actor)
    qs = filtered(actor, form)
    problems = []
    try:
        page = keyset_page(qs, request.GET.get("cursor") or None, PAGE_SIZE)
    except DomainError:
        problems.append(_("That page link is no longer valid; showing the first page."))
        page = keyset_page(qs, None, PAGE_SIZE)
    context = {"form": form, "rows": page["items"], "next_cursor": page["next_cursor"],
               "is_first_page": not request.GET.get("cursor"), "problems": problems,
               "is_filtered": is_filtered(form), "mine": bool(form.value("mine")),
               "drill_down": [form[name] for name in form.DRILL_DOWN
                              if form.value(name) not in (None, "")],
               "can": _common.can(actor)}
    if _common.is_htmx(request, target="opportunity-results"):
        response = _common.render_page(request, "_rows.html", context)
    else:
        response = _common.render_page(request, "list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response

"""Admin pages: the public web form, and the automatic assignment rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.accounts.models import User
from kehu.core.customfields.forms import add_errors
from kehu.leads import selectors, services
from kehu.leads.forms import RuleForm, WebFormSettingsForm
from kehu.leads.views import _common
from kehu.web.decorators import admin_required


@admin_required
@require_http_methods(["GET", "POST"])
def webform_settings_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    webform = services.webform_for(organization=actor.organization)
    form = WebFormSettingsForm(request.POST or None, instance=webform,
                               organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.webform_update(actor=actor, values=form.values(),
                                    new_token=form.cleaned_data["new_token"])
        except ValidationError as exc:
            add_errors(form, exc, aliases={"default_owner_id": "default_owner"})
        else:
            messages.success(request, _("Web form saved."))
            return redirect("leads:webform-settings")
    webform.refresh_from_db()
    public_url = request.build_absolute_uri(reverse("leads:public-form", args=[webform.token]))
    return _common.render_page(request, "settings/webform.html", {
        "form": form, "webform": webform, "public_url": public_url,
        "embed": f'<iframe src="{public_url}" width="100%" height="640" '
                 f'style="border:0" title="{webform.title}"></iframe>',
        "tab": "webform"}, status=422 if form.errors else 200)


@admin_required
@require_http_methods(["GET"])
def rule_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    unassigned = selectors.lead_list(actor=actor, pool=True).count()
    return _common.render_page(request, "settings/rules.html", {
        "rules": selectors.rule_list(actor=actor), "unassigned": unassigned,
        "tab": "rules"})


def _rule_form_page(request: HttpRequest, rule=None) -> HttpResponse:
    actor = request.actor
    form = RuleForm(request.POST or None, instance=rule, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        members = list(User.objects.filter(pk__in=form.cleaned_data["members"]))
        try:
            services.rule_save(actor=actor, values=form.values(), members=members, rule=rule)
        except ValidationError as exc:
            add_errors(form, exc, aliases={"team_id": "team"})
        else:
            messages.success(request, _("Assignment rule saved."))
            return redirect("leads:rule-list")
    action = (reverse("leads:rule-edit", args=[rule.pk]) if rule
              else reverse("leads:rule-create"))
    return _common.render_page(request, "settings/rule_form.html",
                               {"form": form, "rule": rule, "action": action, "tab": "rules"},
                               status=422 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def rule_create_page(request: HttpRequest) -> HttpResponse:
    return _rule_form_page(request)


@admin_required
@require_http_methods(["GET", "POST"])
def rule_edit_page(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(actor=request.actor, rule_id=rule_id)
    return _rule_form_page(request, rule)


@admin_required
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(actor=request.actor, rule_id=rule_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.rule_move(actor=request.actor, rule=rule, step=step)
    return redirect("leads:rule-list")


@admin_required
@require_POST
def rules_reorder(request: HttpRequest) -> HttpResponse:
    """The new order from drag and drop: `ids` in order."""
    ids = []
    for raw in request.POST.getlist("ids"):
        if raw.isdigit():
            ids.append(int(raw))
    services.rules_reorder(actor=request.actor, rule_ids=ids)
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204)
    return redirect("leads:rule-list")


@admin_required
@require_POST
def rule_set_active(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(actor=request.actor, rule_id=rule_id)
    services.rule_set_active(actor=request.actor, rule=rule,
                             active=request.POST.get("active") == "1")
    return redirect("leads:rule-list")


@admin_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(actor=request.actor, rule_id=rule_id)
    services.rule_delete(actor=request.actor, rule=rule)
    messages.success(request, _("Assignment rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("leads:rule-list")


@admin_required
@require_POST
def rules_run(request: HttpRequest) -> HttpResponse:
    result = services.leads_assign(actor=request.actor)
    messages.success(request, _("%(assigned)d of %(considered)d unassigned leads were "
                                "assigned.") % {"assigned": result.assigned,
                                                "considered": result.considered})
    return redirect("leads:rule-list")

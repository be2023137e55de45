"""The targets page (目标, 业绩排行): a period picker, progress bars per team and person, the
ranking, and for managers an editor (HTMX) and the team's monthly targets page."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.common.htmx import is_htmx, trigger
from kehu.core.customfields.forms import add_errors
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.targets import selectors, services
from kehu.targets.forms import MonthlyTargetsForm, TargetForm
from kehu.targets.models import Metric, PeriodKind, Target
from kehu.web.decorators import member_required

OBJECT_TYPE = "targets.target"
CHANGED = "targets-changed"


def _params(data) -> tuple[selectors.Period, str]:
    """The period and metric a page shows, from its query string; odd values fall back to
    this month and won amount."""
    kind = data.get("period")
    kind = kind if kind in PeriodKind.values else PeriodKind.MONTH
    try:
        day = datetime.date.fromisoformat(data.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    metric = data.get("metric")
    metric = metric if metric in Metric.values else Metric.WON_AMOUNT
    return selectors.Period.of(kind, day), metric


def _query(period: selectors.Period, metric: str, **extra: Any) -> str:
    return "?" + urlencode({"period": period.kind, "date": period.start.isoformat(),
                            "metric": metric, **extra})


def _can(actor: Actor) -> dict[str, bool]:
    return {action: actor.can(action, OBJECT_TYPE)
            for action in ("view", "create", "edit", "delete")}


def _editor(actor: Actor, period: selectors.Period, metric: str, data=None) -> TargetForm:
    return TargetForm(data, members=list(selectors.scope_members(actor=actor)),
                      teams=list(selectors.scope_teams(actor=actor)),
                      initial={"period": period.kind, "date": period.start, "metric": metric,
                               "currency": actor.organization.default_currency})


def _board_context(actor: Actor, period: selectors.Period, metric: str,
                   form: TargetForm | None = None) -> dict[str, Any]:
    can = _can(actor)
    ranking = selectors.target_ranking(actor=actor, period=period, metric=metric)
    teams = [p for p in selectors.target_progress(actor=actor, period=period, metric=metric)
             if p.target.team_id]
    if form is None and can["edit"]:
        form = _editor(actor, period, metric)
    page = reverse("targets:target-page")
    return {
        "period": period, "metric": metric, "metric_label": Metric(metric).label,
        "ranking": ranking, "people": [r for r in ranking if r.target is not None],
        "teams": teams, "form": form, "can": can,
        "currency": actor.organization.default_currency,
        "query": _query(period, metric),
        "periods": [(kind, label, page + _query(selectors.Period.of(kind, period.start), metric))
                    for kind, label in PeriodKind.choices],
        "metrics": [(value, label, page + _query(period, value))
                    for value, label in Metric.choices],
        "previous_url": page + _query(period.previous, metric),
        "next_url": page + _query(period.next, metric),
        "current_url": page + _query(selectors.Period.of(period.kind, timezone.localdate()),
                                     metric),
        "is_current": period.contains(timezone.localdate()),
    }


def _render_board(request: HttpRequest, context: dict[str, Any], status: int = 200
                  ) -> HttpResponse:
    return render(request, "targets/_board.html", context, status=status)


@member_required
def target_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    scoping.require(actor, "view", Target)
    period, metric = _params(request.GET)
    context = _board_context(actor, period, metric)
    if is_htmx(request):
        return _render_board(request, context)
    return render(request, "targets/page.html", context)


@member_required
@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    """The editor's submit: create or change one target, then the board again (422 with the
    form's errors when something is not valid)."""
    actor = request.actor
    scoping.require(actor, "edit", Target)
    period, metric = _params(request.POST)
    form = _editor(actor, period, metric, request.POST)
    if form.is_valid():
        try:
            services.target_set(actor=actor, values=form.values())
        except ValidationError as exc:
            add_errors(form, exc, aliases={"user_id": "subject", "user": "subject",
                                           "team": "subject", "team_id": "subject",
                                           "period_start": "date", "period_kind": "period"})
    if form.errors:
        if not is_htmx(request):
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label}: {error}"
                                   if field in form.fields else error)
        else:
            return _render_board(request, _board_context(actor, period, metric, form),
                                 status=422)
    shown = selectors.Period.of(form.cleaned_data["period"], form.cleaned_data["date"]) \
        if not form.errors else period
    if not is_htmx(request):
        if not form.errors:
            messages.success(request, _("Target saved."))
        return redirect(reverse("targets:target-page") + _query(shown, metric))
    return trigger(_render_board(request, _board_context(actor, shown, metric)), CHANGED)


@member_required
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = request.actor
    target = selectors.target_get(actor=actor, target_id=target_id, action="delete")
    services.target_delete(actor=actor, target=target)
    period, metric = _params(request.POST)
    if not is_htmx(request):
        messages.success(request, _("Target deleted."))
        return redirect(reverse("targets:target-page") + _query(period, metric))
    return trigger(_render_board(request, _board_context(actor, period, metric)), CHANGED)


@member_required
@require_http_methods(["GET", "POST"])
def team_targets_page(request: HttpRequest) -> HttpResponse:
    """Set the monthly targets of a team's members (team and sub-teams) in one form."""
    actor = request.actor
    scoping.require(actor, "edit", Target)
    teams = list(selectors.scope_teams(actor=actor))
    source = request.POST if request.method == "POST" else request.GET
    team = None
    if source.get("team"):
        team = next((t for t in teams if str(t.pk) == source.get("team")), None)
        if team is None:
            raise Http404
    team = team or (teams[0] if teams else None)
    period, metric = _params(source)
    month = selectors.Period.of(PeriodKind.MONTH, period.start)
    members, current = [], {}
    if team is not None:
        members = list(selectors.scope_members(actor=actor).filter(
            team__path__startswith=team.path))
        current = {t.user_id: t.amount for t in selectors.target_list(
            actor=actor, period_kind=PeriodKind.MONTH, start=month.start, metric=metric)
            .filter(user_id__in=[m.user_id for m in members])}
    initial = {"month": month.start, "metric": metric,
               "currency": actor.organization.default_currency}
    form = MonthlyTargetsForm(request.POST if request.method == "POST" else None,
                              members=members, current=current, initial=initial)
    status = 200
    if request.method == "POST" and team is not None:
        if form.is_valid():
            try:
                count = services.targets_set_monthly(
                    actor=actor, team=team, month=form.month_start,
                    metric=form.cleaned_data["metric"], amounts=form.amounts(),
                    currency=form.cleaned_data["currency"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("%(count)s targets saved.") % {"count": count})
                shown = selectors.Period.of(PeriodKind.MONTH, form.month_start)
                return redirect(reverse("targets:target-page")
                                + _query(shown, form.cleaned_data["metric"]))
        status = 422
    return render(request, "targets/team_targets.html", {
        "form": form, "teams": [(t, "— " * t.depth + t.name) for t in teams], "team": team,
        "month": month, "metric": metric,
        "back_url": reverse("targets:target-page") + _query(month, metric)}, status=status)

"""Reads of saved reports and their results, for the viewing actor.

A report is visible to its owner, to the people, teams (and their sub-teams) and roles it is
shared with, and to admins; roles must grant "view" on reports. Its *rows* are always the
viewer's own: the engine starts every object from `scoping.visible` for whoever runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from kehu.core.accounts.models import Membership, Team
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import Role
from kehu.reports import definitions, engine
from kehu.reports.models import ReportPin, SavedReport


def _team_ids(actor: Actor) -> list[int]:
    """The actor's team and the teams above it: sharing with a team includes its sub-teams."""
    team = None if actor.is_system else actor.membership.team
    if team is None:
        return []
    return [int(part) for part in team.path.strip("/").split("/") if part]


def _shared_q(actor: Actor) -> Q:
    if actor.is_admin:
        return Q()
    through = SavedReport.shared_with_users.through
    mine = Q(owner_id=actor.user.pk) | Q(pk__in=through.objects.filter(
        user_id=actor.user.pk).values("savedreport_id"))
    teams = _team_ids(actor)
    if teams:
        mine |= Q(pk__in=SavedReport.shared_with_teams.through.objects.filter(
            team_id__in=teams).values("savedreport_id"))
    mine |= Q(pk__in=SavedReport.shared_with_roles.through.objects.filter(
        role_id=actor.membership.role_id).values("savedreport_id"))
    return mine


def report_list(*, actor: Actor, mine: bool | None = None) -> QuerySet[SavedReport]:
    """Reports the actor may open, newest first; `mine` True/False: own or shared ones only."""
    qs = scoping.visible(actor, SavedReport.objects.all()).filter(_shared_q(actor))
    if mine is not None and actor.user is not None:
        qs = qs.filter(owner_id=actor.user.pk) if mine else qs.exclude(owner_id=actor.user.pk)
    return qs.select_related("owner").order_by("-id")


def report_get(*, actor: Actor, report_id: object, action: str = "view") -> SavedReport:
    return scoping.get_visible(actor, report_list(actor=actor), report_id, action)


def can_edit(*, actor: Actor, report: SavedReport) -> bool:
    """Viewers may run a shared report; only its owner or an admin may change it."""
    owns = actor.user is not None and report.owner_id == actor.user.pk
    return (owns or actor.is_admin) and actor.can("edit", "reports.report")


def report_shares(*, report: SavedReport) -> dict[str, list[int]]:
    return {
        "user_ids": sorted(report.shared_with_users.values_list("pk", flat=True)),
        "team_ids": sorted(report.shared_with_teams.values_list("pk", flat=True)),
        "role_ids": sorted(report.shared_with_roles.values_list("pk", flat=True)),
    }


def share_options(*, actor: Actor, report: SavedReport) -> dict[str, Any]:
    """The people, teams and roles a report can be shared with, and the current shares."""
    members = (Membership.objects.filter(organization=actor.organization, is_active=True)
               .exclude(user_id=report.owner_id).select_related("user").order_by("user__name"))
    return {"shares": report_shares(report=report),
            "share_users": [(m.user_id, str(m.user)) for m in members],
            "share_teams": [(t.pk, str(t)) for t in Team.objects.filter(
                organization=actor.organization)],
            "share_roles": [(r.pk, str(r)) for r in Role.objects.filter(
                organization=actor.organization).order_by("pk")]}


def definition_parse(*, actor: Actor, data: Any) -> definitions.Definition:
    return definitions.parse(actor=actor, data=data)


def report_run(*, actor: Actor, data: Any) -> engine.Result:
    """Run an ad-hoc definition (the builder's preview, `POST /run`)."""
    scoping.require(actor, "view", SavedReport)
    return engine.run(actor=actor, definition=definitions.parse(actor=actor, data=data))


def report_result(*, actor: Actor, report: SavedReport) -> engine.Result:
    return report_run(actor=actor, data=report.definition)


def group_rows(*, actor: Actor, data: Any, keys: list[str]) -> QuerySet:
    """The records behind one figure of a report, for the drill-down list."""
    scoping.require(actor, "view", SavedReport)
    definition = definitions.parse(actor=actor, data=data)
    return engine.group_rows(actor=actor, definition=definition, keys=keys)


def is_pinned(*, actor: Actor, report: SavedReport) -> bool:
    return ReportPin.objects.filter(organization=actor.organization, user=actor.user,
                                    report=report).exists()


def pinned_ids(*, actor: Actor) -> set[int]:
    return set(ReportPin.objects.filter(organization=actor.organization, user=actor.user)
               .values_list("report_id", flat=True))


@dataclass
class PinnedReport:
    report: SavedReport
    result: engine.Result | None
    errors: list[str]

    @property
    def chart_id(self) -> str:
        return f"pinned-{self.report.pk}"

    @cached_property
    def shown(self) -> dict[str, Any]:
        """What reports/_result.html needs: table rows with their drill-down links, chart."""
        from kehu.reports import display

        if self.result is None:
            return {}
        return display.result_context(self.result, reverse("reports:report-rows",
                                                           args=[self.report.pk]))


def pinned_reports(actor: Actor) -> list[PinnedReport]:
    """The actor's pinned reports with their results, in pin order. A report whose definition
    no longer validates (a custom field was removed) comes with its errors instead."""
    if actor.user is None or not actor.can("view", "reports.report"):
        return []
    visible = report_list(actor=actor)
    pins = (ReportPin.objects.filter(organization=actor.organization, user=actor.user,
                                     report__in=visible)
            .select_related("report", "report__owner").order_by("position", "id"))
    pinned = []
    for pin in pins:
        try:
            pinned.append(PinnedReport(pin.report, report_result(actor=actor, report=pin.report),
                                       []))
        except ValidationError as exc:
            pinned.append(PinnedReport(pin.report, None, list(exc.messages)))
    return pinned


def report_catalog(*, actor: Actor) -> list[dict[str, Any]]:
    """What the actor may build reports on: objects and their fields with translated labels,
    the operators each allows and whether it can be grouped or measured (for the builder and
    `GET /reports/objects`)."""
    from kehu.reports import objects
    from kehu.reports.fields import BOOL, BUCKETS, DATE_KINDS, OPERATORS, TEAM, USER

    scoping.require(actor, "view", SavedReport)
    people = [{"key": str(m.user_id), "label": str(m.user)} for m in Membership.objects
              .filter(organization=actor.organization).select_related("user")
              .order_by("user__name")]
    teams = [{"key": str(t.pk), "label": str(t)}
             for t in Team.objects.filter(organization=actor.organization)]
    extra = {USER: people, TEAM: teams,
             BOOL: [{"key": "true", "label": gettext("Yes")},
                    {"key": "false", "label": gettext("No")}]}
    catalog = []
    for spec in objects.available(actor):
        fields = []
        for f in objects.fields_of(actor, spec).values():
            fields.append({
                "key": f.key, "label": str(f.label), "kind": f.kind,
                "operators": [{"key": op, "label": str(OPERATORS[op])} for op in f.operators],
                "groupable": f.can_group, "measurable": f.can_measure,
                "buckets": ([{"key": k, "label": str(v)} for k, v in BUCKETS.items()]
                            if f.can_group and f.kind in DATE_KINDS else []),
                "choices": extra.get(f.kind) or [{"key": str(k), "label": str(v)}
                                                 for k, v in f.choices]})
        catalog.append({"key": spec.key, "label": str(spec.label), "fields": fields})
    return catalog

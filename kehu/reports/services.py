"""Writes of saved reports: create, update (versioned), delete, share, pin. Create, update and
delete go through the record helpers, so they are permission-checked and audited like every
business record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Membership, Team
from kehu.core.audit import services as audit
from kehu.core.common import records
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import Role
from kehu.reports import definitions, selectors
from kehu.reports.models import ReportPin, SavedReport

EDITABLE = ("name", "description", "definition")


def _clean(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in EDITABLE}
    if "definition" in cleaned:
        cleaned["definition"] = definitions.parse(actor=actor,
                                                  data=cleaned["definition"]).to_dict()
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
    return cleaned


def _require_editor(actor: Actor, report: SavedReport) -> None:
    if not selectors.can_edit(actor=actor, report=report):
        raise PermissionDeniedError(_("Only the report's owner or an admin may change it."))


@transaction.atomic
def report_create(*, actor: Actor, values: dict[str, Any]) -> SavedReport:
    values = _clean(actor, values)
    if "definition" not in values:
        raise ValidationError({"definition": [_("A report needs a definition.")]})
    return records.create_record(actor=actor, model=SavedReport,
                                 values={**values, "owner_id": actor.user.pk})


@transaction.atomic
def report_update(*, actor: Actor, report: SavedReport, values: dict[str, Any],
                  version: int | None = None) -> SavedReport:
    _require_editor(actor, report)
    return records.update_record(actor=actor, instance=report, values=_clean(actor, values),
                                 version=version)


@transaction.atomic
def report_delete(*, actor: Actor, report: SavedReport) -> None:
    _require_editor(actor, report)
    records.delete_record(actor=actor, instance=report)


@transaction.atomic
def report_share(*, actor: Actor, report: SavedReport, user_ids: Iterable[int] = (),
                 team_ids: Iterable[int] = (), role_ids: Iterable[int] = ()) -> SavedReport:
    """Replace who the report is shared with (people, teams, roles of this organization)."""
    _require_editor(actor, report)
    org = actor.organization
    wanted = {"user_ids": sorted(set(user_ids)), "team_ids": sorted(set(team_ids)),
              "role_ids": sorted(set(role_ids))}
    found = {
        "user_ids": set(Membership.objects.filter(organization=org, is_active=True,
                                                  user_id__in=wanted["user_ids"])
                        .values_list("user_id", flat=True)),
        "team_ids": set(Team.objects.filter(organization=org, pk__in=wanted["team_ids"])
                        .values_list("pk", flat=True)),
        "role_ids": set(Role.objects.filter(organization=org, pk__in=wanted["role_ids"])
                        .values_list("pk", flat=True)),
    }
    errors = {name: [_("Unknown ids: %(ids)s.") % {
        "ids": ", ".join(str(i) for i in wanted[name] if i not in found[name])}]
        for name in wanted if set(wanted[name]) - found[name]}
    if errors:
        raise ValidationError(errors)
    before = selectors.report_shares(report=report)
    report.shared_with_users.set(wanted["user_ids"])
    report.shared_with_teams.set(wanted["team_ids"])
    report.shared_with_roles.set(wanted["role_ids"])
    audit.change_record(actor=actor, action="update", instance=report,
                        before={f"shared.{k}": v for k, v in before.items()},
                        after={f"shared.{k}": v for k, v in wanted.items()})
    return report


@transaction.atomic
def report_pin(*, actor: Actor, report: SavedReport) -> ReportPin:
    """Put a report the actor may see on their own dashboard (last)."""
    report = selectors.report_get(actor=actor, report_id=report.pk)
    mine = ReportPin.objects.filter(organization=actor.organization, user=actor.user)
    existing = mine.filter(report=report).first()
    if existing is not None:
        return existing
    last = mine.aggregate(last=Max("position"))["last"]
    return ReportPin.objects.create(organization=actor.organization, user=actor.user,
                                    report=report, position=0 if last is None else last + 1)


@transaction.atomic
def report_unpin(*, actor: Actor, report: SavedReport) -> None:
    ReportPin.objects.filter(organization=actor.organization, user=actor.user,
                             report=report).delete()

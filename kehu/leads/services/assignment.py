"""Automatic lead assignment (线索自动分配), configured by admins without code.

Active rules are tried in order; the first whose criteria all match a lead picks an owner among
its eligible members (its chosen members, or else the active members of its team; deactivated
members are skipped). A rule that matches but has nobody eligible passes the lead on to the
next rule. Only unowned open leads are assigned, so running the rules again assigns nothing
twice.

The engine works in bulk: rules, members and current loads are read once, owners are decided
in memory, then one conditional UPDATE per owner and chunk, and the audit rows and the
owners' notifications are inserted in batches. 10,000 imported leads take about a second on
SQLite (see `assignment_benchmark`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from kehu.core.accounts.models import Membership, User
from kehu.core.audit import services as audit
from kehu.core.notifications.models import Notification
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.services.leads import assign_change

UPDATE_CHUNK = 500
NOTIFICATION_KIND = "lead.assigned"


@dataclass
class AssignmentResult:
    considered: int = 0
    assigned: int = 0
    by_owner: dict[int, int] = field(default_factory=dict)
    by_rule: dict[int, int] = field(default_factory=dict)

    @property
    def unassigned(self) -> int:
        return self.considered - self.assigned

    def as_dict(self) -> dict[str, Any]:
        return {"considered": self.considered, "assigned": self.assigned,
                "unassigned": self.unassigned,
                "by_owner": {str(k): v for k, v in self.by_owner.items()},
                "by_rule": {str(k): v for k, v in self.by_rule.items()}}


def _values(raw: str) -> set[str]:
    return {v.strip().lower() for v in raw.replace("，", ",").split(",") if v.strip()}


class _CompiledRule:
    """A rule with its criteria parsed and its eligible members resolved, once per run."""

    def __init__(self, rule: AssignmentRule, candidates: list[int]) -> None:
        self.rule = rule
        self.source = rule.match_source
        self.provinces = _values(rule.match_province)
        self.cities = _values(rule.match_city)
        self.industries = _values(rule.match_industry)
        self.custom_key = rule.match_custom_key.strip()
        self.custom_value = rule.match_custom_value.strip().lower()
        self.candidates = candidates
        self.cursor = rule.cursor

    def matches(self, lead: Lead) -> bool:
        if self.source and lead.source != self.source:
            return False
        if self.provinces and lead.province.strip().lower() not in self.provinces:
            return False
        if self.cities and lead.city.strip().lower() not in self.cities:
            return False
        if self.industries and lead.industry.strip().lower() not in self.industries:
            return False
        if self.custom_key:
            value = (lead.custom_data or {}).get(self.custom_key)
            if value is None or str(value).strip().lower() != self.custom_value:
                return False
        return True

    def pick(self, loads: Counter) -> int:
        if self.rule.strategy == AssignmentRule.Strategy.LEAST_LOADED:
            owner = min(self.candidates, key=lambda uid: (loads[uid], uid))
        else:
            owner = self.candidates[self.cursor % len(self.candidates)]
            self.cursor += 1
        loads[owner] += 1
        return owner


def _compile(organization, rules: list[AssignmentRule],
             active_teams: dict[int, int | None]) -> list[_CompiledRule]:
    team_members: dict[int, list[int]] = defaultdict(list)
    for user_id, team_id in sorted(active_teams.items()):
        if team_id is not None:
            team_members[team_id].append(user_id)
    compiled = []
    for rule in rules:
        chosen = sorted(u.pk for u in rule.members.all())
        if chosen:
            candidates = [uid for uid in chosen if uid in active_teams]
        elif rule.team_id:
            candidates = team_members.get(rule.team_id, [])
        else:
            candidates = []
        compiled.append(_CompiledRule(rule, candidates))
    return compiled


def active_members(organization) -> dict[int, int | None]:
    """user id → team id of the organization's active members (active users only)."""
    return dict(Membership.objects.filter(organization=organization, is_active=True,
                                          user__is_active=True)
                .values_list("user_id", "team_id"))


def open_loads(organization, user_ids) -> Counter:
    """Open leads (new, contacted, qualified) each of these users owns."""
    rows = (Lead.objects.filter(organization=organization, owner_id__in=list(user_ids),
                                status__in=Lead.OPEN_STATUSES, deleted_at__isnull=True)
            .values("owner_id").annotate(n=Count("id")).values_list("owner_id", "n"))
    return Counter(dict(rows))


def apply_owners(*, actor: Actor, assignments: list[tuple[Lead, int, str]],
                 active_teams: dict[int, int | None] | None = None) -> list[tuple[Lead, int]]:
    """Give each (lead, owner id, audit note) its owner, if the lead is still unowned; write
    the audit rows and notify the owners. Returns the assignments that happened."""
    if not assignments:
        return []
    if active_teams is None:
        active_teams = active_members(actor.organization)
    now = timezone.now()
    by_owner: dict[int, list[Lead]] = defaultdict(list)
    notes: dict[int, str] = {}
    for lead, owner_id, note in assignments:
        by_owner[owner_id].append(lead)
        notes[lead.pk] = note
    done: list[tuple[Lead, int]] = []
    for owner_id, leads in by_owner.items():
        for start in range(0, len(leads), UPDATE_CHUNK):
            chunk = leads[start:start + UPDATE_CHUNK]
            ids = [lead.pk for lead in chunk]
            still_free = set(Lead.objects.select_for_update()
                             .filter(pk__in=ids, owner__isnull=True, deleted_at__isnull=True)
                             .values_list("pk", flat=True))
            if not still_free:
                continue
            Lead.objects.filter(pk__in=still_free, owner__isnull=True).update(
                owner_id=owner_id, team_id=active_teams.get(owner_id), assigned_at=now,
                updated_at=now, version=F("version") + 1)
            done += [(lead, owner_id) for lead in chunk if lead.pk in still_free]
    audit.change_records_bulk([assign_change(actor, lead, None, owner_id, notes[lead.pk])
                               for lead, owner_id in done])
    _notify_owners(actor, done)
    return done


SUMMARY_OVER = 3  # an owner who gets more leads at once gets one summary instead


def _notify_owners(actor: Actor, done: list[tuple[Lead, int]]) -> None:
    """Tell each new owner: one notification per lead, or one summary for a batch (nobody
    wants two thousand notifications after an import)."""
    owners = {u.pk: u for u in User.objects.filter(pk__in={o for _l, o in done})}
    by_owner: dict[int, list[Lead]] = defaultdict(list)
    for lead, owner_id in done:
        by_owner[owner_id].append(lead)
    placeholder = 2_147_483_647
    detail_url = reverse("leads:lead-detail", args=[placeholder])
    mine_url = reverse("leads:lead-list") + "?mine=1"
    rows = []
    for owner_id, leads in by_owner.items():
        owner = owners[owner_id]
        with override(owner.language or None):
            if len(leads) > SUMMARY_OVER:
                rows.append(Notification(
                    organization=actor.organization, recipient=owner, kind=NOTIFICATION_KIND,
                    title=ngettext("%(n)d new lead was assigned to you",
                                   "%(n)d new leads were assigned to you",
                                   len(leads)) % {"n": len(leads)},
                    body=", ".join(str(lead) for lead in leads[:20]), url=mine_url))
                continue
            title = _("New lead assigned to you: %(lead)s")
            body = _("Source: %(source)s")
            sources = {value: str(label) for value, label in Lead.Source.choices}
            for lead in leads:
                rows.append(Notification(
                    organization=actor.organization, recipient=owner, kind=NOTIFICATION_KIND,
                    title=(title % {"lead": lead})[:200],
                    body=body % {"source": sources.get(lead.source, lead.source)},
                    url=detail_url.replace(str(placeholder), str(lead.pk))))
    Notification.objects.bulk_create(rows, batch_size=1000)


@transaction.atomic
def leads_assign(*, actor: Actor, lead_ids: list[int] | None = None) -> AssignmentResult:
    """Run the organization's active rules on its unowned open leads (or on those of
    `lead_ids`). Idempotent: leads that have an owner are never touched."""
    scoping.require(actor, "assign", Lead)
    organization = actor.organization
    result = AssignmentResult()
    leads_qs = (Lead.objects.filter(organization=organization, owner__isnull=True,
                                    deleted_at__isnull=True, status__in=Lead.OPEN_STATUSES)
                .only("id", "name", "company", "source", "province", "city", "industry",
                      "custom_data", "status", "organization_id")
                .order_by("id"))
    if lead_ids is not None:
        leads_qs = leads_qs.filter(pk__in=list(lead_ids))
    leads = list(leads_qs)
    result.considered = len(leads)
    if not leads:
        return result
    # locked, so that two runs at once do not hand out the same round-robin turn twice
    rules = list(AssignmentRule.objects.select_for_update()
                 .filter(organization=organization, is_active=True)
                 .order_by("position", "id").prefetch_related("members"))
    active_teams = active_members(organization)
    compiled = [c for c in _compile(organization, rules, active_teams) if c.candidates]
    if not compiled:
        return result
    loads = open_loads(organization, {uid for c in compiled for uid in c.candidates})
    assignments: list[tuple[Lead, int, str]] = []
    rule_of: dict[int, int] = {}
    for lead in leads:
        for rule in compiled:
            if rule.matches(lead):
                owner_id = rule.pick(loads)
                assignments.append((lead, owner_id,
                                    _("assigned by rule “%(rule)s”") % {"rule": rule.rule.name}))
                rule_of[lead.pk] = rule.rule.pk
                break
    done = apply_owners(actor=actor, assignments=assignments, active_teams=active_teams)
    changed = [c.rule for c in compiled if c.cursor != c.rule.cursor]
    for c in compiled:
        c.rule.cursor = c.cursor
    AssignmentRule.objects.bulk_update(changed, ["cursor"])
    result.assigned = len(done)
    result.by_owner = dict(Counter(owner_id for _lead, owner_id in done))
    result.by_rule = dict(Counter(rule_of[lead.pk] for lead, _o in done))
    return result


# --- rule administration -----------------------------------------------------------------

RULE_FIELDS = ("name", "is_active", "match_source", "match_province", "match_city",
               "match_industry", "match_custom_key", "match_custom_value", "strategy",
               "team_id")


@transaction.atomic
def rule_save(*, actor: Actor, values: dict[str, Any], members: list[User] | None = None,
              rule: AssignmentRule | None = None) -> AssignmentRule:
    """Create (at the end of the list) or edit a rule."""
    from django.core.exceptions import ValidationError

    scoping.require_admin(actor)
    creating = rule is None
    if creating:
        last = (AssignmentRule.objects.filter(organization=actor.organization)
                .aggregate(m=Max("position"))["m"])
        rule = AssignmentRule(organization=actor.organization,
                              position=0 if last is None else last + 1)
        before = None
    else:
        before = audit.snapshot(rule)
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    if rule.team_id and rule.team.organization_id != actor.organization.pk:
        raise ValidationError({"team": _("Choose a team of this organization.")})
    if members is not None:
        member_ids = {m.pk for m in members}
        allowed = set(Membership.objects.filter(organization=actor.organization,
                                                user_id__in=member_ids)
                      .values_list("user_id", flat=True))
        if member_ids - allowed:
            raise ValidationError({"members": _("Choose members of this organization.")})
    has_members = bool(members) if members is not None else (
        not creating and rule.members.exists())
    if not (has_members or rule.team_id):
        raise ValidationError({"members": _("Choose the members who get the leads, or a "
                                            "team.")})
    if rule.match_custom_value and not rule.match_custom_key:
        raise ValidationError({"match_custom_key": _("Name the custom field to compare.")})
    rule.full_clean(exclude=["organization"])
    rule.save()
    if members is not None:
        rule.members.set(members)
    audit.change_record(actor=actor, action="create" if creating else "update", instance=rule,
                        before=before, after=audit.snapshot(rule))
    return rule


@transaction.atomic
def rule_set_active(*, actor: Actor, rule: AssignmentRule, active: bool) -> AssignmentRule:
    scoping.require_admin(actor)
    before = audit.snapshot(rule)
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit.change_record(actor=actor, action="update", instance=rule, before=before,
                        after=audit.snapshot(rule))
    return rule


@transaction.atomic
def rule_delete(*, actor: Actor, rule: AssignmentRule) -> None:
    scoping.require_admin(actor)
    before = audit.snapshot(rule)
    pk = rule.pk
    rule.delete()
    rule.pk = pk
    audit.change_record(actor=actor, action="delete", instance=rule, before=before, after=None)


@transaction.atomic
def rules_reorder(*, actor: Actor, rule_ids: list[int]) -> None:
    """Put the rules in this order (ids not listed keep their place after them)."""
    scoping.require_admin(actor)
    rules = {r.pk: r for r in AssignmentRule.objects.filter(organization=actor.organization)}
    ordered = [rules.pop(pk) for pk in dict.fromkeys(rule_ids) if pk in rules]
    ordered += sorted(rules.values(), key=lambda r: (r.position, r.pk))
    for position, rule in enumerate(ordered):
        rule.position = position
    AssignmentRule.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def rule_move(*, actor: Actor, rule: AssignmentRule, step: int) -> None:
    """Move a rule up (-1) or down (+1)."""
    ids = list(AssignmentRule.objects.filter(organization=actor.organization)
               .order_by("position", "id").values_list("pk", flat=True))
    index = ids.index(rule.pk)
    target = max(0, min(len(ids) - 1, index + step))
    ids.insert(target, ids.pop(index))
    rules_reorder(actor=actor, rule_ids=ids)


# --- benchmark -------------------------------------------------------------------------------

def assignment_benchmark(organization, n: int = 10_000, *, reps: int = 5) -> dict[str, Any]:
    """Create `n` unowned imported leads and a round-robin rule over `reps` new sales reps in
    `organization`, then time `leads_assign`. For `kehu bench` and manual checks; writes data,
    so run it on a throwaway database."""
    from kehu.core.accounts.models import User as UserModel
    from kehu.core.permissions.models import Role

    role = Role.objects.get(organization=organization, key="sales_rep")
    stamp = int(time.time() * 1000)
    users = [UserModel.objects.create(email=f"bench-rep-{stamp}-{i}@example.invalid",
                                      name=f"Bench rep {i}") for i in range(reps)]
    Membership.objects.bulk_create([Membership(organization=organization, user=u, role=role)
                                    for u in users])
    actor = Actor.system(organization=organization)
    rule = rule_save(actor=actor, values={"name": f"bench {stamp}"}, members=users)
    rules_reorder(actor=actor, rule_ids=[rule.pk])
    Lead.objects.bulk_create([Lead(organization=organization, name=f"Bench lead {i}",
                                   source=Lead.Source.IMPORT) for i in range(n)],
                             batch_size=1000)
    started = time.perf_counter()
    result = leads_assign(actor=actor)
    seconds = time.perf_counter() - started
    return {"leads": n, "assigned": result.assigned, "seconds": round(seconds, 3),
            "leads_per_s": round(result.assigned / seconds) if seconds else None}

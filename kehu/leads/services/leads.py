"""Writes to leads: create, edit, delete, disqualify, follow-ups, and the lead pool (claim and
release)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Membership
from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.common import records
from kehu.core.common.errors import DomainError
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.services.customers import normalize_phone
from kehu.leads.models import Lead, LeadActivity

OBJECT_TYPE = "leads.lead"
TEXT_FIELDS = ("name", "company", "title", "email", "wechat", "province", "city", "industry",
               "disqualify_reason")
# Set only by the services: status "converted" (conversion) and the bookkeeping fields.
PROTECTED_FIELDS = ("converted_at", "converted_customer", "converted_customer_id",
                    "converted_contact", "converted_contact_id", "converted_opportunity",
                    "converted_opportunity_id", "assigned_at", "deleted_at")


def normalized_values(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if k not in PROTECTED_FIELDS}
    for name in TEXT_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if values.get("email"):
        values["email"] = values["email"].lower()
    for name in ("mobile", "phone"):
        if name in values:
            values[name] = normalize_phone(values[name] or "", name)
    if values.get("status") == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("Convert the lead to make it converted.")})
    return values


def _refuse_converted(lead: Lead) -> None:
    if lead.status == Lead.Status.CONVERTED:
        raise DomainError("converted", _("This lead was converted and can no longer change."))


@transaction.atomic
def lead_create(*, actor: Actor, values: dict[str, Any],
                custom: dict[str, Any] | None = None) -> Lead:
    """Without `owner_id` a person's new lead is theirs; Kehu's own (web form, jobs) go to the
    pool until the assignment rules run. `owner_id: None` puts it in the pool."""
    values = normalized_values(values)
    values.setdefault("status", Lead.Status.NEW)
    owner_given = "owner_id" in values or "owner" in values
    if (values.get("owner_id") or values.get("owner")
            or (not owner_given and actor.user is not None)):
        values["assigned_at"] = timezone.now()
    return records.create_record(actor=actor, model=Lead, values=values, custom=custom)


@transaction.atomic
def lead_update(*, actor: Actor, lead: Lead, values: dict[str, Any],
                custom: dict[str, Any] | None = None, version: int | None = None) -> Lead:
    _refuse_converted(lead)
    values = normalized_values(values)
    if "owner_id" in values and values["owner_id"] != lead.owner_id:
        values["assigned_at"] = timezone.now() if values["owner_id"] else None
    if values.get("status") not in (None, Lead.Status.DISQUALIFIED):
        values.setdefault("disqualify_reason", "")
    return records.update_record(actor=actor, instance=lead, values=values, custom=custom,
                                 version=version)


@transaction.atomic
def lead_delete(*, actor: Actor, lead: Lead) -> None:
    """Into the recycle bin (soft delete)."""
    records.delete_record(actor=actor, instance=lead)


@transaction.atomic
def lead_disqualify(*, actor: Actor, lead: Lead, reason: str,
                    version: int | None = None) -> Lead:
    _refuse_converted(lead)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"disqualify_reason": _("Say why this lead is disqualified.")})
    return records.update_record(actor=actor, instance=lead,
                                 values={"status": Lead.Status.DISQUALIFIED,
                                         "disqualify_reason": reason[:255]},
                                 version=version)


@transaction.atomic
def activity_create(*, actor: Actor, lead: Lead, values: dict[str, Any]) -> LeadActivity:
    """Log a follow-up; a "new" lead becomes "contacted"."""
    values = {k: v for k, v in values.items() if k in ("kind", "content", "happened_at")}
    if isinstance(values.get("content"), str):
        values["content"] = values["content"].strip()
    if values.get("happened_at") is None:
        values.pop("happened_at", None)
    activity = records.create_record(actor=actor, model=LeadActivity,
                                     values={**values, "lead": lead, "author": actor.user})
    if lead.status == Lead.Status.NEW:
        records.update_record(actor=actor, instance=lead,
                              values={"status": Lead.Status.CONTACTED})
    return activity


@transaction.atomic
def activity_delete(*, actor: Actor, activity: LeadActivity) -> None:
    records.delete_record(actor=actor, instance=activity)


# --- the lead pool ---------------------------------------------------------------------------

def assign_change(actor: Actor, lead: Lead, old_owner_id: int | None,
                  new_owner_id: int | None, note: str) -> ChangeRecord:
    """The audit row of an owner change (written in bulk by the callers)."""
    return ChangeRecord(organization=actor.organization, user=actor.user, via=actor.via,
                        action=ChangeRecord.Action.ASSIGN, object_type=OBJECT_TYPE,
                        object_id=lead.pk, object_repr=str(lead)[:200],
                        changes={"owner_id": [old_owner_id, new_owner_id]}, note=note[:200])


@transaction.atomic
def lead_claim(*, actor: Actor, lead: Lead) -> Lead:
    """Take a lead from the pool. Two reps clicking at once: exactly one gets it."""
    scoping.require(actor, "edit", Lead)
    if actor.user is None:
        raise DomainError("not_a_person", _("Only a person can claim a lead."))
    _refuse_converted(lead)
    team_id = (Membership.objects.filter(organization=actor.organization, user=actor.user,
                                         is_active=True)
               .values_list("team_id", flat=True).first())
    now = timezone.now()
    taken = (Lead.objects.filter(pk=lead.pk, organization=actor.organization,
                                 owner__isnull=True, deleted_at__isnull=True)
             .update(owner=actor.user, team_id=team_id, assigned_at=now, updated_at=now))
    if not taken:
        raise DomainError("not_in_pool", _("Someone else has just taken this lead."))
    audit.change_records_bulk([assign_change(actor, lead, None, actor.user.pk,
                                             _("claimed from the lead pool"))])
    lead.refresh_from_db()
    return lead


@transaction.atomic
def lead_release(*, actor: Actor, lead: Lead, reason: str = "") -> Lead:
    """Put a lead back into the pool: its owner may, others need the right to assign."""
    scoping.require(actor, "edit", Lead)
    _refuse_converted(lead)
    if lead.owner_id is None:
        raise DomainError("in_pool", _("This lead is already in the lead pool."))
    if lead.owner_id != getattr(actor.user, "pk", None):
        scoping.require(actor, "assign", Lead)
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(owner=None, team=None, assigned_at=None,
                                           updated_at=now)
    audit.change_records_bulk([assign_change(actor, lead, lead.owner_id, None,
                                             reason or _("released to the lead pool"))])
    lead.refresh_from_db()
    return lead

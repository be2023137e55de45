"""Merging two customers, and undoing a merge.

Everything that belongs to the merged customer moves to the survivor: every registered
relation (contacts, follow-ups, tasks, and later deals, orders, tickets), tags and
collaborators. The survivor takes the field values the user picked. The merged customer is
kept, hidden (`merged_into`, in the recycle bin), with its own history, so nothing is lost and
the merge can be undone: rows move back, the survivor's fields return to what they were.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.common import records
from kehu.core.common.errors import DomainError
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers import indexing, relations
from kehu.customers.models import Customer, MergeRecord
from kehu.customers.services.customers import dedup_keys
from kehu.customers.services.followups import refresh_last_contacted

MERGEABLE_FIELDS = ["kind", "name", "short_name", "industry", "source", "level", "status",
                    "province", "city", "district", "address", "phone", "email", "website",
                    "owner_id", "next_follow_up_on", "notes"]


@transaction.atomic
def customer_merge(*, actor: Actor, survivor: Customer, merged: Customer,
                   take_from_merged: list[str] = (),
                   custom_from_merged: list[str] = ()) -> MergeRecord:
    """Merge `merged` into `survivor`. `take_from_merged` names the fields (and
    `custom_from_merged` the custom-field keys) whose value comes from `merged`; everything
    else keeps the survivor's value, and empty survivor values are filled from `merged`."""
    scoping.require(actor, "edit", Customer)
    scoping.require(actor, "delete", Customer)
    if survivor.pk == merged.pk:
        raise DomainError("same_customer", _("Choose two different customers."))
    for customer in (survivor, merged):
        if customer.organization_id != actor.organization.pk or customer.deleted_at:
            raise DomainError("not_mergeable", _("Both customers must be active."))
    before = audit.snapshot(survivor)
    record = MergeRecord.objects.create(
        organization=actor.organization, survivor=survivor, merged=merged, user=actor.user,
        survivor_before={"fields": {f: _json(getattr(survivor, f)) for f in MERGEABLE_FIELDS},
                         "custom": survivor.custom_data, "version": survivor.version})
    moved: dict[str, list[int]] = {}
    for relation in relations.all_relations():
        rows = relation.model._default_manager.filter(**{relation.field: merged})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            rows.update(**{relation.field: survivor})
            moved[relation.key] = ids
    new_tags = set(merged.tags.values_list("pk", flat=True)) - set(
        survivor.tags.values_list("pk", flat=True))
    survivor.tags.add(*new_tags)
    new_collaborators = set(merged.collaborators.values_list("pk", flat=True)) - set(
        survivor.collaborators.values_list("pk", flat=True)) - {survivor.owner_id}
    survivor.collaborators.add(*new_collaborators)
    record.moved, record.added_tags = moved, sorted(new_tags)
    record.added_collaborators = sorted(new_collaborators)
    record.save(update_fields=["moved", "added_tags", "added_collaborators"])

    values = {f: getattr(merged, f) for f in take_from_merged if f in MERGEABLE_FIELDS}
    for f in MERGEABLE_FIELDS:
        if f not in values and getattr(survivor, f) in ("", None) and getattr(merged, f):
            values[f] = getattr(merged, f)
    custom = {**survivor.custom_data,
              **{k: v for k, v in merged.custom_data.items()
                 if k in custom_from_merged or k not in survivor.custom_data}}
    _apply(actor, survivor, values, custom)
    refresh_last_contacted([survivor.pk, merged.pk])

    merged.merged_into, merged.deleted_at = survivor, timezone.now()
    merged.save(update_fields=["merged_into", "deleted_at", "updated_at"])
    audit.change_record(actor=actor, action="merge", instance=merged, before=None, after=None,
                        note=_("merged into #%(id)d %(name)s") % {"id": survivor.pk,
                                                                  "name": survivor.name})
    audit.change_record(actor=actor, action="merge", instance=survivor, before=before,
                        after=audit.snapshot(survivor),
                        note=_("absorbed #%(id)d %(name)s") % {"id": merged.pk,
                                                               "name": merged.name})
    indexing.reindex([survivor.pk, merged.pk])
    return record


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _apply(actor: Actor, survivor: Customer, values: dict[str, Any],
           custom: dict[str, Any]) -> None:
    """Write the survivor's new values without a second audit row (the merge row says it)."""
    for name, value in values.items():
        setattr(survivor, name, value)
    for name, value in dedup_keys({f: getattr(survivor, f) for f in ("name", "website", "email")}
                             ).items():
        setattr(survivor, name, value)
    if "owner_id" in values:
        records.mark_owned_since(survivor)
        survivor.team_id = records.owner_team_id(actor, survivor.owner_id)
    survivor.custom_data = custom
    survivor.version += 1
    survivor.save()


@transaction.atomic
def customer_merge_undo(*, actor: Actor, record: MergeRecord) -> Customer:
    scoping.require(actor, "edit", Customer)
    scoping.require(actor, "delete", Customer)
    record = MergeRecord.objects.select_for_update().get(pk=record.pk,
                                                         organization=actor.organization)
    if record.undone_at:
        raise DomainError("already_undone", _("This merge was already undone."))
    if record.survivor_before.get("erased"):
        # the snapshot no longer holds the fields to restore (see customers/privacy)
        raise DomainError("erased", _("Personal data of this merge was erased on request; "
                                      "it can no longer be undone."))
    survivor, merged = record.survivor, record.merged
    for relation in relations.all_relations():
        ids = record.moved.get(relation.key, [])
        if ids:
            (relation.model._default_manager.filter(pk__in=ids, **{relation.field: survivor})
             .update(**{relation.field: merged}))
    survivor.tags.remove(*record.added_tags)
    survivor.collaborators.remove(*record.added_collaborators)
    before = audit.snapshot(survivor)
    fields = dict(record.survivor_before["fields"])
    owner_id = fields.pop("owner_id")
    for name, value in fields.items():
        setattr(survivor, name, survivor._meta.get_field(name).to_python(value))
    survivor.owner_id = owner_id
    _apply(actor, survivor, {"owner_id": owner_id}, record.survivor_before["custom"])
    merged.merged_into, merged.deleted_at = None, None
    merged.save(update_fields=["merged_into", "deleted_at", "updated_at"])
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    audit.change_record(actor=actor, action="restore", instance=merged, before=None,
                        after=audit.snapshot(merged), note=_("merge undone"))
    audit.change_record(actor=actor, action="update", instance=survivor, before=before,
                        after=audit.snapshot(survivor), note=_("merge undone"))
    refresh_last_contacted([survivor.pk, merged.pk])
    indexing.reindex([survivor.pk, merged.pk])
    return merged


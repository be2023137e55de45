"""Tags (标签) on customers. Tagging is editing the customer; defining tags is open to anyone
who may edit customers, and names are unique per organization."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer, Tag


@transaction.atomic
def tag_get_or_create(*, actor: Actor, name: str, color: str = "") -> Tag:
    scoping.require(actor, "edit", Customer)
    name = name.strip()
    if not name or len(name) > 30:
        raise ValidationError({"name": _("A tag has 1 to 30 characters.")})
    tag, created = Tag.objects.get_or_create(organization=actor.organization, name=name,
                                             defaults={"color": color or "#64748b"})
    if created:
        audit.change_record(actor=actor, action="create", instance=tag, before=None,
                            after=audit.snapshot(tag))
    return tag


@transaction.atomic
def tag_delete(*, actor: Actor, tag: Tag) -> None:
    scoping.require_admin(actor)
    before = audit.snapshot(tag)
    pk = tag.pk
    tag.delete()
    tag.pk = pk
    audit.change_record(actor=actor, action="delete", instance=tag, before=before, after=None)


@transaction.atomic
def customers_tag(*, actor: Actor, customer_ids: Iterable[int], tags: list[Tag],
                  remove: bool = False) -> int:
    """Add (or remove) tags on every customer the actor may edit among `customer_ids`.
    Returns how many customers changed."""
    tags = [t for t in tags if t.organization_id == actor.organization.pk]
    customers = list(scoping.visible(actor, Customer.objects.all(), "edit")
                     .filter(pk__in=list(customer_ids)).only("id", "name"))
    through = Customer.tags.through
    existing = set(through.objects.filter(customer__in=customers, tag__in=tags)
                   .values_list("customer_id", "tag_id"))
    changed: dict[int, list[str]] = {}
    if remove:
        pairs = existing
        through.objects.filter(customer__in=customers, tag__in=tags).delete()
    else:
        pairs = {(c.pk, t.pk) for c in customers for t in tags} - existing
        through.objects.bulk_create([through(customer_id=c, tag_id=t) for c, t in pairs])
    names = {t.pk: t.name for t in tags}
    for customer_id, tag_id in pairs:
        changed.setdefault(customer_id, []).append(names[tag_id])
    by_id = {c.pk: c for c in customers}
    audit.change_records_bulk([
        ChangeRecord(organization=actor.organization, user=actor.user, via=actor.via,
                     action="update", object_type="customers.customer", object_id=cid,
                     object_repr=by_id[cid].name[:200],
                     changes={"tags": [sorted(t) if remove else None,
                                       None if remove else sorted(t)]})
        for cid, t in changed.items()])
    return len(changed)

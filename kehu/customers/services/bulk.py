"""Bulk actions on a selection of customers from a list: assign owner, delete."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.common import records
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers import indexing
from kehu.customers.models import Customer


@transaction.atomic
def customers_assign(*, actor: Actor, customer_ids: Iterable[int], owner_id: int) -> int:
    """Give the selected customers (those the actor may assign) to `owner_id`."""
    scoping.require(actor, "assign", Customer)
    team_id = records.owner_team_id(actor, owner_id)
    customers = list(scoping.visible(actor, Customer.objects.all(), "assign")
                     .filter(pk__in=list(customer_ids)).exclude(owner_id=owner_id)
                     .only("id", "name", "owner_id"))
    now = timezone.now()
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        owner_id=owner_id, team_id=team_id, owned_since=now, pooled_at=None, updated_at=now)
    audit.change_records_bulk([
        ChangeRecord(organization=actor.organization, user=actor.user, via=actor.via,
                     action="assign", object_type="customers.customer", object_id=c.pk,
                     object_repr=c.name[:200], changes={"owner_id": [c.owner_id, owner_id]},
                     note=_("bulk assignment"))
        for c in customers])
    return len(customers)


@transaction.atomic
def customers_delete(*, actor: Actor, customer_ids: Iterable[int]) -> int:
    """Move the selected customers (those the actor may delete) to the recycle bin."""
    customers = list(scoping.visible(actor, Customer.objects.all(), "delete")
                     .filter(pk__in=list(customer_ids)))
    for customer in customers:
        records.delete_record(actor=actor, instance=customer)
    indexing.reindex([c.pk for c in customers])
    return len(customers)

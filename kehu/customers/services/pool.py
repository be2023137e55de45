"""The customer pool (公海): unowned customers anyone permitted may claim, released by their
owners or returned automatically by the organization's rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kehu.core.accounts.models import Membership
from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.notifications.services import notify
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer, PoolPolicy


def pool_policy(*, organization) -> PoolPolicy:
    return PoolPolicy.objects.get_or_create(organization=organization)[0]


@transaction.atomic
def pool_policy_update(*, actor: Actor, claim_limit: int, no_follow_up_days: int,
                       no_deal_days: int, warn_days_before: int = 3) -> PoolPolicy:
    scoping.require_admin(actor)
    policy = pool_policy(organization=actor.organization)
    before = audit.snapshot(policy)
    policy.claim_limit, policy.no_follow_up_days = claim_limit, no_follow_up_days
    policy.no_deal_days, policy.warn_days_before = no_deal_days, warn_days_before
    policy.full_clean(exclude=["organization"], validate_unique=False)
    policy.save()
    audit.change_record(actor=actor, action="update", instance=policy, before=before,
                        after=audit.snapshot(policy))
    return policy


def _owned_count(actor: Actor) -> int:
    return Customer.objects.filter(organization=actor.organization, owner=actor.user,
                                   deleted_at__isnull=True).count()


def _assign_record(actor: Actor, customer: Customer, old_owner_id, new_owner_id,
                   note: str) -> ChangeRecord:
    return ChangeRecord(organization=actor.organization, user=actor.user, via=actor.via,
                        action="assign", object_type="customers.customer",
                        object_id=customer.pk, object_repr=customer.name[:200],
                        changes={"owner_id": [old_owner_id, new_owner_id]}, note=note[:200])


@transaction.atomic
def customer_claim(*, actor: Actor, customer: Customer) -> Customer:
    """Take a customer from the pool. Two reps clicking at once: exactly one gets it."""
    scoping.require(actor, "edit", Customer)
    policy = pool_policy(organization=actor.organization)
    if policy.claim_limit and _owned_count(actor) >= policy.claim_limit:
        raise DomainError("claim_limit", _("A rep may own at most %(n)d customers. Release some "
                                           "before claiming more.") % {"n": policy.claim_limit})
    team_id = (Membership.objects.filter(organization=actor.organization, user=actor.user)
               .values_list("team_id", flat=True).first())
    now = timezone.now()
    taken = (Customer.objects.filter(pk=customer.pk, organization=actor.organization,
                                     owner__isnull=True, deleted_at__isnull=True)
             .update(owner=actor.user, team_id=team_id, owned_since=now, pooled_at=None,
                     updated_at=now))
    if not taken:
        raise DomainError("not_in_pool", _("Someone else has just taken this customer."))
    audit.change_records_bulk([_assign_record(actor, customer, None, actor.user.pk,
                                              _("claimed from the pool"))])
    customer.refresh_from_db()
    return customer


@transaction.atomic
def customers_release(*, actor: Actor, customer_ids: Iterable[int], reason: str = "") -> int:
    """Put customers back into the pool: owners release their own; others need `assign`."""
    qs = scoping.visible(actor, Customer.objects.all(), "edit").filter(
        pk__in=list(customer_ids), owner__isnull=False)
    if not actor.can("assign", "customers.customer"):
        qs = qs.filter(owner=actor.user)
    return _to_pool(actor, list(qs.only("id", "name", "owner_id")),
                    reason or _("released by the owner"))


def _to_pool(actor: Actor, customers: list[Customer], note: str) -> int:
    now = timezone.now()
    for customer in customers:
        (Customer.objects.filter(pk=customer.pk)
         .update(previous_owner_id=customer.owner_id, owner=None, team=None, owned_since=None,
                 pooled_at=now, updated_at=now))
    audit.change_records_bulk([_assign_record(actor, c, c.owner_id, None, note)
                               for c in customers])
    return len(customers)


def _due_filter(policy: PoolPolicy, at: datetime.datetime) -> Q:
    due = Q(pk__in=[])
    if policy.no_follow_up_days:
        cutoff = at - datetime.timedelta(days=policy.no_follow_up_days)
        due |= (Q(last_contacted_at__lt=cutoff, owned_since__lt=cutoff)
                | Q(last_contacted_at__isnull=True, owned_since__lt=cutoff))
    if policy.no_deal_days:
        cutoff = at - datetime.timedelta(days=policy.no_deal_days)
        due |= Q(owned_since__lt=cutoff) & (Q(last_won_at__isnull=True)
                                            | Q(last_won_at__lt=cutoff))
    return due


@transaction.atomic
def pool_return_due(*, actor: Actor, now: datetime.datetime | None = None) -> int:
    """Run the organization's rules: return overdue customers to the pool and tell their
    former owners; warn owners whose customers will go in `warn_days_before` days."""
    now = now or timezone.now()
    policy = pool_policy(organization=actor.organization)
    if not (policy.no_follow_up_days or policy.no_deal_days):
        return 0
    owned = Customer.objects.filter(organization=actor.organization, owner__isnull=False,
                                    deleted_at__isnull=True)
    due = list(owned.filter(_due_filter(policy, now)).select_related("owner"))
    by_owner: dict = {}
    for customer in due:
        by_owner.setdefault(customer.owner, []).append(customer)
    returned = _to_pool(actor, due, _("returned to the pool by rule"))
    for owner, customers in by_owner.items():
        with override(owner.language or None):
            notify(organization=actor.organization, recipient=owner, kind="pool.returned",
                   title=_("%(n)d of your customers went back to the pool")
                   % {"n": len(customers)},
                   body=", ".join(c.name for c in customers[:20]),
                   url=reverse("customers:customer-list"), email=True)
    if policy.warn_days_before:
        soon = now + datetime.timedelta(days=policy.warn_days_before)
        warned = (owned.filter(_due_filter(policy, soon)).exclude(_due_filter(policy, now))
                  .select_related("owner"))
        warn_by_owner: dict = {}
        for customer in warned:
            warn_by_owner.setdefault(customer.owner, []).append(customer)
        for owner, customers in warn_by_owner.items():
            with override(owner.language or None):
                notify(organization=actor.organization, recipient=owner, kind="pool.warning",
                       title=_("%(n)d of your customers will go back to the pool within %(d)d "
                               "days without a follow-up") % {"n": len(customers),
                                                         "d": policy.warn_days_before},
                       body=", ".join(c.name for c in customers[:20]))
    return returned

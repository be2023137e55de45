"""Reads of leads, always through the central scoping."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.leads.models import AssignmentRule, Lead, LeadActivity


def lead_list(*, actor: Actor, q: str = "", status: str = "", source: str = "",
              owner_id: int | None = None, mine: bool = False, pool: bool | None = None,
              action: str = "view", deleted: bool = False) -> QuerySet[Lead]:
    """Leads the actor may see, newest first. `pool=True`: the unowned open leads."""
    qs = scoping.visible(actor, Lead.objects.all(), action, deleted=deleted) \
        .select_related("owner")
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q)
                       | Q(mobile__contains=q) | Q(phone__contains=q))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if mine:
        qs = qs.filter(owner_id=getattr(actor.user, "pk", None))
    if pool is True:
        qs = qs.filter(owner__isnull=True, status__in=Lead.OPEN_STATUSES)
    elif pool is False:
        qs = qs.filter(owner__isnull=False)
    return qs.order_by("-id")


def lead_get(*, actor: Actor, lead_id: int, action: str = "view") -> Lead:
    """404 when the actor may not see it, PermissionDeniedError when not `action` it."""
    return scoping.get_visible(
        actor, Lead.objects.select_related("owner", "team", "converted_customer",
                                           "converted_contact", "converted_opportunity"),
        lead_id, action)


def activity_list(*, actor: Actor, lead: Lead) -> QuerySet[LeadActivity]:
    return scoping.visible(actor, LeadActivity.objects.filter(lead=lead)) \
        .select_related("author")


def rule_list(*, actor: Actor) -> QuerySet[AssignmentRule]:
    return (AssignmentRule.objects.filter(organization=actor.organization)
            .select_related("team").prefetch_related("members").order_by("position", "id"))


def rule_get(*, actor: Actor, rule_id: int) -> AssignmentRule:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(AssignmentRule.objects.filter(organization=actor.organization),
                             pk=rule_id)

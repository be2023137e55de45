"""Reads of the customer archive, always through the central scoping."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from kehu.core.customfields.services import active_definitions
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.search import index
from kehu.customers import segments
from kehu.customers.indexing import OBJECT_TYPE
from kehu.customers.models import Contact, Customer, FollowUp, MergeRecord, Segment, Tag

SEARCH_CHUNK = 200
SEARCH_MAX_CHUNKS = 10


def customer_list(*, actor: Actor, q: str = "", owner_id: int | None = None,
                  status: str = "", tag_id: int | None = None, pool: bool | None = None,
                  action: str = "view", deleted: bool = False) -> QuerySet[Customer]:
    qs = scoping.visible(actor, Customer.objects.all(), action, deleted=deleted) \
        .select_related("owner")
    if q:
        ids = customer_search_ids(actor=actor, q=q, limit=SEARCH_CHUNK, action=action)
        qs = qs.filter(pk__in=ids)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    if tag_id:
        qs = qs.filter(tags__id=tag_id)
    if pool is not None:
        qs = qs.filter(owner__isnull=pool)
    return qs.order_by("-id")


def customer_search_ids(*, actor: Actor, q: str, limit: int = 20,
                        action: str = "view") -> list[int]:
    """Ids of customers matching `q` (any two characters of a name, the last four digits of
    a phone, a whole number, an email), newest first, that the actor may see.

    The index answers for the whole organization; candidates are checked against the actor's
    data scope a chunk at a time, so a narrow scope costs a few more index reads, not a scan.
    """
    visible = scoping.visible(actor, Customer.objects.all(), action)
    found: list[int] = []
    before = None
    for _chunk in range(SEARCH_MAX_CHUNKS):
        candidates = index.search(organization_id=actor.organization.pk,
                                  object_type=OBJECT_TYPE, query=q, limit=SEARCH_CHUNK,
                                  before_id=before)
        if not candidates:
            break
        allowed = set(visible.filter(pk__in=candidates).values_list("pk", flat=True))
        found += [pk for pk in candidates if pk in allowed]
        if len(found) >= limit or len(candidates) < SEARCH_CHUNK:
            break
        before = candidates[-1]
    return found[:limit]


def customer_search(*, actor: Actor, q: str, limit: int = 20) -> list[Customer]:
    ids = customer_search_ids(actor=actor, q=q, limit=limit)
    by_id = Customer.objects.select_related("owner").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def customer_get(*, actor: Actor, customer_id: int, action: str = "view",
                 deleted: bool = False) -> Customer:
    return scoping.get_visible(actor, Customer.objects.select_related("owner", "team"),
                               customer_id, action, deleted=deleted)


def contact_list(*, actor: Actor, customer: Customer) -> QuerySet[Contact]:
    return scoping.visible(actor, Contact.objects.filter(customer=customer))


def contact_get(*, actor: Actor, contact_id: int, action: str = "view") -> Contact:
    return scoping.get_visible(actor, Contact.objects.select_related("customer"), contact_id,
                               action)


def follow_up_list(*, actor: Actor, customer: Customer | None = None) -> QuerySet[FollowUp]:
    qs = scoping.visible(actor, FollowUp.objects.all())
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.select_related("author", "contact").prefetch_related("attachments")


def follow_up_get(*, actor: Actor, follow_up_id: int, action: str = "view") -> FollowUp:
    return scoping.get_visible(actor, FollowUp.objects.select_related("customer"),
                               follow_up_id, action)


def tag_list(*, actor: Actor, counts: bool = False) -> QuerySet[Tag]:
    """The organization's tags; with `counts`, how many customers the actor can see carry
    each (a grouped count: for the tags page, not for pickers)."""
    tags = Tag.objects.filter(organization=actor.organization)
    if not counts:
        return tags
    visible = customer_list(actor=actor).values("pk")
    return tags.annotate(customer_count=Count("customers", filter=Q(customers__in=visible)))


def segment_list(*, actor: Actor) -> QuerySet[Segment]:
    return Segment.objects.filter(Q(owner=actor.user) | Q(is_shared=True),
                                  organization=actor.organization)


def segment_get(*, actor: Actor, segment_id: int) -> Segment:
    segment = segment_list(actor=actor).filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    return segment


def segment_filter(*, actor: Actor, segment: Segment,
                   queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """`queryset` (a customer_list) narrowed to the segment's conditions."""
    definitions = {d.key: d for d in active_definitions(organization=actor.organization,
                                                        object_type=OBJECT_TYPE)}
    return segments.apply(queryset, segment.filters, definitions=definitions)


def merge_list(*, actor: Actor, customer: Customer) -> QuerySet[MergeRecord]:
    return (MergeRecord.objects.filter(organization=actor.organization)
            .filter(Q(survivor=customer) | Q(merged=customer))
            .select_related("survivor", "merged", "user").order_by("-id"))


def key_figures(*, actor: Actor, customer: Customer) -> dict:
    """Numbers on top of the 360° view. Modules add theirs through `summary` hooks later."""
    from django.utils import timezone

    follow_ups = FollowUp.objects.filter(customer=customer).aggregate(
        count=Count("id"), last=Max("happened_at"))
    days = ((timezone.now() - customer.last_contacted_at).days
            if customer.last_contacted_at else None)
    return {"follow_ups": follow_ups["count"], "contacts": customer.contacts.count(),
            "days_since_contact": days}

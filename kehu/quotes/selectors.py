"""Reads of quotes and quote settings. A quote is visible through the role's data scope,
and also to the member chosen to approve it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kehu.core.accounts import selectors as account_selectors
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.quotes.models import Quote, QuoteLine, QuoteSettings

RELATED = ("customer", "opportunity", "owner", "approver", "contact")


def _base(actor: Actor, action: str = "view") -> QuerySet[Quote]:
    return scoping.visible(actor, Quote.objects.all(), action)


def awaiting_q(actor: Actor) -> Q:
    """Pending quotes this actor decides: named approver, or an admin when none is named."""
    if actor.user is None:
        return Q(status=Quote.Status.PENDING_APPROVAL)
    mine = Q(approver_id=actor.user.pk)
    if actor.is_admin:
        mine |= Q(approver__isnull=True)
    return Q(status=Quote.Status.PENDING_APPROVAL) & mine


def quote_list(*, actor: Actor, status: str = "", mine: bool = False,
               awaiting_me: bool = False, customer_id: int | None = None,
               opportunity_id: int | None = None, q: str = "") -> QuerySet[Quote]:
    qs = _base(actor).select_related(*RELATED)
    if status:
        qs = qs.filter(status=status)
    if mine and actor.user is not None:
        qs = qs.filter(owner_id=actor.user.pk)
    if awaiting_me:
        qs = qs.filter(awaiting_q(actor))
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    if q:
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(title__icontains=q.strip())
                       | Q(customer__name__icontains=q.strip()))
    return qs.order_by("-id")


def quote_get(*, actor: Actor, quote_id: object, action: str = "view") -> Quote:
    """404 when the actor cannot see the quote, 403 when the action is not granted."""
    return scoping.get_visible(actor, Quote.objects.select_related(*RELATED), quote_id, action)


def awaiting_count(*, actor: Actor) -> int:
    return _base(actor).filter(awaiting_q(actor)).count()


def line_list(*, quote: Quote) -> QuerySet[QuoteLine]:
    return quote.lines.select_related("product").order_by("position", "id")


def line_get(*, quote: Quote, line_id: object) -> QuoteLine:
    try:
        return quote.lines.get(pk=line_id)
    except (QuoteLine.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def settings_get(*, organization) -> QuoteSettings:
    """The organization's saved settings, or unsaved defaults."""
    found = QuoteSettings.objects.filter(organization=organization).select_related(
        "approver").first()
    return found or QuoteSettings(organization=organization)


def approver_users(*, organization, quote: Quote | None = None) -> list:
    """Who decides a pending quote: its named approver (when still an active member), else
    every active organization admin."""
    members = account_selectors.member_list(organization=organization, active=True)
    approver_id = quote.approver_id if quote is not None else \
        settings_get(organization=organization).approver_id
    if approver_id:
        named = [m.user for m in members if m.user_id == approver_id]
        if named:
            return named
    return [m.user for m in members if m.role.is_admin]


def can_decide(*, actor: Actor, quote: Quote) -> bool:
    if actor.is_admin:
        return True
    return actor.user is not None and quote.approver_id == actor.user.pk


def is_latest(quote: Quote) -> bool:
    return not Quote.objects.filter(supersedes_id=quote.pk).exists()


def revisions(*, actor: Actor, quote: Quote) -> list[Quote]:
    """All revisions of this quote's chain that the actor may see, newest first."""
    chain: list[Quote] = []
    current: Quote | None = quote
    while current is not None and current.supersedes_id and len(chain) < 50:
        current = Quote.objects.filter(pk=current.supersedes_id).first()
        if current is not None:
            chain.append(current)
    later = Quote.objects.filter(supersedes_id=quote.pk).first()
    newer: list[Quote] = []
    while later is not None and len(newer) < 50:
        newer.append(later)
        later = Quote.objects.filter(supersedes_id=later.pk).first()
    visible_ids = set(_base(actor).filter(pk__in=[q.pk for q in chain + newer])
                      .values_list("pk", flat=True))
    return [q for q in [*reversed(newer), quote, *chain] if q.pk in visible_ids or q is quote]

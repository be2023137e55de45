"""Finding one person's data, for an admin handling an erasure or access request.

Reads the whole organization, the recycle bin and merged-away customers included: a request
covers every copy, whoever owns it. Admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.core.accounts.phones import normalize_login_phone
from kehu.core.audit import redaction
from kehu.core.audit.models import ChangeRecord
from kehu.core.notifications.models import Notification
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.search.tokens import phone_digits
from kehu.customers.privacy import registry
from kehu.customers.privacy.registry import Found, PersonQuery


@dataclass
class Preview:
    query: PersonQuery
    records: list[Found]
    history: int  # audit records of those records
    mentions: int  # other audit records holding one of the person's phones or emails
    notifications: int

    @property
    def identifiers(self) -> set[str]:
        """Phones (both spellings), emails and WeChat ids of the person."""
        values = set(self.query.phones) | set(self.query.emails)
        for found in self.records:
            values |= {*found.phones, *found.emails, *found.others}
        return values | {d for v in list(values) if len(d := phone_digits(v)) >= 7
                         and "@" not in v}


def person_query(*, phone: str = "", email: str = "", name: str = "") -> PersonQuery:
    query = PersonQuery()
    if phone := phone.strip()[:40]:
        query.phones |= {phone} | ({e164} if (e164 := normalize_login_phone(phone)) else set())
    if email := email.strip().lower()[:254]:
        query.emails.add(email)
    if name := name.strip()[:200]:
        query.names.add(name)
    return query


def _find(organization, query: PersonQuery) -> list[Found]:
    return [found for source in registry.sources()
            for found in source.find(organization=organization, query=query)]


def person_find(*, actor: Actor, query: PersonQuery) -> list[Found]:
    """Every record holding the person's data: those matching the query, then those sharing
    a phone or email found on them (a lead with the mobile and a contact with the email are
    the same person). Names are matched exactly and not widened: many people share one."""
    scoping.require_admin(actor)
    if not query:
        raise ValidationError({"query": _("Enter a phone number, an email or a name.")})
    found = _find(actor.organization, query)
    wider = PersonQuery(phones=query.phones | {p for f in found for p in f.phones},
                        emails=query.emails | {e for f in found for e in f.emails},
                        names=set(query.names))
    return _find(actor.organization, wider) if wider != query else found


def person_preview(*, actor: Actor, query: PersonQuery) -> Preview:
    records = person_find(actor=actor, query=query)
    preview = Preview(query=query, records=records, history=0, mentions=0, notifications=0)
    if not records:
        return preview
    objects = Q()
    for found in records:
        objects |= Q(object_type=found.object_type, object_id=found.object_id)
    own = ChangeRecord.objects.filter(objects, organization=actor.organization)
    preview.history = own.count()
    preview.mentions = (redaction.mentioning(organization=actor.organization,
                                             literals=preview.identifiers)
                        .exclude(pk__in=own.values("pk")).count())
    names = {f.name for f in records} | query.names
    texts = Q()
    for literal in (preview.identifiers | names):
        texts |= Q(title__icontains=literal) | Q(body__icontains=literal)
    preview.notifications = Notification.objects.filter(
        texts, organization=actor.organization).count()
    return preview


def person_export(*, actor: Actor, query: PersonQuery) -> dict[str, Any]:
    """The data held about one person, as JSON (the right of access): the records, their
    follow-ups and the history of each record."""
    preview = person_preview(actor=actor, query=query)
    data: dict[str, Any] = {}
    for source in registry.sources():
        for key, rows in source.export(organization=actor.organization,
                                       found=preview.records).items():
            data.setdefault(key, []).extend(rows)
    objects = Q()
    for found in preview.records:
        objects |= Q(object_type=found.object_type, object_id=found.object_id)
    data["history"] = [] if not preview.records else [
        {"object": f"{r.object_type}:{r.object_id}", "action": r.action,
         "at": r.created_at.isoformat(), "changes": r.changes}
        for r in ChangeRecord.objects.filter(objects, organization=actor.organization)
        .order_by("pk")]
    return data

"""Erasing one person's personal data on request (PIPL / GDPR), keeping the audit trail.

In one transaction: every record found for the person (person-type customers, contacts,
leads) keeps its id, links and business fields but its name becomes "Erased person #<id>"
and its phones, email, WeChat id, address, notes and free-text custom values are emptied;
the follow-ups linked to them lose their text and files; merge snapshots, the search index,
the audit history of those records and notifications lose the person's values; and one
audit record of the erasure itself is written (who, when, why, which records). Orders,
payments, deals and quotes stay attached to the pseudonymized records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.audit import redaction
from kehu.core.notifications.models import Notification
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.privacy import registry, selectors
from kehu.customers.privacy.personal import REDACTED, CustomKinds, Scrubber, pseudonym
from kehu.customers.privacy.registry import Outcome, PersonQuery

ERASURE_TYPE = "privacy.erasure"


@dataclass
class Erasure:
    records: list[str] = field(default_factory=list)  # "customers.contact:5"
    counts: dict[str, int] = field(default_factory=dict)
    change_record_id: int | None = None


def _personal(kinds: CustomKinds):
    fields = registry.personal_fields()

    def personal(object_type: str, key: str) -> bool:
        if key.startswith("custom."):
            return kinds.is_personal(object_type, key.removeprefix("custom."))
        return key in fields.get(object_type, ())

    return personal


@transaction.atomic
def person_erase(*, actor: Actor, query: PersonQuery, reason: str,
                 only: set[str] | None = None) -> Erasure:
    """Erase the person's data from every record found for `query` (or only those whose
    key is in `only`). `reason` (the request reference) is required. Running it again finds
    nothing left and changes nothing."""
    scoping.require_admin(actor)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say which request this erasure answers.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    preview = selectors.person_preview(actor=actor, query=query)
    found = [f for f in preview.records if only is None or f.key in only]
    if not found:
        return Erasure()
    identifiers = dict.fromkeys(preview.identifiers, REDACTED)
    names = {f.name for f in found} | query.names
    kinds = CustomKinds(actor.organization)
    scrubber = Scrubber({**dict.fromkeys(names, _("Erased person")), **identifiers}, kinds)

    outcome = Outcome()
    for source in registry.sources():
        mine = [f for f in found if f.object_type in source.personal_fields]
        if mine:
            outcome.add(source.erase(actor=actor, found=mine, scrubber=scrubber))
    organization = actor.organization
    reprs = {(f.object_type, f.object_id): pseudonym(f.object_id) for f in found}
    audit_rows = redaction.redact_objects(
        organization=organization, objects=outcome.redact, personal=_personal(kinds),
        replacements=scrubber.replacements, reprs=reprs)
    touched = {t: ids - outcome.redact.get(t, set()) for t, ids in outcome.touched.items()}
    audit_rows += redaction.redact_objects(
        organization=organization, objects=touched, personal=lambda _t, _k: False,
        replacements=scrubber.replacements)
    audit_rows += redaction.redact_mentions(organization=organization, replacements=identifiers)
    notifications = scrubber.rows(Notification.objects.filter(organization=organization),
                                  ["title", "body"])

    keys = [f.key for f in found]
    record = redaction.erasure_record(
        actor=actor, object_type=ERASURE_TYPE, object_id=found[0].object_id,
        object_repr=_("Personal data request"), erased=keys,
        reason=scrubber.replace(reason))
    counts = {**outcome.counts, "audit_records": audit_rows, "notifications": len(notifications)}
    return Erasure(records=keys, counts=counts, change_record_id=record.pk)

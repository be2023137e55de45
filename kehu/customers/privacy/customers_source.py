"""A person's data in the customer module: person-type customers, contacts, their follow-ups
and files, merge snapshots, and the search index.

Company customers are not erased (they are not a person) but lose the person's values from
their free text, as do the rows of every module registered in relations.py (tasks, deals,
orders, quotes…): those rows stay, with their amounts and links, so revenue does not change.
Files of the person's follow-ups are deleted, not kept: a photo of a visit or a scanned ID
is personal data and there is no way to redact inside it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.customers import dedup, indexing, relations
from kehu.customers.models import Attachment, Contact, Customer, FollowUp, MergeRecord
from kehu.customers.privacy.personal import REDACTED, Scrubber, is_erased, pseudonym
from kehu.customers.privacy.registry import Found, Outcome, PersonQuery

CUSTOMER = "customers.customer"
CONTACT = "customers.contact"
FOLLOW_UP = "customers.followup"
CUSTOMER_FIELDS = ("short_name", "address", "phone", "email", "website", "notes")
CONTACT_FIELDS = ("mobile", "phone", "email", "wechat", "notes")
# Text of a company customer that may carry a contact's details (not its name: a company
# named after its owner keeps its name, the dedup keys depend on it).
COMPANY_FIELDS = ("address", "phone", "email", "notes")


class CustomerSource:
    personal_fields = {
        CUSTOMER: frozenset({"name", *CUSTOMER_FIELDS}),
        CONTACT: frozenset({"name", *CONTACT_FIELDS}),
        FOLLOW_UP: frozenset({"content", "location", "latitude", "longitude"}),
    }

    def find(self, *, organization, query: PersonQuery) -> list[Found]:
        found: list[Found] = []
        if not query:
            return found
        people = (Customer.objects.filter(organization=organization, kind=Customer.Kind.PERSON)
                  .filter(Q(phone__in=query.phones) | Q(email__in=query.emails)
                          | Q(name__in=query.names))
                  .annotate(n_follow_ups=Count("follow_ups", distinct=True),
                            n_files=Count("follow_ups__attachments", distinct=True))
                  .order_by("pk"))
        for customer in people:
            if is_erased(customer.name, customer.pk,
                         *(getattr(customer, f) for f in CUSTOMER_FIELDS)):
                continue
            found.append(Found(
                object_type=CUSTOMER, object_id=customer.pk, name=customer.name,
                kind=_("Customer (person)"),
                url=reverse("customers:customer-detail", args=[customer.pk]),
                phones=_present(customer.phone), emails=_present(customer.email),
                related=(("follow_ups", customer.n_follow_ups),
                         ("files", customer.n_files))))
        contacts = (Contact.objects.filter(organization=organization)
                    .filter(Q(mobile__in=query.phones) | Q(phone__in=query.phones)
                            | Q(email__in=query.emails) | Q(name__in=query.names))
                    .select_related("customer")
                    .annotate(n_follow_ups=Count("follow_ups", distinct=True),
                              n_files=Count("follow_ups__attachments", distinct=True))
                    .order_by("pk"))
        for contact in contacts:
            if is_erased(contact.name, contact.pk,
                         *(getattr(contact, f) for f in CONTACT_FIELDS)):
                continue
            found.append(Found(
                object_type=CONTACT, object_id=contact.pk, name=contact.name,
                kind=_("Contact of %(customer)s") % {"customer": contact.customer.name},
                url=reverse("customers:customer-detail", args=[contact.customer_id]),
                phones=_present(contact.mobile, contact.phone), emails=_present(contact.email),
                others=_present(contact.wechat),
                related=(("follow_ups", contact.n_follow_ups),
                         ("files", contact.n_files))))
        return found

    def erase(self, *, actor, found: list[Found], scrubber: Scrubber) -> Outcome:
        organization = actor.organization
        outcome = Outcome()
        person_ids = {f.object_id for f in found if f.object_type == CUSTOMER}
        contact_ids = {f.object_id for f in found if f.object_type == CONTACT}
        now = timezone.now()
        for customer in Customer.objects.filter(organization=organization, pk__in=person_ids):
            name = pseudonym(customer.pk)
            Customer.objects.filter(pk=customer.pk).update(
                name=name, name_key=dedup.name_key(name), domain_key="",
                custom_data=scrubber.kinds.keep(CUSTOMER, customer.custom_data),
                version=F("version") + 1, updated_at=now,
                **dict.fromkeys(CUSTOMER_FIELDS, ""))
        contacts = list(Contact.objects.filter(organization=organization, pk__in=contact_ids))
        for contact in contacts:
            Contact.objects.filter(pk=contact.pk).update(
                name=pseudonym(contact.pk),
                custom_data=scrubber.kinds.keep(CONTACT, contact.custom_data),
                version=F("version") + 1, updated_at=now,
                **dict.fromkeys(CONTACT_FIELDS, ""))
        affected = person_ids | {c.customer_id for c in contacts}
        companies = affected - person_ids

        follow_ups = list(FollowUp.objects.filter(organization=organization).filter(
            Q(customer_id__in=person_ids) | Q(contact_id__in=contact_ids)))
        for follow_up in follow_ups:
            FollowUp.objects.filter(pk=follow_up.pk).update(
                content=REDACTED, location="", latitude=None, longitude=None,
                custom_data=scrubber.kinds.keep(FOLLOW_UP, follow_up.custom_data),
                version=F("version") + 1, updated_at=now)
        follow_up_ids = {f.pk for f in follow_ups}
        outcome.counts["files"] = _delete_attachments(follow_up_ids)

        outcome.counts["merges"] = _redact_merges(organization, person_ids, affected, scrubber)
        for relation in relations.all_relations():
            rows = relation.model._default_manager.filter(
                organization=organization, **{f"{relation.field}_id__in": affected})
            outcome.counts["mentions"] += len(scrubber.rows(rows))
            outcome.touched[relation.model._meta.label_lower] |= set(
                rows.values_list("pk", flat=True))
        companies_qs = Customer.objects.filter(organization=organization, pk__in=companies)
        phones_or_emails = [v for v in scrubber.replacements if v.startswith("+") or "@" in v]
        for name in ("phone", "email"):
            companies_qs.filter(**{f"{name}__in": phones_or_emails}).update(**{name: ""})
        outcome.counts["mentions"] += len(scrubber.rows(companies_qs, COMPANY_FIELDS))
        outcome.touched[CUSTOMER] |= companies

        outcome.redact[CUSTOMER] |= person_ids
        outcome.redact[CONTACT] |= contact_ids
        outcome.redact[FOLLOW_UP] |= follow_up_ids
        outcome.counts["records"] += len(person_ids) + len(contacts)
        outcome.counts["follow_ups"] += len(follow_up_ids)
        indexing.reindex(affected)
        return outcome

    def export(self, *, organization, found: list[Found]) -> dict[str, list[dict[str, Any]]]:
        person_ids = [f.object_id for f in found if f.object_type == CUSTOMER]
        contact_ids = [f.object_id for f in found if f.object_type == CONTACT]
        customers = Customer.objects.filter(organization=organization, pk__in=person_ids)
        contacts = Contact.objects.filter(organization=organization, pk__in=contact_ids)
        follow_ups = (FollowUp.objects.filter(organization=organization)
                      .filter(Q(customer_id__in=person_ids) | Q(contact_id__in=contact_ids))
                      .prefetch_related("attachments"))
        return {
            "customers": [{"id": c.pk, **audit.snapshot(c)} for c in customers],
            "contacts": [{"id": c.pk, **audit.snapshot(c)} for c in contacts],
            "follow_ups": [{"id": f.pk, **audit.snapshot(f),
                            "files": [a.original_name for a in f.attachments.all()]}
                           for f in follow_ups],
        }


def _present(*values: str) -> tuple[str, ...]:
    return tuple(v for v in values if v)


def _delete_attachments(follow_up_ids: set[int]) -> int:
    attachments = Attachment.objects.filter(follow_up_id__in=follow_up_ids)
    names = list(attachments.values_list("file", flat=True))
    attachments.delete()

    def remove_files() -> None:
        for name in names:
            default_storage.delete(name)

    # the files go only once the rows are gone for good
    transaction.on_commit(remove_files)
    return len(names)


def _redact_merges(organization, person_ids: set[int], affected: set[int],
                   scrubber: Scrubber) -> int:
    """Merge snapshots keep a survivor's old fields for undo. Those of an erased person are
    redacted and marked, so undo refuses instead of restoring the person's data; the rest
    only lose the person's values from their text."""
    merges = MergeRecord.objects.filter(organization=organization).filter(
        Q(survivor_id__in=affected) | Q(merged_id__in=affected))
    count = 0
    for merge in merges:
        before = scrubber.value(merge.survivor_before)
        if merge.survivor_id in person_ids or merge.merged_id in person_ids:
            fields = before.get("fields", {})
            before = {**before, "erased": True,
                      "custom": scrubber.kinds.keep(CUSTOMER, before.get("custom", {})),
                      "fields": {
                name: (REDACTED if fields.get(name) and (name == "name"
                                                        or name in CUSTOMER_FIELDS)
                       else value)
                for name, value in fields.items()}}
        if before != merge.survivor_before:
            MergeRecord.objects.filter(pk=merge.pk).update(survivor_before=before)
            count += 1
    return count

"""Keeping the search index in step with customers and their contacts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from kehu.core.search import index
from kehu.core.search.tokens import document

OBJECT_TYPE = "customers.customer"


def customer_document(customer, contacts: Iterable = ()) -> set[str]:
    contacts = list(contacts)
    return document(
        texts=[customer.name, customer.short_name, *(c.name for c in contacts)],
        phones=[customer.phone, *(c.mobile for c in contacts), *(c.phone for c in contacts)],
        emails=[customer.email, *(c.email for c in contacts)],
    )


def reindex(customer_ids: Iterable[int]) -> None:
    """Rebuild the entries of these customers; deleted or merged ones leave the index."""
    from kehu.customers.models import Contact, Customer

    ids = list(customer_ids)
    if not ids:
        return
    customers = list(Customer.objects.filter(pk__in=ids).only(
        "id", "organization_id", "name", "short_name", "phone", "email", "deleted_at"))
    contacts = defaultdict(list)
    for contact in Contact.objects.filter(customer_id__in=ids).only(
            "customer_id", "name", "mobile", "phone", "email"):
        contacts[contact.customer_id].append(contact)
    live = [c for c in customers if c.deleted_at is None]
    gone = set(ids) - {c.pk for c in live}
    index.remove(OBJECT_TYPE, gone)
    index.upsert(OBJECT_TYPE, [(c.organization_id, c.pk, customer_document(c, contacts[c.pk]))
                               for c in live])


def rebuild(*, organization_id: int, batch_size: int = 5000, fresh: bool = False) -> int:
    """Index every live customer of an organization (after a bulk load), a range of ids at a
    time, reading plain tuples rather than model instances, one transaction per batch.
    `fresh`: none of them was indexed before, so there is nothing to replace."""
    from kehu.customers.models import Contact, Customer

    customers = (Customer.objects.filter(organization_id=organization_id,
                                         deleted_at__isnull=True).order_by("pk"))
    count, last_id = 0, 0
    while True:
        rows = list(customers.filter(pk__gt=last_id)
                    .values_list("pk", "name", "short_name", "phone", "email")[:batch_size])
        if not rows:
            return count
        last_id = rows[-1][0]
        contacts = defaultdict(list)
        for customer_id, *values in (Contact.objects
                                     .filter(customer_id__gte=rows[0][0], customer_id__lte=last_id)
                                     .values_list("customer_id", "name", "mobile", "phone",
                                                  "email")):
            contacts[customer_id].append(values)
        with transaction.atomic():
            index.upsert(OBJECT_TYPE, [
                (organization_id, pk, document(
                    texts=[name, short_name, *(c[0] for c in contacts[pk])],
                    phones=[phone, *(p for c in contacts[pk] for p in (c[1], c[2]))],
                    emails=[email, *(c[3] for c in contacts[pk])]))
                for pk, name, short_name, phone, email in rows], replace=not fresh)
        count += len(rows)

"""Contacts of a customer. Writing one is editing the customer (same permission)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.core.common import records
from kehu.core.permissions.actor import Actor
from kehu.customers import indexing
from kehu.customers.models import Contact, Customer
from kehu.customers.services.customers import normalize_phone


def normalized_values(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    for field in ("mobile", "phone"):
        if field in values:
            values[field] = normalize_phone(values[field] or "", field)
    if values.get("email"):
        values["email"] = values["email"].lower()
    return values


def _one_primary(contact: Contact) -> None:
    if contact.is_primary:
        (Contact.objects.filter(customer_id=contact.customer_id, is_primary=True)
         .exclude(pk=contact.pk).update(is_primary=False))


@transaction.atomic
def contact_create(*, actor: Actor, customer: Customer, values: dict[str, Any],
                   custom: dict[str, Any] | None = None) -> Contact:
    values = normalized_values(values)
    if not Contact.objects.filter(customer=customer).exists():
        values.setdefault("is_primary", True)
    contact = records.create_record(actor=actor, model=Contact,
                                    values={**values, "customer": customer}, custom=custom)
    _one_primary(contact)
    indexing.reindex([customer.pk])
    return contact


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, values: dict[str, Any],
                   custom: dict[str, Any] | None = None, version: int | None = None) -> Contact:
    values = normalized_values({k: v for k, v in values.items() if k != "customer"})
    contact = records.update_record(actor=actor, instance=contact, values=values,
                                    custom=custom, version=version)
    _one_primary(contact)
    indexing.reindex([contact.customer_id])
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact) -> None:
    customer_id = contact.customer_id
    records.delete_record(actor=actor, instance=contact)
    indexing.reindex([customer_id])

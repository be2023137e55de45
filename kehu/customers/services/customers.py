"""Writes to the customer archive: create and edit with the duplicate check, delete to the
recycle bin and restore."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.accounts.phones import normalize_login_phone
from kehu.core.common import records
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor
from kehu.customers import dedup, indexing
from kehu.customers.models import Customer

DEDUP_FIELDS = ("name", "phone", "email", "website")


class DuplicateFound(DomainError):
    """Probable duplicates exist; the caller shows them and may confirm to save anyway."""

    def __init__(self, candidates: list[dedup.Candidate]) -> None:
        super().__init__("duplicate", _("This looks like a customer you already have."),
                         details={"candidates": [asdict(c) for c in candidates]})
        self.candidates = candidates


def normalize_phone(raw: str, field: str = "phone") -> str:
    if not raw:
        return ""
    phone = normalize_login_phone(str(raw))
    if not phone:
        raise ValidationError({field: _("Enter a valid phone number.")})
    return phone


def normalized_values(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for name in ("name", "short_name", "email", "website", "address", "industry", "source"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if values.get("email"):
        values["email"] = values["email"].lower()
    if values.get("website") and "://" not in values["website"]:
        values["website"] = f"https://{values['website']}"
    if "phone" in values:
        values["phone"] = normalize_phone(values["phone"] or "")
    return values


def dedup_keys(customer_values: dict[str, Any]) -> dict[str, str]:
    return {"name_key": dedup.name_key(customer_values.get("name", "")),
            "domain_key": dedup.domain_key(customer_values.get("website", ""),
                                           customer_values.get("email", ""))}


def check_duplicates(*, actor: Actor, values: dict[str, Any],
                     exclude_id: int | None = None) -> list[dedup.Candidate]:
    return dedup.find_duplicates(organization=actor.organization, exclude_id=exclude_id,
                                 **{f: values.get(f) or "" for f in DEDUP_FIELDS})


@transaction.atomic
def customer_create(*, actor: Actor, values: dict[str, Any],
                    custom: dict[str, Any] | None = None,
                    allow_duplicates: bool = False) -> Customer:
    """Raises DuplicateFound unless `allow_duplicates` when probable duplicates exist."""
    values = normalized_values(values)
    if not allow_duplicates and (candidates := check_duplicates(actor=actor, values=values)):
        raise DuplicateFound(candidates)
    customer = records.create_record(actor=actor, model=Customer,
                                     values={**values, **dedup_keys(values)}, custom=custom)
    indexing.reindex([customer.pk])
    return customer


@transaction.atomic
def customer_update(*, actor: Actor, customer: Customer, values: dict[str, Any],
                    custom: dict[str, Any] | None = None, version: int | None = None,
                    allow_duplicates: bool = False) -> Customer:
    values = normalized_values(values)
    merged = {f: values.get(f, getattr(customer, f)) for f in DEDUP_FIELDS}
    dedup_changed = any(f in values and values[f] != getattr(customer, f) for f in DEDUP_FIELDS)
    if dedup_changed and not allow_duplicates and (
            candidates := check_duplicates(actor=actor, values=merged, exclude_id=customer.pk)):
        raise DuplicateFound(candidates)
    customer = records.update_record(actor=actor, instance=customer,
                                     values={**values, **dedup_keys(merged)}, custom=custom,
                                     version=version)
    indexing.reindex([customer.pk])
    return customer


@transaction.atomic
def customer_delete(*, actor: Actor, customer: Customer) -> None:
    """Into the recycle bin: contacts, follow-ups and history stay, restorable."""
    records.delete_record(actor=actor, instance=customer)
    indexing.reindex([customer.pk])


@transaction.atomic
def customer_restore(*, actor: Actor, customer: Customer) -> Customer:
    if customer.merged_into_id is not None:
        raise DomainError("merged", _("This customer was merged; undo the merge instead."))
    records.restore_record(actor=actor, instance=customer)
    indexing.reindex([customer.pk])
    return customer

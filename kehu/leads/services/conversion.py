"""Converting a lead (线索转化) into a customer, a contact and an opportunity in one step.

A probable duplicate customer stops the conversion (DuplicateFound, with the candidates) unless
the caller attaches the lead to an existing customer or confirms a new one anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.common import records
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Contact, Customer
from kehu.customers.services import contacts as contact_services
from kehu.customers.services import customers as customer_services
from kehu.leads.models import Lead
from kehu.leads.services.leads import lead_claim
from kehu.sales.models import Opportunity
from kehu.sales.services import opportunities as opportunity_services


@dataclass
class Conversion:
    lead: Lead
    customer: Customer
    contact: Contact | None
    opportunity: Opportunity | None
    customer_created: bool


def customer_values(lead: Lead, owner_id: int | None) -> dict:
    return {"kind": Customer.Kind.COMPANY if lead.company else Customer.Kind.PERSON,
            "name": lead.company or lead.name, "industry": lead.industry,
            "source": lead.get_source_display()[:60], "province": lead.province,
            "city": lead.city, "phone": lead.phone or lead.mobile, "email": lead.email,
            "owner_id": owner_id}


def default_opportunity_name(lead: Lead) -> str:
    return (lead.company or lead.name)[:200]


@transaction.atomic
def lead_convert(*, actor: Actor, lead: Lead, existing_customer: Customer | None = None,
                 create_anyway: bool = False, create_opportunity: bool = True,
                 opportunity_name: str = "", amount: Decimal | None = None) -> Conversion:
    """Raises DomainError `already_converted` / `disqualified`, and DuplicateFound (409 with
    `candidates`) when the new customer looks like one the organization already has."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status == Lead.Status.CONVERTED:
        raise DomainError("already_converted", _("This lead was already converted."))
    if locked.status == Lead.Status.DISQUALIFIED:
        raise DomainError("disqualified",
                          _("This lead is disqualified; reopen it before converting it."))
    lead = locked
    if lead.owner_id is None and actor.user is not None:
        lead = lead_claim(actor=actor, lead=lead)
    owner_id = lead.owner_id or getattr(actor.user, "pk", None)
    created = existing_customer is None
    if created:
        customer = customer_services.customer_create(
            actor=actor, values=customer_values(lead, owner_id),
            allow_duplicates=create_anyway)
    else:
        customer = existing_customer
    contact = contact_services.contact_create(actor=actor, customer=customer, values={
        "name": lead.name, "title": lead.title, "mobile": lead.mobile, "phone": lead.phone,
        "email": lead.email, "wechat": lead.wechat})
    opportunity = None
    if create_opportunity:
        opportunity = opportunity_services.opportunity_create(actor=actor, values={
            "customer": customer, "contact": contact,
            "name": (opportunity_name or default_opportunity_name(lead))[:200],
            "amount": amount or Decimal("0"), "owner_id": owner_id,
            "source": lead.get_source_display()[:60]})
    lead = records.update_record(actor=actor, instance=lead, values={
        "status": Lead.Status.CONVERTED, "disqualify_reason": "",
        "converted_at": timezone.now(), "converted_customer": customer,
        "converted_contact": contact, "converted_opportunity": opportunity})
    return Conversion(lead=lead, customer=customer, contact=contact, opportunity=opportunity,
                      customer_created=created)

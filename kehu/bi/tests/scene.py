"""Two organizations with a bit of everything, made through the services, and custom fields."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from kehu.catalog.tests.factories import ProductFactory
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, team
from kehu.core.customfields import services as customfields
from kehu.core.tenancy.models import Organization
from kehu.customers import services as customers
from kehu.customers.models import Customer
from kehu.leads.services import leads
from kehu.orders import services as orders
from kehu.sales.tests.factories import opportunity

EVIL = "=HYPERLINK(\"http://evil.example\",\"x\")"
FIELDS = [
    ("region", "select", {"choices": ["华东", "华北"]}),
    ("budget", "decimal", {}),
    ("signed", "boolean", {}),
    ("founded", "date", {}),
    ("headcount", "integer", {}),
    ("deal-size", "money", {}),
    ("channels", "multiselect", {"choices": ["线上", "线下"]}),
]


@dataclass
class Scene:
    organization: Organization
    customers: list[Customer]


def build(name: str, customer_names: list[str], *, amount: str = "12345.67") -> Scene:
    organization = OrganizationFactory(name=name)
    rep_membership = member(organization, "sales_rep", team=team(organization, "华东"))
    rep = actor_for(rep_membership)
    admin = actor_for(admin_of(organization))
    for key, kind, options in FIELDS:
        customfields.field_definition_create(actor=admin, object_type="customers.customer",
                                             key=key, label=key.title(), kind=kind, **options)
    made = []
    for index, customer_name in enumerate(customer_names):
        custom = {"region": "华东", "budget": "1234.50", "signed": True,
                  "founded": "2020-01-02", "headcount": 120,
                  "deal-size": {"amount": "99.90", "currency": "USD"},
                  "channels": ["线上", "线下"]} if index == 0 else {}
        customer = customers.customer_create(actor=rep, values={"name": customer_name},
                                             custom=custom, allow_duplicates=True)
        contact = customers.contact_create(actor=rep, customer=customer,
                                           values={"name": f"联系人{index}", "title": "-经理"})
        customers.follow_up_create(actor=rep, customer=customer,
                                   values={"content": f"电话沟通 {index}", "contact": contact})
        made.append(customer)
    opportunity(rep_membership, customer=made[0], amount=amount)
    order = orders.order_create(actor=rep, values={"customer": made[0], "title": "年度服务合同"},
                                lines=[{"name": "实施服务", "quantity": "3",
                                        "unit_price": "333.67", "tax_rate": "0"}])
    order = orders.order_set_status(actor=rep, order=order, status="signed",
                                    signed_on=datetime.date(2026, 1, 5))
    instalment = orders.instalment_create(actor=rep, order=order, values={
        "sequence": 1, "due_on": datetime.date(2026, 2, 1), "amount": Decimal("600.00")})
    orders.payment_create(actor=rep, order=order, values={
        "amount": Decimal("333.33"), "instalment": instalment,
        "received_on": datetime.date(2026, 2, 1)})
    orders.invoice_create(actor=rep, order=order, values={
        "number": f"INV-{organization.pk}", "amount": Decimal("1001.01"),
        "issued_on": datetime.date(2026, 2, 2)})
    ProductFactory(organization=organization)
    leads.lead_create(actor=rep, values={"name": "张三", "company": "某公司"})
    return Scene(organization=organization, customers=made)

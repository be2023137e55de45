"""A small organization with data in every reportable object, written directly (scene setting,
not the behaviour under test): two teams, a manager, two reps, an admin."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kehu.core.accounts.models import Membership, Team
from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    member,
    team,
)
from kehu.core.customfields import services as cf_services
from kehu.core.tenancy.models import Organization
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory
from kehu.leads.tests.factories import LeadFactory
from kehu.orders.models import Order, Payment
from kehu.sales.tests.factories import OpportunityFactory, stage

TZ_DAY = datetime.timedelta(days=1)


@dataclass
class Scene:
    org: Organization
    admin: Membership
    manager: Membership
    rep: Membership
    other_rep: Membership
    east: Team
    west: Team


def local(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def build() -> Scene:
    org = OrganizationFactory()
    admin = admin_of(org)
    east, west = team(org, "East"), team(org, "West")
    scene = Scene(org=org, admin=admin, manager=member(org, "sales_manager", team=east),
                  rep=member(org, "sales_rep", team=east),
                  other_rep=member(org, "sales_rep", team=west), east=east, west=west)
    admin_actor = actor_for(admin)
    cf_services.field_definition_create(actor=admin_actor, object_type="sales.opportunity",
                                        key="region", label="Region", kind="select",
                                        choices=["north", "south"])
    cf_services.field_definition_create(actor=admin_actor, object_type="sales.opportunity",
                                        key="score", label="Score", kind="integer")
    cf_services.field_definition_create(actor=admin_actor, object_type="sales.opportunity",
                                        key="signed", label="Signed", kind="date")
    owners = [scene.rep, scene.other_rep, scene.manager, scene.rep]
    stages = [stage(org, "open"), stage(org, "open", 1), stage(org, "won"), stage(org, "lost")]
    customers = {m.pk: CustomerFactory(organization=org, owner=m.user, team=m.team)
                 for m in owners}
    for i in range(24):
        owner = owners[i % 4]
        custom: dict = {}
        if i % 3:
            custom["region"] = "north" if i % 2 else "south"
        if i % 5:
            custom["score"] = i * 7 % 11
        if i % 4 == 1:
            custom["signed"] = f"2026-{i % 12 + 1:02d}-{i + 1:02d}"
        OpportunityFactory(
            organization=org, customer=customers[owner.pk], stage=stages[i % 4],
            owner=owner.user, team=owner.team, amount=Decimal(1000 + i * 137) / 4,
            currency="USD" if i == 23 else "CNY", custom_data=custom,
            created_at=local(2026, i % 7 + 1, i % 28 + 1, (i * 5) % 24),
            expected_close_on=datetime.date(2026, (i * 5) % 12 + 1, 15))
    for i, owner in enumerate(owners * 2):
        customer = customers[owner.pk]
        ContactFactory(customer=customer, name=f"=cmd{i}" if i == 0 else f"联系人{i}",
                       role="purchaser" if i % 2 else "")
        FollowUpFactory(customer=customer, author=owner.user, kind="visit" if i % 3 else "call",
                        happened_at=local(2026, 3, i + 1, 23))
        LeadFactory(organization=org, owner=owner.user if i % 3 else None,
                    status="new" if i % 2 else "contacted", created_at=local(2026, 2, i + 1))
        order = Order.objects.create(
            organization=org, number=f"SO-{i}", title=f"合同{i}", customer=customer,
            status="signed", signed_on=datetime.date(2026, i % 4 + 1, 3),
            amount=Decimal("5000.50") + i, owner=owner.user, team=owner.team)
        for k in range(i % 3 + 1):
            Payment.objects.create(organization=org, order=order,
                                   amount=Decimal("100.10") * (k + 1),
                                   received_on=datetime.date(2026, 5, k + i + 1),
                                   method="cash" if k else "bank")
    return scene

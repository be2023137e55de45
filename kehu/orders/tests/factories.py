"""Scene setting for the order tests: won opportunities written directly (not the behaviour
under test), orders through the order services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kehu.core.common.testing import actor_for
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders import services
from kehu.orders.models import Order
from kehu.sales.models import Opportunity, OpportunityLine, Stage
from kehu.sales.services.pipelines import pipeline_default


def won_opportunity(membership, *, amount: Decimal = Decimal("10000.00"), customer=None,
                    lines: list[tuple[str, str, str]] = ()) -> Opportunity:
    """A won opportunity owned by `membership`'s user, with (name, quantity, unit price)
    product lines."""
    organization = membership.organization
    customer = customer or CustomerFactory(organization=organization, owner=membership.user)
    pipeline = pipeline_default(organization=organization)
    stage = Stage.objects.filter(pipeline=pipeline, kind="won").first()
    opportunity = Opportunity.objects.create(
        organization=organization, name="华东区 ERP 升级", customer=customer, pipeline=pipeline,
        stage=stage, status="won", amount=amount, currency="CNY", owner=membership.user,
        team=membership.team)
    for position, (name, quantity, price) in enumerate(lines):
        quantity, price = Decimal(quantity), Decimal(price)
        OpportunityLine.objects.create(
            organization=organization, opportunity=opportunity, name=name, quantity=quantity,
            unit_price=price, total=quantity * price, position=position)
    return opportunity


def order_for(membership, *, amount: Decimal | str = "10000.00", signed: bool = True,
              customer=None, signed_on: datetime.date | None = None) -> Order:
    """An order owned by `membership`'s user, signed unless told otherwise."""
    actor = actor_for(membership)
    customer = customer or CustomerFactory(organization=membership.organization,
                                           owner=membership.user)
    order = services.order_create(actor=actor, values={
        "customer": customer, "title": "年度服务合同", "amount": Decimal(amount)})
    if signed:
        order = services.order_set_status(actor=actor, order=order, status="signed",
                                          signed_on=signed_on or datetime.date(2026, 1, 5))
    return order

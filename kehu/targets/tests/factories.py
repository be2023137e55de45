"""Setting the scene for target tests: opportunities through the sales service, orders and
payments written directly (the orders module owns their services)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from kehu.core.common.testing import actor_for
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders.models import Order, Payment
from kehu.sales.models import LostReason, Stage
from kehu.sales.services import opportunities, pipelines


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def opportunity(membership, amount: str, *, kind: str = Stage.Kind.WON,
                closed_on: datetime.date | None = None, hour: int = 10):
    """An opportunity of `membership`'s user in a stage of `kind` (won/lost/open)."""
    actor = actor_for(membership)
    pipeline = pipelines.pipeline_default(organization=actor.organization)
    stage = pipeline.stages.filter(kind=kind).order_by("position").first()
    customer = CustomerFactory(organization=actor.organization, owner=membership.user)
    values = {"name": f"商机 {amount}", "customer": customer, "amount": Decimal(amount),
              "stage": stage}
    if kind == Stage.Kind.LOST:
        values["lost_reason"] = LostReason.objects.filter(
            organization=actor.organization).first()
    if closed_on is not None:
        values["closed_at"] = at(closed_on, hour)
    return opportunities.opportunity_create(actor=actor, values=values)


_numbers = iter(range(1, 1_000_000))


def payment(membership, amount: str, received_on: datetime.date) -> Payment:
    org = membership.organization
    customer = CustomerFactory(organization=org, owner=membership.user)
    order = Order.objects.create(organization=org, number=f"SO-{next(_numbers)}",
                                 title="合同", customer=customer, owner=membership.user,
                                 team=membership.team, status=Order.Status.SIGNED,
                                 amount=Decimal(amount) * 2)
    return Payment.objects.create(organization=org, order=order, amount=Decimal(amount),
                                  received_on=received_on, recorded_by=membership.user)

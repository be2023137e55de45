"""Scene-setting for the sales tests: opportunities made through the service (so they have a
stage history), or written directly in bulk (`OpportunityFactory`) for board sizes."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kehu.core.common.testing import actor_for
from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.models import Opportunity, Stage
from kehu.sales.services import opportunities as services
from kehu.sales.services.pipelines import first_open_stage, pipeline_default


def stage(org, kind: str = "open", index: int = 0) -> Stage:
    pipeline = pipeline_default(organization=org)
    return list(pipeline.stages.filter(kind=kind).order_by("position"))[index]


def opportunity(membership, *, customer=None, amount: str = "10000", **values) -> Opportunity:
    """An opportunity owned by `membership`, created by them through the service."""
    org = membership.organization
    customer = customer or CustomerFactory(organization=org, owner=membership.user,
                                           team=membership.team)
    values.setdefault("name", "测试商机")
    return services.opportunity_create(actor=actor_for(membership), values={
        "customer": customer, "amount": Decimal(amount), **values})


class OpportunityFactory(DjangoModelFactory):
    """A row written directly (no audit, no history). Pass organization, customer, stage."""

    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"商机{n}")
    pipeline = factory.SelfAttribute("stage.pipeline")
    amount = Decimal("1000.00")
    weighted_amount = factory.LazyAttribute(
        lambda o: services.weighted(o.amount, o.stage, "CNY"))
    status = factory.LazyAttribute(lambda o: o.stage.kind)
    board_rank = factory.Sequence(float)


__all__ = ["CustomerFactory", "OpportunityFactory", "first_open_stage", "opportunity",
           "stage"]

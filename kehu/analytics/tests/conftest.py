"""A generated sales history for the sales-analytics tests, and the plain-Python reading of
its raw rows that the tests compare the pages and the API with.

Deterministic for a seed: about 90 opportunities over the last ten months and the coming
ones, each with a stage history (some skip stages, some are reopened data-wise never), owned
by two reps of 华东, one of 华西, the manager and the admin; a few in USD, a few in the recycle
bin, and one in another organization.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.core.common import money
from kehu.core.common.testing import OrganizationFactory, admin_of, member, team
from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.models import LostReason, Opportunity, Stage, StageChange
from kehu.sales.services.pipelines import pipeline_default
from kehu.sales.tests.factories import OpportunityFactory

SEED = 20261123
COUNT = 90


@dataclass
class World:
    org: object
    admin: object
    manager: object
    a: object
    b: object
    c: object
    stages: list[Stage]
    opportunities: list[Opportunity]
    changes: dict[int, list[StageChange]] = field(default_factory=dict)

    def open_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.kind == Stage.Kind.OPEN]

    @property
    def won_stage(self) -> Stage:
        return next(s for s in self.stages if s.kind == Stage.Kind.WON)

    def visible_to(self, membership) -> list[Opportunity]:
        """The rows `membership` may see, read off the raw rows: admins all, a manager of
        the subtree their team's (and their own), a rep their own; never the deleted ones."""
        rows = [o for o in self.opportunities if o.deleted_at is None]
        key = membership.role.key
        if key == "admin":
            return rows
        if key == "sales_manager":
            teams = {t.pk for t in type(membership.team).objects.filter(
                path__startswith=membership.team.path)}
            return [o for o in rows if o.owner_id == membership.user_id or o.team_id in teams]
        return [o for o in rows if o.owner_id == membership.user_id]


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(
        day, datetime.time(rng.randrange(0, 24), rng.randrange(0, 60))))


def build_world(seed: int = SEED, count: int = COUNT) -> World:
    rng = random.Random(seed)
    org = OrganizationFactory()
    root = team(org, "销售部")
    east, west = team(org, "华东", parent=root), team(org, "华西", parent=root)
    admin = admin_of(org)
    manager = member(org, "sales_manager", team=east)
    reps = [member(org, "sales_rep", team=east), member(org, "sales_rep", team=east),
            member(org, "sales_rep", team=west)]
    owners = [*reps, *reps, manager, admin]
    pipeline = pipeline_default(organization=org)
    stages = list(pipeline.stages.order_by("position", "id"))
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    won = next(s for s in stages if s.kind == Stage.Kind.WON)
    lost = next(s for s in stages if s.kind == Stage.Kind.LOST)
    reasons = list(LostReason.objects.filter(organization=org))
    now = timezone.now()
    today = timezone.localdate()
    opportunities, changes = [], {}
    for n in range(count):
        owner = rng.choice(owners)
        customer = CustomerFactory(organization=org, owner=owner.user, team=owner.team)
        created = now - datetime.timedelta(days=rng.uniform(0.5, 300))
        # a path through the open stages, sometimes skipping one, then maybe closed
        path = [s for s in open_stages[:rng.randrange(1, len(open_stages) + 1)]
                if s is open_stages[0] or rng.random() > 0.2]
        end = rng.choice(["open", "open", "won", "lost"])
        if end != "open":
            path.append(won if end == "won" else lost)
        moments = sorted(created + (now - created) * rng.random() for _ in path[1:])
        moments = [created, *moments]
        final = path[-1]
        amount = Decimal(rng.randrange(5, 800) * 100).quantize(money.ZERO)
        opportunity = OpportunityFactory(
            organization=org, customer=customer, stage=final, owner=owner.user,
            team=owner.team, amount=amount, created_at=created, stage_entered_at=moments[-1],
            currency="USD" if n % 17 == 5 else "CNY",
            closed_at=moments[-1] if final.is_closed else None,
            lost_reason=rng.choice(reasons) if final.kind == Stage.Kind.LOST else None,
            expected_close_on=(today + datetime.timedelta(days=rng.randrange(-60, 200))
                               if rng.random() > 0.1 else None),
            deleted_at=now if n % 23 == 7 else None)
        rows, previous = [], None
        for index, (stage, moment) in enumerate(zip(path, moments, strict=True)):
            seconds = int((moment - moments[index - 1]).total_seconds()) if index else 0
            rows.append(StageChange.objects.create(
                organization=org, opportunity=opportunity, from_stage=previous, to_stage=stage,
                changed_at=moment, seconds_in_previous=seconds, amount=amount))
            previous = stage
        opportunities.append(opportunity)
        changes[opportunity.pk] = rows
    _elsewhere()
    return World(org=org, admin=admin, manager=manager, a=reps[0], b=reps[1], c=reps[2],
                 stages=stages, opportunities=opportunities, changes=changes)


def _elsewhere() -> None:
    """A won deal of another organization, which no figure may count."""
    other = OrganizationFactory()
    admin = admin_of(other)
    won = next(s for s in pipeline_default(organization=other).stages.all()
               if s.kind == Stage.Kind.WON)
    customer = CustomerFactory(organization=other, owner=admin.user)
    opportunity = OpportunityFactory(organization=other, customer=customer, stage=won,
                                     owner=admin.user, closed_at=timezone.now(),
                                     expected_close_on=timezone.localdate())
    StageChange.objects.create(organization=other, opportunity=opportunity, to_stage=won)


@pytest.fixture
def world(db) -> World:
    return build_world()

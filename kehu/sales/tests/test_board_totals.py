"""The kanban's stored column totals (kept by database triggers) always equal a live GROUP BY
over the opportunities, whatever wrote them: saves, bulk inserts, bulk updates, soft deletes,
restores, hard deletes — and the board a manager sees reads them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.sales import board_totals, selectors
from kehu.sales.models import BoardTotal, Opportunity
from kehu.sales.services.pipelines import pipeline_default
from kehu.sales.tests.factories import CustomerFactory, OpportunityFactory, opportunity

pytestmark = pytest.mark.django_db


def stored(org) -> dict[tuple[int, int], tuple[int, Decimal, Decimal]]:
    return {(row.stage_id, row.owner_id): (row.count, Decimal(row.amount_cents) / 100,
                                           Decimal(row.weighted_cents) / 100)
            for row in BoardTotal.objects.filter(organization=org) if row.count}


def live(org) -> dict[tuple[int, int], tuple[int, Decimal, Decimal]]:
    rows = (Opportunity.objects.filter(organization=org, deleted_at__isnull=True)
            .order_by().values("stage_id", "owner_id")
            .annotate(n=Count("id"), a=Sum("amount"), w=Sum("weighted_amount")))
    return {(row["stage_id"], row["owner_id"] or 0): (row["n"], Decimal(row["a"]),
                                                      Decimal(row["w"]))
            for row in rows}


@pytest.fixture
def scene():
    org = OrganizationFactory()
    reps = [member(org, "sales_rep"), member(org, "sales_rep")]
    stages = list(pipeline_default(organization=org).stages.order_by("position"))
    customer = CustomerFactory(organization=org)
    return org, [rep.user for rep in reps], stages, customer


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
steps = st.lists(st.one_of(
    st.tuples(st.just("create"), st.integers(0, 20), st.integers(0, 2), amounts),
    st.tuples(st.just("bulk_create"), st.integers(1, 5), st.integers(0, 20), st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 20)),
    st.tuples(st.just("amount"), st.integers(0, 50), amounts),
    st.tuples(st.just("owner"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("soft_delete"), st.integers(0, 50)),
    st.tuples(st.just("restore"), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("move_all"), st.integers(0, 20), st.integers(0, 20)),
), max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
def test_stored_totals_equal_a_live_group_by_after_any_writes(scene, steps):
    org, users, stages, customer = scene
    owners = [None, *users]

    def pick(index):
        rows = list(Opportunity.objects.filter(organization=org).order_by("pk"))
        return rows[index % len(rows)] if rows else None

    for name, *args in steps:
        if name == "create":
            stage, owner, amount = stages[args[0] % len(stages)], owners[args[1]], args[2]
            OpportunityFactory(organization=org, customer=customer, stage=stage,
                               owner=owner, amount=amount)
        elif name == "bulk_create":
            stage, owner = stages[args[1] % len(stages)], owners[args[2]]
            Opportunity.objects.bulk_create(
                OpportunityFactory.build(organization=org, customer=customer, stage=stage,
                                         owner=owner) for _ in range(args[0]))
        elif (row := pick(args[0])) is None:
            continue
        elif name == "move":
            stage = stages[args[1] % len(stages)]
            Opportunity.objects.filter(pk=row.pk).update(stage=stage, pipeline=stage.pipeline)
        elif name == "amount":
            row.amount = row.weighted_amount = args[1]
            row.save()
        elif name == "owner":
            Opportunity.objects.filter(pk=row.pk).update(owner=owners[args[1]])
        elif name == "soft_delete":
            Opportunity.objects.filter(pk=row.pk).update(deleted_at=timezone.now())
        elif name == "restore":
            Opportunity.objects.filter(pk=row.pk).update(deleted_at=None)
        elif name == "delete":
            row.delete()
        elif name == "move_all":
            source, target = stages[args[0] % len(stages)], stages[args[1] % len(stages)]
            Opportunity.objects.filter(organization=org, stage=source).update(stage=target)
        assert stored(org) == live(org), (name, args)


def test_a_manager_reads_the_stored_totals_and_a_rep_sums_only_their_own():
    org = OrganizationFactory()
    rep, other = member(org, "sales_rep"), member(org, "sales_rep")
    opportunity(rep, amount="1000.10")
    opportunity(other, amount="5000")
    pipeline = pipeline_default(organization=org)
    first = pipeline.stages.order_by("position").first()
    # a total the opportunities do not explain shows that the manager's board reads the table
    BoardTotal.objects.filter(stage=first, owner_id=other.user.pk).update(count=7)

    manager = selectors.board_totals(actor=actor_for(admin_of(org)), pipeline=pipeline)
    mine = selectors.board_totals(actor=actor_for(rep), pipeline=pipeline)

    assert manager[first.pk]["count"] == 8
    assert manager[first.pk]["amount"] == Decimal("6000.10")
    assert mine[first.pk]["count"] == 1
    assert mine[first.pk]["amount"] == Decimal("1000.10")


def test_totals_put_back_after_the_triggers_went_missing_count_what_was_written_meanwhile(
        scene):
    org, users, stages, customer = scene
    board_totals.uninstall(connection)
    OpportunityFactory(organization=org, customer=customer, stage=stages[0], owner=users[0])

    board_totals.ensure_installed(connection)

    assert board_totals.installed(connection)
    assert stored(org) == live(org) != {}


def test_opportunities_deleted_after_their_totals_bring_no_negative_totals_back(scene):
    # the order of a cascade or of a test database flush: the totals may go first
    org, users, stages, customer = scene
    OpportunityFactory(organization=org, customer=customer, stage=stages[0], owner=users[0])
    BoardTotal.objects.filter(organization=org).delete()

    Opportunity.objects.filter(organization=org).delete()

    assert not BoardTotal.objects.filter(organization=org).exists()

"""Opportunity and pipeline services: stage moves and their history, won/lost, weighted
amounts, lines, versions, and the pipeline rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.catalog.models import Product
from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError, StaleWrite
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.customers.models import Customer
from kehu.sales import selectors
from kehu.sales.models import LostReason, Opportunity, StageChange
from kehu.sales.services import lines, opportunities, pipelines
from kehu.sales.tests.factories import CustomerFactory, opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


def reason(org):
    return LostReason.objects.filter(organization=org).first()


def test_create_puts_it_in_the_first_stage_with_weighted_amount(org, rep):
    opp = opportunity(rep, amount="10000")
    assert opp.stage == stage(org, "open", 0)
    assert opp.weighted_amount == Decimal("1000.00")  # 10 %
    assert opp.status == "open" and opp.owner_id == rep.user_id
    assert StageChange.objects.filter(opportunity=opp, from_stage=None).count() == 1


def test_stage_move_records_history_and_time_in_stage(org, rep):
    # given an opportunity that sat an hour in its first stage
    opp = opportunity(rep, amount="10000")
    Opportunity.objects.filter(pk=opp.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(hours=1))
    proposal = stage(org, "open", 2)
    # when
    moved = opportunities.opportunity_move_stage(actor=actor_for(rep), opportunity=opp,
                                                 stage=proposal, version=opp.version)
    # then
    change = StageChange.objects.filter(opportunity=opp).order_by("-id").first()
    assert (change.from_stage, change.to_stage) == (stage(org, "open", 0), proposal)
    assert 3590 <= change.seconds_in_previous <= 3700
    assert moved.weighted_amount == Decimal("5000.00")
    assert moved.version == opp.version + 1
    assert ChangeRecord.objects.filter(object_type="sales.opportunity", object_id=opp.pk,
                                       action="update").exists()
    history = selectors.stage_history(actor=actor_for(rep), opportunity=moved)
    assert [v.stage for v in history] == [stage(org, "open", 0), proposal]
    assert history[0].seconds == change.seconds_in_previous


def test_won_sets_closed_at_and_the_customers_last_won_at(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user, status="potential")
    opp = opportunity(rep, customer=customer)
    won = opportunities.opportunity_win(actor=actor_for(rep), opportunity=opp)
    assert won.status == "won" and won.closed_at is not None
    assert won.weighted_amount == won.amount
    customer.refresh_from_db()
    assert customer.last_won_at == won.closed_at
    assert customer.status == Customer.Status.ACTIVE


def test_lost_needs_a_reason(org, rep):
    opp = opportunity(rep)
    with pytest.raises(DomainError) as refused:
        opportunities.opportunity_move_stage(actor=actor_for(rep), opportunity=opp,
                                             stage=stage(org, "lost"))
    assert refused.value.code == "lost_reason_required"
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    lost = opportunities.opportunity_lose(actor=actor_for(rep), opportunity=opp,
                                          lost_reason=reason(org), note="太贵")
    assert (lost.status, lost.lost_reason, lost.lost_note) == ("lost", reason(org), "太贵")
    assert lost.closed_at is not None and lost.weighted_amount == 0


def test_reopening_clears_closed_at_and_the_reason(org, rep):
    opp = opportunity(rep)
    lost = opportunities.opportunity_lose(actor=actor_for(rep), opportunity=opp,
                                          lost_reason=reason(org))
    reopened = opportunities.opportunity_reopen(actor=actor_for(rep), opportunity=lost)
    assert (reopened.status, reopened.closed_at, reopened.lost_reason) == ("open", None, None)


def test_stale_version_is_refused(org, rep):
    opp = opportunity(rep)
    opportunities.opportunity_update(actor=actor_for(rep), opportunity=opp,
                                     values={"name": "新名字"}, version=1)
    with pytest.raises(StaleWrite):
        opportunities.opportunity_move_stage(actor=actor_for(rep), opportunity=opp,
                                             stage=stage(org, "open", 1), version=1)


def test_weighted_amount_follows_the_stage_probability(org, rep):
    admin = actor_for(admin_of(org))
    opp = opportunity(rep, amount="2000")
    opportunities.opportunity_update(actor=actor_for(rep), opportunity=opp,
                                     values={"amount": Decimal("3000")}, version=1)
    assert Opportunity.objects.get(pk=opp.pk).weighted_amount == Decimal("300.00")
    pipelines.stage_update(actor=admin, stage=opp.stage, values={"probability": 40})
    assert Opportunity.objects.get(pk=opp.pk).weighted_amount == Decimal("1200.00")


def test_lines_make_the_amount(org, rep):
    opp = opportunity(rep, amount="1")
    product = Product.objects.create(organization=org, sku="A-1", name="年费版",
                                     list_price=Decimal("100.00"), tax_rate=Decimal("13"))
    actor = actor_for(rep)
    line = lines.line_create(actor=actor, opportunity=opp, values={
        "product": product, "quantity": Decimal("3"), "discount_percent": Decimal("10")})
    assert line.name == "年费版"
    assert line.total == Decimal("305.10")  # 300 − 30 + 13 % tax
    opp.refresh_from_db()
    assert opp.amount == Decimal("305.10")
    with pytest.raises(ValidationError):
        opportunities.opportunity_update(actor=actor, opportunity=opp,
                                         values={"amount": Decimal("5")})
    lines.line_update(actor=actor, line=line, values={"quantity": Decimal("1")})
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("101.70")
    lines.line_delete(actor=actor, line=line)
    assert not opp.lines.exists()


def test_card_positions_between_neighbours(org, rep):
    actor = actor_for(rep)
    first, second, third = (opportunity(rep, name=n) for n in ("一", "二", "三"))
    column = stage(org, "open", 0)
    order = lambda: list(Opportunity.objects.filter(stage=column)  # noqa: E731
                         .order_by("board_rank", "id").values_list("name", flat=True))
    assert order() == ["三", "二", "一"]  # new cards on top
    opportunities.opportunity_move_stage(actor=actor, opportunity=third, stage=column,
                                         after_id=second.pk, before_id=first.pk)
    assert order() == ["二", "三", "一"]
    opportunities.opportunity_move_stage(actor=actor, opportunity=second, stage=column,
                                         after_id=first.pk)
    assert order() == ["三", "一", "二"]


def test_pipeline_keeps_exactly_one_won_stage(org):
    admin = actor_for(admin_of(org))
    pipeline = pipelines.pipeline_default(organization=org)
    won = stage(org, "won")
    with pytest.raises(DomainError) as refused:
        pipelines.stage_update(actor=admin, stage=won, values={"kind": "open"})
    assert refused.value.code == "won_stage_required"
    with pytest.raises(DomainError):
        pipelines.stage_create(actor=admin, pipeline=pipeline, name="又赢了", kind="won")
    with pytest.raises(DomainError):
        pipelines.stage_update(actor=admin, stage=won, values={"is_active": False})
    with pytest.raises(DomainError) as no_lost:
        pipelines.stage_update(actor=admin, stage=stage(org, "lost"),
                               values={"is_active": False})
    assert no_lost.value.code == "lost_stage_required"
    assert stage(org, "won").kind == "won"


def test_stage_with_opportunities_is_deactivated_not_deleted(org, rep):
    admin = actor_for(admin_of(org))
    opp = opportunity(rep)
    with pytest.raises(DomainError) as refused:
        pipelines.stage_delete(actor=admin, stage=opp.stage)
    assert refused.value.code == "stage_in_use"
    pipelines.stage_update(actor=admin, stage=opp.stage, values={"is_active": False})
    pipeline = pipelines.pipeline_default(organization=org)
    extra = pipelines.stage_create(actor=admin, pipeline=pipeline, name="试用", probability=30)
    pipelines.stage_delete(actor=admin, stage=extra)


def test_new_pipeline_and_lost_reasons(org):
    admin = actor_for(admin_of(org))
    pipeline = pipelines.pipeline_create(actor=admin, name="渠道销售")
    assert pipeline.stages.filter(kind="won").count() == 1
    with pytest.raises(ValidationError):
        pipelines.pipeline_create(actor=admin, name="渠道销售")
    reason_ = pipelines.lost_reason_create(actor=admin, name="项目取消")
    pipelines.lost_reason_update(actor=admin, reason=reason_,
                                 values={"name": "项目终止", "is_active": False})
    assert not LostReason.objects.get(pk=reason_.pk).is_active
    with pytest.raises(DomainError):
        pipelines.pipeline_update(actor=admin, pipeline=pipelines.pipeline_default(
            organization=org), values={"is_active": False})


def test_reps_cannot_change_settings(org, rep):
    with pytest.raises(DomainError):
        pipelines.pipeline_create(actor=actor_for(rep), name="我的流程")


def test_delete_and_restore(org):
    admin = admin_of(org)
    opp = opportunity(admin)
    opportunities.opportunity_delete(actor=actor_for(admin), opportunity=opp)
    assert not selectors.opportunity_list(actor=actor_for(admin)).filter(pk=opp.pk).exists()
    deleted = selectors.opportunity_get(actor=actor_for(admin), pk=opp.pk, deleted=True)
    opportunities.opportunity_restore(actor=actor_for(admin), opportunity=deleted)
    assert selectors.opportunity_list(actor=actor_for(admin)).filter(pk=opp.pk).exists()

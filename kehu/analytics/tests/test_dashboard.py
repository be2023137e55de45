"""The home page per role: a rep's day, pipeline and targets; a manager's cached team view
with its age; an admin's adoption table. Figures against the raw rows, and their lists."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kehu.analytics import dashboards
from kehu.analytics.tests.conftest import local_day
from kehu.analytics.tests.test_funnel import list_rows
from kehu.core.common import money
from kehu.core.common.testing import actor_for, api_client, member, web_client
from kehu.customers.tests.factories import CustomerFactory, FollowUpFactory
from kehu.targets import services as target_services
from kehu.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def home(membership):
    client = web_client(membership)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return client, response


def task(membership, due_on, kind=Task.Kind.CALL, done=False):
    return Task.objects.create(organization=membership.organization, owner=membership.user,
                               team=membership.team, title=f"任务 {due_on}", kind=kind,
                               due_on=due_on, done_at=timezone.now() if done else None)


def test_a_rep_sees_their_day_pipeline_and_targets(world):
    rep = world.a
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    task(rep, today), task(rep, today), task(rep, today, done=True)
    task(rep, yesterday, kind=Task.Kind.FOLLOW_UP), task(rep, yesterday)
    task(world.b, yesterday, kind=Task.Kind.FOLLOW_UP)
    month = today.replace(day=1)
    target_services.target_create(actor=actor_for(world.manager), values={
        "user": rep.user, "period_kind": "month", "period_start": month,
        "metric": "won_amount", "amount": Decimal("100000.00")})
    client, response = home(rep)
    context = response.context
    assert "team" not in context and "adoption" not in context
    tasks = context["my_tasks"]
    assert (tasks.today_count, tasks.overdue_count, tasks.overdue_follow_ups) == (2, 2, 1)
    # the pipeline: own open deals in the organization's currency, per stage
    expected = defaultdict(lambda: [0, money.ZERO, money.ZERO])
    for o in world.visible_to(rep):
        if o.status == "open" and o.currency == "CNY":
            expected[o.stage_id][0] += 1
            expected[o.stage_id][1] += o.amount
            expected[o.stage_id][2] += o.weighted_amount
    pipeline = context["my_pipeline"]
    assert {r.stage_id: [r.count, r.amount, r.weighted] for r in pipeline.rows} == expected
    for row in pipeline.rows:
        assert len(list_rows(client, row.url)) == row.count
    assert len(list_rows(client, pipeline.url)) == pipeline.count
    # the target: won this month by hand, and the won deals behind it
    (target,) = context["my_targets"]
    won = sum((o.amount for o in world.visible_to(rep) if o.status == "won"
               and o.currency == "CNY" and local_day(o.closed_at) >= month), money.ZERO)
    assert target.progress.actual == won
    assert sum((o.amount for o in list_rows(client, target.url)), money.ZERO) == won


def test_a_manager_sees_the_team_view_with_its_age_and_drill_down(world):
    client, response = home(world.manager)
    team = response.context["team"]
    html = response.content.decode()
    assert 'data-testid="as-of"' in html
    assert timezone.localtime(team.computed_at).strftime("%H:%M") in html
    assert 'id="home-funnel-chart"' in html and "vendor/echarts.min.js" in html
    # the ranking: the manager's subtree only, each actual equal to its list of won deals
    visible_owners = {o.owner_id for o in world.visible_to(world.manager)}
    assert {item.row.user_id for item in team.ranking} <= visible_owners | {
        world.manager.user_id}
    assert world.c.user_id not in {item.row.user_id for item in team.ranking}
    for item in team.ranking:
        rows = list_rows(client, item.url)
        assert sum((o.amount for o in rows), money.ZERO) == item.row.actual
    for step in team.funnel.steps:
        assert len(list_rows(client, step.current_url)) == step.current


def test_the_team_view_is_cached_a_minute_per_viewer(world, django_assert_max_num_queries):
    actor = actor_for(world.manager)
    first = dashboards.team_view_cached(actor=actor)
    with django_assert_max_num_queries(2):
        again = dashboards.team_view_cached(actor=actor)
    assert again.computed_at == first.computed_at
    # another viewer gets figures of their own scope, not the manager's cached ones
    other = dashboards.team_view_cached(actor=actor_for(world.admin))
    assert other.ranking_size > first.ranking_size


def test_the_team_view_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    actor = actor_for(world.admin)
    with django_assert_max_num_queries(30):
        dashboards.team_view(actor=actor)


def test_an_admin_sees_adoption_including_members_without_follow_ups(world):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    this_week = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(9)))
    customer = CustomerFactory(organization=world.org, owner=world.a.user)
    for _ in range(3):
        FollowUpFactory(customer=customer, author=world.a.user, happened_at=this_week)
    FollowUpFactory(customer=customer, author=world.b.user, happened_at=this_week)
    FollowUpFactory(customer=customer, author=world.b.user,
                    happened_at=this_week - datetime.timedelta(days=3))
    idle = member(world.org, "sales_rep")
    _client, response = home(world.admin)
    rows = {row.user_id: row.follow_ups for row in response.context["adoption"]}
    assert rows[world.a.user_id] == 3
    assert rows[world.b.user_id] == 1
    assert rows[idle.user_id] == 0 and rows[world.c.user_id] == 0
    assert response.context["adoption"][0].follow_ups == 0
    api = api_client(world.admin).get("/api/v1/analytics/adoption")
    assert {r["user_id"]: r["follow_ups"] for r in api.json()} == rows
    assert api_client(world.a).get("/api/v1/analytics/adoption").status_code == 403


def test_dashboard_api_per_role(world):
    rep = api_client(world.a).get("/api/v1/analytics/dashboard").json()
    assert rep["team"] is None and rep["my_pipeline"] is not None
    assert isinstance(rep["my_pipeline"]["amount"], str)
    manager = api_client(world.manager).get("/api/v1/analytics/dashboard").json()
    assert manager["my_pipeline"] is None
    assert manager["team"]["cache_seconds"] == dashboards.CACHE_SECONDS
    assert len(manager["team"]["forecast"]["months"]) == 6

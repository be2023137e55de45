import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.testing import actor_for
from kehu.sales.models import Stage
from kehu.targets import selectors, services
from kehu.targets.models import Target
from kehu.targets.tests.factories import opportunity, payment

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)
NOVEMBER = selectors.Period.of("month", datetime.date(2026, 11, 17))


def set_target(manager, subject, amount, metric="won_amount", kind="month", day=NOV):
    key = "team" if hasattr(subject, "path") else "user"
    return services.target_create(actor=actor_for(manager), values={
        key: subject, "period_kind": kind, "period_start": day, "metric": metric,
        "amount": Decimal(amount)})


@pytest.fixture
def sales(people):
    """Opportunities of November 2026 and around it."""
    a, b, c = people["a"], people["b"], people["c"]
    rows = {
        "a_won_1": opportunity(a, "1000.00", closed_on=datetime.date(2026, 11, 5)),
        "a_won_2": opportunity(a, "250.50", closed_on=datetime.date(2026, 11, 30), hour=23),
        "a_lost": opportunity(a, "999.00", kind=Stage.Kind.LOST,
                              closed_on=datetime.date(2026, 11, 6)),
        "a_open": opportunity(a, "777.00", kind=Stage.Kind.OPEN),
        "a_october": opportunity(a, "5000.00", closed_on=datetime.date(2026, 10, 31), hour=23),
        "a_december": opportunity(a, "4000.00", closed_on=datetime.date(2026, 12, 1), hour=0),
        "b_won": opportunity(b, "300.00", closed_on=datetime.date(2026, 11, 2)),
        "c_won": opportunity(c, "2000.00", closed_on=datetime.date(2026, 11, 20)),
    }
    return rows


def test_period_normalizes_and_steps():
    quarter = selectors.Period.of("quarter", datetime.date(2026, 11, 17))
    assert (quarter.start, quarter.end) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert quarter.previous.start == datetime.date(2026, 7, 1)
    assert quarter.next.start == datetime.date(2027, 1, 1)
    assert selectors.Period.of("year", NOV).last_day == datetime.date(2026, 12, 31)
    assert NOVEMBER.previous.start == datetime.date(2026, 10, 1)


def test_won_amount_progress_is_the_sum_of_won_opportunities_in_the_period(people, sales):
    # given: a's November target; by hand: only the two won deals closed in November count
    expected = sales["a_won_1"].amount + sales["a_won_2"].amount
    assert expected == Decimal("1250.50")
    target = set_target(people["manager"], people["a"].user, "2500.00")
    # when
    rows = selectors.target_progress(actor=actor_for(people["manager"]), period=NOVEMBER)
    # then
    row = next(r for r in rows if r.target.pk == target.pk)
    assert row.actual == expected
    assert row.percent == Decimal("50.0")


def test_collected_progress_is_the_sum_of_payments_in_the_period(people):
    a = people["a"]
    raw = [payment(a, "100.00", datetime.date(2026, 11, 1)),
           payment(a, "23.45", datetime.date(2026, 11, 30))]
    payment(a, "999.00", datetime.date(2026, 10, 31))
    payment(a, "888.00", datetime.date(2026, 12, 1))
    payment(people["b"], "50.00", datetime.date(2026, 11, 3))
    target = set_target(people["manager"], a.user, "1000.00", metric="collected")
    rows = selectors.target_progress(actor=actor_for(people["manager"]), period=NOVEMBER)
    row = next(r for r in rows if r.target.pk == target.pk)
    assert row.actual == sum(p.amount for p in raw) == Decimal("123.45")
    assert row.percent == Decimal("12.3")


def test_team_target_sums_its_members_and_sub_teams(people, sales):
    east = set_target(people["manager"], people["east"], "1000.00")
    root = set_target(people["manager"], people["root"], "10000.00")
    rows = {r.target.pk: r for r in
            selectors.target_progress(actor=actor_for(people["manager"]), period=NOVEMBER)}
    assert rows[east.pk].actual == Decimal("1250.50") + Decimal("300.00")
    assert rows[east.pk].member_count == 2
    assert rows[root.pk].actual == Decimal("1250.50") + Decimal("300.00") + Decimal("2000.00")
    assert rows[root.pk].percent == Decimal("35.5")


def test_progress_takes_one_group_by_per_metric(people, sales, django_assert_max_num_queries):
    manager = people["manager"]
    for rep in ("a", "b", "c"):
        set_target(manager, people[rep].user, "1000.00")
        set_target(manager, people[rep].user, "1000.00", metric="collected")
    set_target(manager, people["root"], "5000.00")
    actor = actor_for(manager)
    actor.team_ids_in_scope  # noqa: B018 - computed once per request anyway
    with django_assert_max_num_queries(8):
        rows = selectors.target_progress(actor=actor, period=NOVEMBER)
    assert len(rows) == 7


def test_ranking_orders_people_and_rep_sees_only_self(people, sales):
    set_target(people["manager"], people["a"].user, "2000.00")
    ranking = selectors.target_ranking(actor=actor_for(people["manager"]), period=NOVEMBER,
                                       metric="won_amount")
    by_user = [(r.rank, r.user_id, r.actual) for r in ranking]
    assert by_user[:3] == [(1, people["c"].user_id, Decimal("2000.00")),
                           (2, people["a"].user_id, Decimal("1250.50")),
                           (3, people["b"].user_id, Decimal("300.00"))]
    assert people["outsider"].user_id not in {r.user_id for r in ranking}
    a_row = next(r for r in ranking if r.user_id == people["a"].user_id)
    assert (a_row.target, a_row.percent, a_row.team_name) == (Decimal("2000.00"),
                                                              Decimal("62.5"), "华东")
    rep_view = selectors.target_ranking(actor=actor_for(people["a"]), period=NOVEMBER,
                                        metric="won_amount")
    assert [(r.user_id, r.actual) for r in rep_view] == [(people["a"].user_id,
                                                          Decimal("1250.50"))]


def test_rep_sees_only_own_targets(people):
    own = set_target(people["manager"], people["a"].user, "100.00")
    set_target(people["manager"], people["b"].user, "100.00")
    set_target(people["manager"], people["east"], "100.00")
    visible = list(selectors.target_list(actor=actor_for(people["a"])))
    assert visible == [own]


def test_create_normalizes_period_and_is_audited(people):
    target = set_target(people["manager"], people["a"].user, "100.00", kind="quarter",
                        day=datetime.date(2026, 11, 17))
    assert target.period_start == datetime.date(2026, 10, 1)
    assert target.currency == "CNY"
    assert ChangeRecord.objects.filter(object_type="targets.target", object_id=target.pk,
                                       action="create").exists()


def test_duplicate_and_bad_values_are_refused(people):
    manager = people["manager"]
    set_target(manager, people["a"].user, "100.00")
    with pytest.raises(ValidationError) as exc:
        set_target(manager, people["a"].user, "200.00", day=datetime.date(2026, 11, 20))
    assert "period_start" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        set_target(manager, people["b"].user, "-1")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        set_target(manager, people["outsider"].user, "1.00")
    assert "user" in exc.value.message_dict


def test_rep_cannot_set_targets(people):
    with pytest.raises(PermissionDeniedError):
        set_target(people["a"], people["a"].user, "100.00")


def test_target_set_updates_the_existing_one(people):
    manager = actor_for(people["manager"])
    values = {"user_id": people["a"].user_id, "period_kind": "month", "period_start": NOV,
              "metric": "won_amount", "amount": Decimal("100.00")}
    first = services.target_set(actor=manager, values=values)
    second = services.target_set(actor=manager, values={**values, "amount": Decimal("150")})
    assert first.pk == second.pk
    assert Target.objects.get(pk=first.pk).amount == Decimal("150.00")


def test_monthly_targets_for_a_team(people):
    count = services.targets_set_monthly(
        actor=actor_for(people["manager"]), team=people["east"], month=NOV,
        metric="won_amount", amounts={people["a"].user_id: Decimal("10"),
                                      people["b"].user_id: None})
    assert count == 1
    assert Target.objects.filter(user=people["a"].user, period_start=NOV).count() == 1
    assert not Target.objects.filter(user=people["b"].user).exists()


def test_ranking_takes_three_queries(people, sales, django_assert_num_queries):
    actor = actor_for(people["manager"])
    actor.team_ids_in_scope  # noqa: B018
    with django_assert_num_queries(3):
        rows = selectors.target_ranking(actor=actor, period=NOVEMBER, metric="collected")
    assert {r.user_id for r in rows} >= {people["a"].user_id, people["c"].user_id}

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, web_client
from kehu.targets import services
from kehu.targets.models import Target
from kehu.targets.tests.factories import opportunity

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PAGE = reverse("targets:target-page")
NOVEMBER = {"period": "month", "date": "2026-11-01", "metric": "won_amount"}


def ranking_users(response) -> list[int]:
    return [row.user_id for row in response.context["ranking"]]


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_manager_sees_the_team_ranking_and_progress(people):
    opportunity(people["a"], "1200.00", closed_on=datetime.date(2026, 11, 5))
    opportunity(people["c"], "3000.00", closed_on=datetime.date(2026, 11, 6))
    services.target_create(actor=actor_for(people["manager"]), values={
        "user": people["a"].user, "period_start": datetime.date(2026, 11, 1),
        "amount": Decimal("2400")})
    response = web_client(people["manager"]).get(PAGE, NOVEMBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert ranking_users(response)[:2] == [people["c"].user_id, people["a"].user_id]
    assert people["outsider"].user_id not in ranking_users(response)
    assert "50.0%" in html  # a: 1200 of 2400
    assert 'data-testid="ranking"' in html
    assert 'id="target-editor"' in html


def test_rep_sees_only_own_row_and_no_editor(people):
    opportunity(people["b"], "500.00", closed_on=datetime.date(2026, 11, 5))
    response = web_client(people["a"]).get(PAGE, NOVEMBER)
    assert response.status_code == 200
    assert ranking_users(response) == [people["a"].user_id]
    assert 'id="target-editor"' not in response.content.decode()
    assert str(people["b"].user) not in response.content.decode()


def test_period_picker_links(people):
    response = web_client(people["a"]).get(PAGE, {"period": "quarter", "date": "2026-11-17"})
    context = response.context
    assert context["period"].start == datetime.date(2026, 10, 1)
    assert "date=2026-07-01" in context["previous_url"]
    assert "date=2027-01-01" in context["next_url"]


def test_htmx_period_change_returns_the_board(people):
    response = web_client(people["a"]).get(PAGE, NOVEMBER, headers=HTMX)
    html = response.content.decode()
    assert 'id="targets-board"' in html and "<html" not in html


def test_manager_sets_a_target_via_htmx(people):
    response = web_client(people["manager"]).post(reverse("targets:target-set"), {
        "subject": f"u:{people['b'].user_id}", "metric": "won_amount", "period": "month",
        "date": "2026-11-15", "amount": "8000", "currency": "CNY"}, headers=HTMX)
    assert response.status_code == 200
    assert "targets-changed" in response["HX-Trigger"]
    target = Target.objects.get(user=people["b"].user)
    assert (target.period_start, target.amount) == (datetime.date(2026, 11, 1),
                                                    Decimal("8000.00"))


@pytest.mark.parametrize("changes,field", [
    ({"amount": "-1"}, "amount"), ({"period": "week"}, "period"),
    ({"subject": ""}, "subject"), ({"amount": "abc"}, "amount")])
def test_invalid_target_is_422_with_the_field(people, changes, field):
    data = {"subject": f"u:{people['b'].user_id}", "metric": "won_amount", "period": "month",
            "date": "2026-11-15", "amount": "8000", "currency": "CNY", **changes}
    response = web_client(people["manager"]).post(reverse("targets:target-set"), data,
                                                  headers=HTMX)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Target.objects.exists()


def test_manager_cannot_target_someone_outside_the_team(people):
    response = web_client(people["manager"]).post(reverse("targets:target-set"), {
        "subject": f"u:{people['outsider'].user_id}", "metric": "won_amount",
        "period": "month", "date": "2026-11-15", "amount": "1", "currency": "CNY"},
        headers=HTMX)
    assert response.status_code == 422
    assert "subject" in response.context["form"].errors


def test_rep_cannot_set_or_delete(people):
    target = services.target_create(actor=actor_for(people["manager"]), values={
        "user": people["a"].user, "period_start": datetime.date(2026, 11, 1),
        "amount": Decimal("1")})
    client = web_client(people["a"])
    assert client.post(reverse("targets:target-set"), {}).status_code == 403
    assert client.post(reverse("targets:target-delete", args=[target.pk])).status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()


def test_other_organizations_target_is_404(people):
    stranger = OrganizationFactory()
    foreign = services.target_create(actor=actor_for(admin_of(stranger)), values={
        "user": admin_of(stranger).user, "period_start": datetime.date(2026, 11, 1),
        "amount": Decimal("1")})
    response = web_client(people["manager"]).post(
        reverse("targets:target-delete", args=[foreign.pk]), headers=HTMX)
    assert response.status_code == 404
    assert Target.objects.filter(pk=foreign.pk).exists()


def test_manager_deletes_a_target(people):
    target = services.target_create(actor=actor_for(people["manager"]), values={
        "user": people["a"].user, "period_start": datetime.date(2026, 11, 1),
        "amount": Decimal("1")})
    response = web_client(people["manager"]).post(
        reverse("targets:target-delete", args=[target.pk]), NOVEMBER, headers=HTMX)
    assert response.status_code == 200
    assert not Target.objects.filter(pk=target.pk).exists()


def test_team_monthly_targets_page(people):
    client = web_client(people["manager"])
    url = reverse("targets:team-targets")
    page = client.get(url, {"team": people["east"].pk, "date": "2026-11-01"})
    assert page.status_code == 200
    assert str(people["a"].user) in page.content.decode()
    assert str(people["c"].user) not in page.content.decode()
    response = client.post(url, {
        "team": people["east"].pk, "month": "2026-11", "metric": "won_amount",
        "currency": "CNY", f"amount_{people['a'].user_id}": "5000",
        f"amount_{people['b'].user_id}": ""})
    assert response.status_code == 302
    assert Target.objects.get(user=people["a"].user).amount == Decimal("5000.00")
    assert not Target.objects.filter(user=people["b"].user).exists()
    invalid = client.post(url, {
        "team": people["east"].pk, "month": "2026-11", "metric": "won_amount",
        "currency": "CNY", f"amount_{people['a'].user_id}": "-3"})
    assert invalid.status_code == 422
    assert f"amount_{people['a'].user_id}" in invalid.context["form"].errors
    assert client.get(url, {"team": people["other_team"].pk}).status_code == 404
    assert web_client(people["a"]).get(url).status_code == 403

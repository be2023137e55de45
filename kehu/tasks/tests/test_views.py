import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, actor_for, member, team, web_client
from kehu.customers.tests.factories import CustomerFactory
from kehu.tasks import services
from kehu.tasks.models import Task

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def people(org):
    east = team(org, "华东")
    return {"east": east, "manager": member(org, "sales_manager", team=east),
            "rep": member(org, "sales_rep", team=east),
            "other": member(org, "sales_rep", team=east),
            "outsider": member(org, "sales_rep", team=team(org, "华西"))}


def add(membership, title, due_on, **values):
    return services.task_create(actor=actor_for(membership),
                                values={"title": title, "due_on": due_on, **values})


def test_anonymous_is_sent_to_login(client):
    for name in ("tasks:my-day", "tasks:calendar"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_my_day_shows_overdue_today_and_upcoming_but_not_others(people):
    today = timezone.localdate()
    rep = people["rep"]
    add(rep, "昨天的电话", today - datetime.timedelta(days=1))
    add(rep, "今天的拜访", today)
    add(rep, "三天后的会议", today + datetime.timedelta(days=3))
    add(rep, "两周后", today + datetime.timedelta(days=14))
    done = add(rep, "已完成", today)
    services.task_complete(actor=actor_for(rep), task=done)
    add(people["other"], "别人的任务", today)
    response = web_client(rep).get(reverse("tasks:my-day"))
    assert response.status_code == 200
    html = response.content.decode()
    sections = {name: html.split(f'data-testid="{name}"')[1].split("</section>")[0]
                for name in ("overdue", "today", "upcoming")}
    assert "昨天的电话" in sections["overdue"]
    assert "今天的拜访" in sections["today"]
    assert "三天后的会议" in sections["upcoming"]
    assert "两周后" not in html
    assert "已完成" not in html
    assert "别人的任务" not in html


def test_task_done_via_htmx(people):
    rep = people["rep"]
    task = add(rep, "打电话", timezone.localdate())
    response = web_client(rep).post(reverse("tasks:task-done", args=[task.pk]), headers=HTMX)
    assert response.status_code == 200
    assert "tasks-changed" in response["HX-Trigger"]
    assert 'id="my-day"' in response.content.decode()
    assert "打电话" not in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is not None


def test_cannot_complete_someone_elses_task(people, org):
    task = add(people["other"], "别人的任务", timezone.localdate())
    response = web_client(people["rep"]).post(reverse("tasks:task-done", args=[task.pk]),
                                              headers=HTMX)
    assert response.status_code == 404
    stranger = member(OrganizationFactory(), "sales_manager")
    response = web_client(stranger).post(reverse("tasks:task-done", args=[task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_quick_add_with_customer(people, org):
    rep = people["rep"]
    customer = CustomerFactory(organization=org, owner=rep.user, name="星河科技")
    due = timezone.localdate() + datetime.timedelta(days=2)
    response = web_client(rep).post(reverse("tasks:task-quick-add"), {
        "title": "寄样品", "due_on": due.isoformat(), "kind": "other",
        "customer": customer.pk}, headers=HTMX)
    assert response.status_code == 200
    task = Task.objects.get(title="寄样品")
    assert (task.owner, task.customer, task.due_on) == (rep.user, customer, due)
    assert "寄样品" in response.content.decode()


def test_quick_add_invalid_is_422_with_the_field(people):
    response = web_client(people["rep"]).post(reverse("tasks:task-quick-add"), {
        "title": "  ", "due_on": "not-a-date", "kind": "other"}, headers=HTMX)
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) >= {"title", "due_on"}
    assert not Task.objects.exists()


def test_calendar_renders_tasks_on_their_days(people):
    rep = people["rep"]
    add(rep, "月初拜访", datetime.date(2026, 11, 2))
    add(rep, "月末报价", datetime.date(2026, 11, 30))
    add(rep, "十二月", datetime.date(2026, 12, 15))
    add(people["other"], "别人的", datetime.date(2026, 11, 2))
    response = web_client(rep).get(reverse("tasks:calendar"), {"month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()

    def day(date):
        return html.split(f'data-date="{date}"')[1].split('role="gridcell"')[0]

    assert "月初拜访" in day("2026-11-02")
    assert "月末报价" in day("2026-11-30")
    assert "月初拜访" not in day("2026-11-03")
    assert "十二月" not in html
    assert "别人的" not in html
    assert "month=2026-10" in html and "month=2026-12" in html
    assert 'name="member"' not in html  # a rep has no member filter


def test_manager_filters_the_calendar_by_member_within_scope(people):
    add(people["rep"], "下属的任务", datetime.date(2026, 11, 9))
    client = web_client(people["manager"])
    response = client.get(reverse("tasks:calendar"),
                          {"month": "2026-11", "member": people["rep"].user_id})
    assert response.status_code == 200
    assert "下属的任务" in response.content.decode()
    assert f"member={people['rep'].user_id}" in response.content.decode()
    outside = client.get(reverse("tasks:calendar"),
                         {"month": "2026-11", "member": people["outsider"].user_id})
    assert outside.status_code == 404
    rep_peeks = web_client(people["rep"]).get(
        reverse("tasks:calendar"), {"month": "2026-11", "member": people["other"].user_id})
    assert rep_peeks.status_code == 404


def test_calendar_with_a_bad_month_shows_this_month(people):
    response = web_client(people["rep"]).get(reverse("tasks:calendar"), {"month": "2026-13"})
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)

"""A shared report shows every viewer only their own rows; who may open and change it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.testing import actor_for, member
from kehu.reports import selectors, services
from kehu.reports.tests.scene import build
from kehu.sales.models import Opportunity

pytestmark = pytest.mark.django_db

BY_OWNER = {"object": "opportunities", "group_by": [{"field": "owner"}],
            "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}], "chart": "bar"}


def _report(owner, **values):
    return services.report_create(actor=actor_for(owner), values={
        "name": "按负责人", "definition": BY_OWNER, **values})


def test_a_rep_sees_only_own_rows_in_a_shared_report():
    scene = build()
    report = _report(scene.manager)
    services.report_share(actor=actor_for(scene.manager), report=report,
                          user_ids=[scene.rep.user_id])
    rep = actor_for(scene.rep)
    result = selectors.report_result(actor=rep, report=selectors.report_get(
        actor=rep, report_id=report.pk))
    mine = Opportunity.objects.filter(organization=scene.org, owner=scene.rep.user)
    assert [(r.keys, r.values[0]) for r in result.rows] == [
        ((str(scene.rep.user_id),), mine.count())]
    manager_rows = selectors.report_result(actor=actor_for(scene.manager), report=report).rows
    east = Opportunity.objects.filter(organization=scene.org, team=scene.east).count()
    assert sum(r.values[0] for r in manager_rows) == east  # subtree scope: the East team


def test_sharing_by_user_team_and_role():
    scene = build()
    report = _report(scene.manager)
    manager = actor_for(scene.manager)
    rep, other = actor_for(scene.rep), actor_for(scene.other_rep)
    readonly = actor_for(member(scene.org, "read_only"))

    def can_open(actor):
        return selectors.report_list(actor=actor).filter(pk=report.pk).exists()

    assert [can_open(a) for a in (rep, other, readonly)] == [False, False, False]
    services.report_share(actor=manager, report=report, team_ids=[scene.east.pk])
    assert [can_open(a) for a in (rep, other, readonly)] == [True, False, False]
    services.report_share(actor=manager, report=report,
                          role_ids=[readonly.membership.role_id])
    assert [can_open(a) for a in (rep, other, readonly)] == [False, False, True]
    assert can_open(actor_for(scene.admin))
    with pytest.raises(Http404):
        selectors.report_get(actor=other, report_id=report.pk)


def test_only_owner_or_admin_may_change_a_report():
    scene = build()
    report = _report(scene.rep)
    services.report_share(actor=actor_for(scene.rep), report=report,
                          user_ids=[scene.other_rep.user_id])
    other = actor_for(scene.other_rep)
    assert not selectors.can_edit(actor=other, report=report)
    with pytest.raises(PermissionDeniedError):
        services.report_update(actor=other, report=report, values={"name": "mine now"})
    with pytest.raises(PermissionDeniedError):
        services.report_share(actor=other, report=report, user_ids=[])
    admin = actor_for(scene.admin)
    services.report_update(actor=admin, report=report, values={"name": "改名"}, version=1)
    report.refresh_from_db()
    assert (report.name, report.version) == ("改名", 2)


def test_sharing_refuses_ids_of_another_organization():
    scene, elsewhere = build(), build()
    report = _report(scene.manager)
    with pytest.raises(ValidationError) as exc:
        services.report_share(actor=actor_for(scene.manager), report=report,
                              user_ids=[elsewhere.rep.user_id], team_ids=[elsewhere.east.pk])
    assert set(exc.value.message_dict) == {"user_ids", "team_ids"}


def test_pinned_reports_are_the_viewers_own_and_in_order():
    scene = build()
    first, second = _report(scene.rep, name="一"), _report(scene.rep, name="二")
    rep = actor_for(scene.rep)
    services.report_pin(actor=rep, report=second)
    services.report_pin(actor=rep, report=first)
    services.report_pin(actor=rep, report=second)  # pinning twice keeps one pin
    pinned = selectors.pinned_reports(rep)
    assert [p.report.pk for p in pinned] == [second.pk, first.pk]
    assert pinned[0].shown["table"][0]["url"].startswith(f"/reports/{second.pk}/rows/")
    assert selectors.pinned_reports(actor_for(scene.other_rep)) == []
    services.report_unpin(actor=rep, report=second)
    assert [p.report.pk for p in selectors.pinned_reports(rep)] == [first.pk]

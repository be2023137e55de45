"""Background jobs run as the actor (organization and user) they were queued for."""

import pytest

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.jobs import actor_task, for_each_organization
from kehu.customers import selectors, services
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@actor_task()
def count_visible_and_create(actor, name):
    services.customer_create(actor=actor, values={"name": name})
    return selectors.customer_list(actor=actor).count()


def test_a_job_acts_with_the_queuing_users_scope_and_is_audited_as_a_job():
    org = OrganizationFactory()
    rep = member(org, "sales_rep")
    CustomerFactory(organization=org, name="别人的", owner=admin_of(org).user)
    result = count_visible_and_create.enqueue(actor_for(rep), name="任务创建")
    assert result() == 1  # huey runs immediately in tests; the rep sees only their own
    record = ChangeRecord.objects.get(object_repr="任务创建")
    assert (record.user_id, record.via, record.organization_id) == (rep.user_id, "job", org.pk)


def test_periodic_work_runs_once_per_active_organization():
    first, second = OrganizationFactory(), OrganizationFactory()
    second.is_active = False
    second.save()
    seen = []
    for_each_organization(lambda actor: seen.append((actor.organization.pk, actor.is_system)))
    assert seen == [(first.pk, True)]


def test_notification_email_goes_out_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    from kehu.core.notifications.services import notify

    org = OrganizationFactory()
    user = admin_of(org).user
    with django_capture_on_commit_callbacks(execute=True):
        notify(organization=org, recipient=user, kind="test", title="明天回访", email=True)
    assert [m.subject for m in mailoutbox] == ["明天回访"]
    assert actor_for(admin_of(org)).organization == org

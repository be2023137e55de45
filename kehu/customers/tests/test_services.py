"""Contacts, follow-ups with reminders and files, the pool, merge and undo, segments, bulk."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, team
from kehu.core.customfields.services import field_definition_create
from kehu.core.notifications.models import Notification
from kehu.customers import selectors, services
from kehu.customers.models import Contact, Customer, FollowUp
from kehu.customers.tests.factories import CustomerFactory
from kehu.tasks import services as task_services
from kehu.tasks.models import Task

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return actor_for(admin_of(org))


@pytest.fixture
def rep(org):
    return member(org, "sales_rep", team=team(org, "华东组"))


def test_contacts_normalize_phones_and_keep_one_primary(admin):
    customer = services.customer_create(actor=admin, values={"name": "甲公司"})
    first = services.contact_create(actor=admin, customer=customer,
                                    values={"name": "张伟", "mobile": "138 1234 5678"})
    assert (first.mobile, first.is_primary) == ("+8613812345678", True)
    second = services.contact_create(actor=admin, customer=customer,
                                     values={"name": "李娜", "is_primary": True})
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    with pytest.raises(ValidationError) as error:
        services.contact_create(actor=admin, customer=customer,
                                values={"name": "王五", "mobile": "12"})
    assert "mobile" in error.value.message_dict


def test_a_rep_cannot_add_contacts_to_a_colleagues_customer(org, rep):
    other = CustomerFactory(organization=org, owner=admin_of(org).user)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.customer_get(actor=actor_for(rep), customer_id=other.pk, action="edit")


def test_follow_up_updates_the_customer_and_schedules_a_reminder(org, rep):
    actor = actor_for(rep)
    customer = services.customer_create(actor=actor, values={"name": "甲公司"})
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    follow_up = services.follow_up_create(
        actor=actor, customer=customer,
        values={"kind": "visit", "content": "拜访，谈续约", "next_follow_up_on": next_week},
        files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    customer.refresh_from_db()
    assert customer.last_contacted_at == follow_up.happened_at
    assert customer.next_follow_up_on == next_week
    task = Task.objects.get(customer=customer)
    assert (task.owner_id, task.due_on, task.done_at) == (rep.user_id, next_week, None)
    attachment = follow_up.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.is_image) == (
        "现场.png", "image/png", True)
    assert attachment.file.read() == PNG
    later = next_week + datetime.timedelta(days=3)
    services.follow_up_create(actor=actor, customer=customer,
                              values={"content": "电话", "next_follow_up_on": later})
    assert list(Task.objects.filter(customer=customer).values_list("due_on", flat=True)) == [later]


@pytest.mark.parametrize(("name", "content"), [
    ("run.exe", b"MZ"), ("fake.png", b"MZ not a png"), ("big.pdf", b"%PDF" + b"0" * 2048),
])
def test_follow_up_files_are_limited_in_type_and_size(admin, settings, name, content):
    settings.KEHU_UPLOAD_MAX_BYTES = 1024
    customer = services.customer_create(actor=admin, values={"name": "甲公司"})
    with pytest.raises(ValidationError) as error:
        services.follow_up_create(actor=admin, customer=customer, values={"content": "x"},
                                  files=[SimpleUploadedFile(name, content)])
    assert "attachments" in error.value.message_dict
    assert FollowUp.objects.count() == 0


def test_due_reminders_reach_the_owner_once(org, rep, mailoutbox,
                                            django_capture_on_commit_callbacks):
    customer = services.customer_create(actor=actor_for(rep), values={"name": "甲公司"})
    services.follow_up_create(actor=actor_for(rep), customer=customer, values={
        "content": "x", "next_follow_up_on": timezone.localdate()})
    system = actor_for(admin_of(org))
    with django_capture_on_commit_callbacks(execute=True):
        assert task_services.tasks_remind_due(actor=system) == 1
        assert task_services.tasks_remind_due(actor=system) == 0
    note = Notification.objects.get(recipient=rep.user)
    assert "甲公司" in note.title
    assert len(mailoutbox) == 1


def test_claim_respects_the_limit_and_only_one_rep_wins(org, rep, admin):
    services.pool_policy_update(actor=admin, claim_limit=1, no_follow_up_days=0, no_deal_days=0)
    pool = [CustomerFactory(organization=org, name=f"公海{i}") for i in range(2)]
    services.customer_claim(actor=actor_for(rep), customer=pool[0])
    pool[0].refresh_from_db()
    assert (pool[0].owner_id, pool[0].team_id) == (rep.user_id, rep.team_id)
    with pytest.raises(DomainError) as limit:
        services.customer_claim(actor=actor_for(rep), customer=pool[1])
    assert limit.value.code == "claim_limit"
    other = member(org, "sales_rep")
    with pytest.raises(DomainError) as taken:
        services.customer_claim(actor=actor_for(other), customer=pool[0])
    assert taken.value.code == "not_in_pool"
    assert ChangeRecord.objects.filter(action="assign", object_id=pool[0].pk).count() == 1


def test_release_puts_own_customers_back_only(org, rep):
    mine = CustomerFactory(organization=org, owner=rep.user)
    theirs = CustomerFactory(organization=org, owner=admin_of(org).user)
    released = services.customers_release(actor=actor_for(rep),
                                          customer_ids=[mine.pk, theirs.pk], reason="不跟了")
    assert released == 1
    mine.refresh_from_db()
    assert (mine.owner_id, mine.previous_owner_id) == (None, rep.user_id)
    assert mine.pooled_at is not None
    record = ChangeRecord.objects.get(action="assign", object_id=mine.pk)
    assert (record.changes, record.note) == ({"owner_id": [rep.user_id, None]}, "不跟了")


def test_rules_return_neglected_customers_and_tell_the_owner(org, rep, admin):
    services.pool_policy_update(actor=admin, claim_limit=0, no_follow_up_days=30,
                                no_deal_days=0, warn_days_before=5)
    now = timezone.now()
    neglected = CustomerFactory(organization=org, owner=rep.user,
                                owned_since=now - datetime.timedelta(days=60),
                                last_contacted_at=now - datetime.timedelta(days=31))
    soon = CustomerFactory(organization=org, owner=rep.user,
                           owned_since=now - datetime.timedelta(days=60),
                           last_contacted_at=now - datetime.timedelta(days=27))
    fresh = CustomerFactory(organization=org, owner=rep.user,
                            owned_since=now - datetime.timedelta(days=2))
    assert services.pool_return_due(actor=admin, now=now) == 1
    for customer in (neglected, soon, fresh):
        customer.refresh_from_db()
    assert (neglected.owner_id, soon.owner_id, fresh.owner_id) == (None, rep.user_id,
                                                                  rep.user_id)
    kinds = sorted(Notification.objects.filter(recipient=rep.user).values_list("kind",
                                                                               flat=True))
    assert kinds == ["pool.returned", "pool.warning"]


def test_merge_moves_everything_keeps_histories_and_can_be_undone(org, admin):
    field_definition_create(actor=admin, object_type="customers.customer", key="grade",
                            label="等级", kind="text")
    survivor = services.customer_create(actor=admin, values={"name": "华为技术", "city": ""},
                                        custom={"grade": "金"})
    merged = services.customer_create(actor=admin, values={"name": "华为技术有限公司",
                                                           "city": "深圳",
                                                           "email": "a@huawei.com"},
                                      custom={"grade": "银"}, allow_duplicates=True)
    contact = services.contact_create(actor=admin, customer=merged, values={"name": "张伟"})
    follow_ups = [services.follow_up_create(actor=admin, customer=merged,
                                            values={"content": f"第{i}次"}) for i in range(3)]
    services.follow_up_create(actor=admin, customer=survivor, values={"content": "本来的"})
    tag = services.tag_get_or_create(actor=admin, name="VIP")
    services.customers_tag(actor=admin, customer_ids=[merged.pk], tags=[tag])

    record = services.customer_merge(actor=admin, survivor=survivor, merged=merged,
                                     take_from_merged=["name"], custom_from_merged=[])
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.name, survivor.city, survivor.email) == ("华为技术有限公司", "深圳",
                                                              "a@huawei.com")
    assert survivor.custom_data == {"grade": "金"}
    assert FollowUp.objects.filter(customer=survivor).count() == 4
    assert Contact.objects.get(pk=contact.pk).customer_id == survivor.pk
    assert list(survivor.tags.all()) == [tag]
    assert merged.merged_into_id == survivor.pk
    assert merged.pk not in [c.pk for c in selectors.customer_list(actor=admin)]
    assert ChangeRecord.objects.filter(object_id=merged.pk, action="create").exists()
    assert ChangeRecord.objects.filter(object_id=survivor.pk, action="merge").exists()

    services.customer_merge_undo(actor=admin, record=record)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.name, survivor.city, survivor.custom_data) == ("华为技术", "", {"grade": "金"})
    assert merged.merged_into_id is None and merged.deleted_at is None
    assert sorted(FollowUp.objects.filter(customer=merged).values_list("pk", flat=True)) == \
        sorted(f.pk for f in follow_ups)
    assert Contact.objects.get(pk=contact.pk).customer_id == merged.pk
    assert list(survivor.tags.all()) == []
    with pytest.raises(DomainError):
        services.customer_merge_undo(actor=admin, record=record)


def test_a_rep_may_not_merge(org, rep):
    a = CustomerFactory(organization=org, owner=rep.user)
    b = CustomerFactory(organization=org, owner=rep.user)
    from kehu.core.common.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.customer_merge(actor=actor_for(rep), survivor=a, merged=b)


def test_segments_filter_by_fields_tags_custom_fields_and_silence(org, admin):
    field_definition_create(actor=admin, object_type="customers.customer", key="size",
                            label="规模", kind="integer")
    vip = services.tag_get_or_create(actor=admin, name="VIP")
    old = timezone.now() - datetime.timedelta(days=90)
    a = CustomerFactory(organization=org, name="甲", city="深圳", custom_data={"size": 500},
                        last_contacted_at=old)
    b = CustomerFactory(organization=org, name="乙", city="深圳", custom_data={"size": 20},
                        last_contacted_at=timezone.now())
    CustomerFactory(organization=org, name="丙", city="北京", custom_data={"size": 900})
    services.customers_tag(actor=admin, customer_ids=[a.pk, b.pk], tags=[vip])
    segment = services.segment_save(actor=admin, segment=None, name="深圳大客户", conditions=[
        {"field": "city", "op": "eq", "value": "深圳"},
        {"field": "tags", "op": "any", "value": [vip.pk]},
        {"field": "custom.size", "op": "gte", "value": "100"},
        {"field": "days_since_follow_up", "op": "gte", "value": 60},
    ])
    result = selectors.segment_filter(actor=admin, segment=segment,
                                      queryset=selectors.customer_list(actor=admin))
    assert [c.name for c in result] == ["甲"]
    with pytest.raises(ValidationError) as error:
        services.segment_save(actor=admin, segment=None, name="坏的",
                              conditions=[{"field": "city", "op": "gte", "value": "x"},
                                          {"field": "nope", "op": "eq", "value": 1}])
    assert set(error.value.message_dict) == {"conditions.0", "conditions.1"}


def test_bulk_assign_and_delete_touch_only_permitted_rows(org, rep, admin):
    manager = member(org, "sales_manager", team=rep.team)
    mine = [CustomerFactory(organization=org, owner=rep.user) for _ in range(3)]
    outside = CustomerFactory(organization=org, owner=admin.user)
    count = services.customers_assign(actor=actor_for(manager),
                                      customer_ids=[c.pk for c in mine] + [outside.pk],
                                      owner_id=manager.user_id)
    assert count == 3
    outside.refresh_from_db()
    assert outside.owner_id == admin.user.pk
    assert ChangeRecord.objects.filter(action="assign").count() == 3
    assert services.customers_delete(actor=actor_for(rep), customer_ids=[mine[0].pk]) == 0
    assert services.customers_delete(actor=admin, customer_ids=[mine[0].pk]) == 1
    assert Customer.objects.get(pk=mine[0].pk).deleted_at is not None

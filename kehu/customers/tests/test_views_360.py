"""The customer 360° page: figures, profile, tags, contacts, the follow-up timeline with files,
tasks and the other panels, and who may see and do what on it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    member,
    team,
    web_client,
)
from kehu.core.customfields.models import FieldDefinition
from kehu.customers import panels, services
from kehu.customers.models import Attachment, Contact, Customer, FollowUp, Tag
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory
from kehu.tasks import services as task_services
from kehu.tasks.models import Task

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# the smallest PNG: one transparent pixel
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def east(org):
    return team(org, "华东")


@pytest.fixture
def rep(org, east):
    return member(org, "sales_rep", team=east)


@pytest.fixture
def colleague(org, east):
    return member(org, "sales_rep", team=east)


def owned(org, membership, **kwargs):
    return CustomerFactory(organization=org, owner=membership.user, team=membership.team,
                           **kwargs)


def photo(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


# --- the page ------------------------------------------------------------------------------

def test_360_shows_figures_profile_tags_contacts_timeline_tasks_and_history(org, rep):
    # given
    customer = services.customer_create(actor=actor_for(rep), values={
        "name": "星河科技有限公司", "city": "深圳"})
    services.customers_tag(actor=actor_for(rep), customer_ids=[customer.pk], tags=[
        services.tag_get_or_create(actor=actor_for(rep), name="重点客户")])
    ContactFactory(customer=customer, name="王总", mobile="+8613800001111", is_primary=True)
    services.follow_up_create(actor=actor_for(rep), customer=customer, values={
        "kind": "visit", "content": "上门拜访，聊了年度采购",
        "next_follow_up_on": timezone.localdate() + datetime.timedelta(days=3)})
    # when
    response = web_client(rep).get(url("customer-detail", customer.pk))
    # then
    assert response.status_code == 200
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    # figures of the sales modules (open deals, revenue…) are tested by those modules
    assert figures.items() >= {"days_since_contact": 0, "follow_ups": 1, "contacts": 1,
                               "open_tasks": 1}.items()
    text = response.text
    for expected in ("深圳", "重点客户", "王总", "+8613800001111", "上门拜访，聊了年度采购",
                     Task.objects.get().title, 'data-panel="tasks"', 'id="customer-history"'):
        assert expected in text, expected
    assert url("customer-task-done", customer.pk, Task.objects.get().pk) in text


def test_registered_panels_and_figures_of_other_modules_appear(org, monkeypatch, rep):
    # given: a module registers a panel and a figure (kept out of the registry afterwards)
    monkeypatch.setattr(panels, "_panels", dict(panels._panels))
    monkeypatch.setattr(panels, "_figures", dict(panels._figures))
    panels.register_panel(key="deals", label="商机", order=30,
                          template="customers/_message.html",
                          context=lambda actor, customer: {"text": f"{customer.name} 的商机",
                                                           "level": "info"})
    panels.register_figure(key="open_deals", label="进行中的商机", order=50,
                           value=lambda actor, customer: 7)
    customer = owned(org, rep, name="甲公司")
    # when
    response = web_client(rep).get(url("customer-detail", customer.pk))
    # then
    assert 'data-panel="deals"' in response.text
    assert "甲公司 的商机" in response.text
    assert {"key": "open_deals", "label": "进行中的商机", "value": 7} in response.context["figures"]
    section = web_client(rep).get(url("customer-section", customer.pk, "panel-deals"))
    assert "甲公司 的商机" in section.text


def test_buttons_follow_the_permissions(org, rep):
    mine = owned(org, rep)
    in_pool = CustomerFactory(organization=org)
    client = web_client(rep)
    page = client.get(url("customer-detail", mine.pk)).text
    assert url("customer-edit", mine.pk) in page
    assert url("customer-release", mine.pk) in page
    assert url("customer-claim", mine.pk) not in page
    assert url("customer-delete", mine.pk) not in page
    assert url("customer-merge", mine.pk) not in page  # merging needs delete
    pool_page = client.get(url("customer-detail", in_pool.pk)).text
    assert url("customer-claim", in_pool.pk) in pool_page
    assert url("customer-release", in_pool.pk) not in pool_page
    admin_page = web_client(admin_of(org)).get(url("customer-detail", mine.pk)).text
    for name in ("customer-delete", "customer-merge", "customer-release"):
        assert url(name, mine.pk) in admin_page


def test_read_only_user_sees_no_forms_and_may_not_write(org):
    viewer = member(org, "read_only")
    customer = CustomerFactory(organization=org, owner=admin_of(org).user)
    client = web_client(viewer)
    page = client.get(url("customer-detail", customer.pk)).text
    assert url("follow-up-create", customer.pk) not in page
    assert url("contact-create", customer.pk) not in page
    assert url("customer-tag-add", customer.pk) not in page
    assert client.post(url("follow-up-create", customer.pk),
                       {"kind": "call", "content": "x"}).status_code == 403
    assert client.post(url("customer-tag-add", customer.pk), {"name": "x"}).status_code == 403
    assert not FollowUp.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.parametrize("name,method", [
    ("customer-detail", "get"), ("follow-up-create", "post"), ("contact-create", "get"),
    ("customer-tag-add", "post"), ("customer-claim", "post"), ("customer-release", "post"),
    ("customer-merge", "get")])
def test_another_organizations_customer_is_404(org, name, method):
    foreign = CustomerFactory(organization=OrganizationFactory())
    response = getattr(web_client(admin_of(org)), method)(url(name, foreign.pk),
                                                          {"kind": "call", "content": "x",
                                                           "name": "x"})
    assert response.status_code == 404


def test_section_of_another_organization_is_404(org):
    foreign = CustomerFactory(organization=OrganizationFactory())
    client = web_client(admin_of(org))
    assert client.get(url("customer-section", foreign.pk, "figures")).status_code == 404
    mine = CustomerFactory(organization=org)
    assert client.get(url("customer-section", mine.pk, "nonsense")).status_code == 404


@pytest.mark.parametrize("name,method", [
    ("customer-detail", "get"), ("follow-up-create", "post"), ("contact-create", "post"),
    ("customer-tag-add", "post"), ("customer-release", "post"), ("customer-section", "get")])
def test_rep_gets_404_on_a_colleagues_customer(org, rep, colleague, name, method):
    theirs = owned(org, colleague)
    args = (theirs.pk, "profile") if name == "customer-section" else (theirs.pk,)
    response = getattr(web_client(rep), method)(url(name, *args), {
        "kind": "call", "content": "偷看", "name": "偷看"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists() and not Contact.objects.exists()
    assert Customer.objects.get(pk=theirs.pk).owner_id == colleague.user_id


# --- follow-ups ----------------------------------------------------------------------------

def test_logging_a_follow_up_with_a_photo_shows_the_thumbnail(org, rep, colleague):
    # given
    customer = owned(org, rep)
    contact = ContactFactory(customer=customer, name="李经理")
    client = web_client(rep)
    # when
    response = client.post(url("follow-up-create", customer.pk), {
        "kind": "visit", "content": "现场看了仓库", "happened_at": "2026-03-02T10:30",
        "contact": contact.pk, "location": "深圳南山", "next_follow_up_on": "2026-03-09",
        "photos": photo(), "files": SimpleUploadedFile("报价.pdf", b"%PDF-1.4 test")},
        headers=HTMX)
    # then
    assert response.status_code == 200
    assert response["HX-Trigger"] == "customer-changed"
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.contact_id, follow_up.location) == (
        "visit", contact.pk, "深圳南山")
    image = Attachment.objects.get(content_type="image/png")
    document = Attachment.objects.get(content_type="application/pdf")
    assert f'<img src="{url("attachment", image.pk)}"' in response.text
    assert f'href="{url("attachment", document.pk)}" download' in response.text
    assert "现场看了仓库" in response.text and "李经理" in response.text
    assert Task.objects.get().due_on == datetime.date(2026, 3, 9)
    page = client.get(url("customer-detail", customer.pk)).text
    assert f'<img src="{url("attachment", image.pk)}"' in page


def test_the_photo_is_downloadable_only_by_who_can_see_the_customer(org, rep, colleague):
    # given
    customer = owned(org, rep)
    services.follow_up_create(actor=actor_for(rep), customer=customer,
                              values={"content": "拍了门头"}, files=[photo()])
    attachment = Attachment.objects.get()
    # when / then
    mine = web_client(rep).get(url("attachment", attachment.pk))
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert b"".join(mine.streaming_content) == PNG
    assert "attachment" not in mine.get("Content-Disposition", "")  # shown inline
    assert web_client(admin_of(org)).get(url("attachment", attachment.pk)).status_code == 200
    assert web_client(colleague).get(url("attachment", attachment.pk)).status_code == 404
    stranger = admin_of(OrganizationFactory())
    assert web_client(stranger).get(url("attachment", attachment.pk)).status_code == 404
    assert web_client(member(org, "service_agent")).get(
        url("attachment", attachment.pk)).status_code == 200  # org-wide scope


def test_a_document_is_served_as_a_download(org, rep):
    customer = owned(org, rep)
    services.follow_up_create(actor=actor_for(rep), customer=customer, values={"content": "合同"},
                              files=[SimpleUploadedFile("合同.pdf", b"%PDF-1.4 test")])
    response = web_client(rep).get(url("attachment", Attachment.objects.get().pk))
    assert response["Content-Disposition"].startswith("attachment")


def test_follow_up_errors_come_back_with_the_form(org, rep):
    customer = owned(org, rep)
    client = web_client(rep)
    missing = client.post(url("follow-up-create", customer.pk), {"kind": "call", "content": ""},
                          headers=HTMX)
    assert missing.status_code == 422
    assert "content" in missing.context["followup_form"].errors
    renamed = client.post(url("follow-up-create", customer.pk), {
        "kind": "call", "content": "看图", "files": SimpleUploadedFile("x.png", b"MZ-not-a-png")},
        headers=HTMX)
    assert renamed.status_code == 422
    assert renamed.context["followup_form"].errors["files"]
    assert not FollowUp.objects.exists()


def test_a_contact_of_another_customer_cannot_be_named(org, rep):
    customer = owned(org, rep)
    other_contact = ContactFactory(customer=owned(org, rep))
    response = web_client(rep).post(url("follow-up-create", customer.pk), {
        "kind": "call", "content": "x", "contact": other_contact.pk}, headers=HTMX)
    assert response.status_code == 422
    assert not FollowUp.objects.exists()


def test_timeline_is_newest_first_and_pages(org, rep, monkeypatch):
    from kehu.customers.views import followups

    monkeypatch.setattr(followups, "PAGE_SIZE", 2)
    customer = owned(org, rep)
    base = datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
    for day in range(3):
        FollowUpFactory(customer=customer, content=f"第{day}天",
                        happened_at=base + datetime.timedelta(days=day))
    client = web_client(rep)
    first = client.get(url("customer-detail", customer.pk))
    assert [f.content for f in first.context["follow_ups"]] == ["第2天", "第1天"]
    older = client.get(url("follow-up-list", customer.pk),
                       {"cursor": first.context["followups_next"]})
    assert "第0天" in older.text and "第2天" not in older.text


def test_deleting_a_follow_up(org, rep):
    customer = owned(org, rep)
    follow_up = FollowUpFactory(customer=customer, content="记错了")
    response = web_client(rep).post(url("follow-up-delete", follow_up.pk), headers=HTMX)
    assert response.status_code == 200
    assert not FollowUp.objects.exists()


# --- contacts ------------------------------------------------------------------------------

def test_contacts_are_added_edited_and_deleted_inline_with_custom_fields(org, rep):
    # given: contacts have a custom field of their own
    FieldDefinition.objects.create(organization=org, object_type="customers.contact",
                                   key="hobby", label="爱好", kind="text")
    customer = owned(org, rep)
    client = web_client(rep)
    # the form, with the custom field
    form = client.get(url("contact-create", customer.pk), headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert 'name="custom__hobby"' in form.text
    # add: the whole card comes back in place of the form
    added = client.post(url("contact-create", customer.pk), {
        "name": "赵六", "mobile": "13800002222", "custom__hobby": "钓鱼"}, headers=HTMX)
    assert added.status_code == 200
    assert added["HX-Retarget"] == "#customer-contacts"
    contact = Contact.objects.get()
    assert (contact.mobile, contact.custom_data, contact.is_primary) == (
        "+8613800002222", {"hobby": "钓鱼"}, True)
    assert "赵六" in added.text and "钓鱼" in added.text
    # edit
    edited = client.post(url("contact-edit", contact.pk), {
        "name": "赵六", "title": "采购总监", "mobile": "13800002222", "version": contact.version,
        "custom__hobby": "钓鱼"}, headers=HTMX)
    assert edited.status_code == 200
    contact.refresh_from_db()
    assert contact.title == "采购总监"
    # stale version
    stale = client.post(url("contact-edit", contact.pk), {
        "name": "赵七", "version": 1}, headers=HTMX)
    assert stale.status_code == 409
    # invalid
    invalid = client.post(url("contact-create", customer.pk), {"name": "", "mobile": "12"},
                          headers=HTMX)
    assert invalid.status_code == 422
    assert set(invalid.context["form"].errors) >= {"name"}
    # delete
    deleted = client.post(url("contact-delete", contact.pk), headers=HTMX)
    assert deleted.status_code == 200
    assert not Contact.objects.exists()


def test_a_colleagues_contact_is_404(org, rep, colleague):
    contact = ContactFactory(customer=owned(org, colleague))
    client = web_client(rep)
    assert client.get(url("contact-edit", contact.pk)).status_code == 404
    assert client.post(url("contact-delete", contact.pk)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


# --- tags ----------------------------------------------------------------------------------

def test_typing_a_new_tag_creates_it_and_chips_can_be_removed(org, rep):
    customer = owned(org, rep)
    client = web_client(rep)
    added = client.post(url("customer-tag-add", customer.pk), {"name": " 新标签 "}, headers=HTMX)
    assert added.status_code == 200
    tag = Tag.objects.get(name="新标签")
    assert list(customer.tags.all()) == [tag]
    assert "新标签" in added.text
    again = client.post(url("customer-tag-add", customer.pk), {"name": "新标签"}, headers=HTMX)
    assert again.status_code == 200 and Tag.objects.count() == 1
    too_long = client.post(url("customer-tag-add", customer.pk), {"name": "长" * 31},
                           headers=HTMX)
    assert too_long.status_code == 422
    removed = client.post(url("customer-tag-remove", customer.pk, tag.pk), headers=HTMX)
    assert removed.status_code == 200
    assert not customer.tags.exists()


# --- tasks ---------------------------------------------------------------------------------

def test_marking_a_task_done_from_the_panel(org, rep, colleague):
    customer = owned(org, rep)
    task = task_services.task_create(actor=actor_for(rep), values={
        "title": "回电话", "due_on": timezone.localdate(), "customer": customer})
    response = web_client(rep).post(url("customer-task-done", customer.pk, task.pk),
                                    headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Trigger"] == "customer-changed"
    task.refresh_from_db()
    assert task.done_at is not None
    panel = web_client(rep).get(url("customer-section", customer.pk, "panel-tasks"))
    assert "回电话" not in panel.text
    # a task of another customer cannot be completed through this one
    other = task_services.task_create(actor=actor_for(rep), values={
        "title": "别的", "due_on": timezone.localdate(), "customer": owned(org, rep)})
    assert web_client(rep).post(url("customer-task-done", customer.pk, other.pk)
                                ).status_code == 404


def test_detail_query_count_stays_flat(org, rep, django_assert_max_num_queries):
    customer = owned(org, rep)
    for i in range(10):
        contact = ContactFactory(customer=customer, name=f"联系人{i}")
        services.follow_up_create(actor=actor_for(rep), customer=customer,
                                  values={"content": f"跟进{i}", "contact": contact},
                                  files=[photo(f"p{i}.png")])
    client = web_client(rep)
    with django_assert_max_num_queries(24):
        response = client.get(url("customer-detail", customer.pk))
    assert response.status_code == 200

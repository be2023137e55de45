"""Bulk actions on the customer list, the column chooser, and segments (saved filters)."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    member,
    team,
    web_client,
)
from kehu.core.customfields import services as field_services
from kehu.customers import services
from kehu.customers.models import Customer, Segment, Tag
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


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


def first_number(text):
    return int(re.search(r"\d+", text).group())


def changed(response):
    """How many customers the message of a bulk action says changed."""
    return first_number(response.context["text"])


def bulk(client, action, ids, **data):
    return client.post(url("customer-bulk"), {"action": action, "ids": ids, **data},
                       headers=HTMX)


# --- the list's bulk controls --------------------------------------------------------------

def test_list_has_row_checkboxes_select_all_and_the_actions_the_actor_may_use(org, rep):
    owned(org, rep)
    admin_page = web_client(admin_of(org)).get(url("customer-list")).text
    assert 'name="ids"' in admin_page and 'all($event.target.checked)' in admin_page
    for action in ("assign", "tag", "untag", "pool", "delete"):
        assert f'<option value="{action}">' in admin_page
    rep_page = web_client(rep).get(url("customer-list")).text
    assert '<option value="assign">' not in rep_page
    assert '<option value="delete">' not in rep_page
    assert '<option value="tag">' in rep_page


# --- assign --------------------------------------------------------------------------------

def test_bulk_assign_changes_exactly_the_selected_rows(org, rep):
    # given
    manager = member(org, "sales_manager")
    chosen = [CustomerFactory(organization=org) for _ in range(2)]
    untouched = CustomerFactory(organization=org)
    foreign = CustomerFactory(organization=OrganizationFactory())
    # when
    response = bulk(web_client(admin_of(org)), "assign",
                    [c.pk for c in chosen] + [foreign.pk], owner=rep.user_id)
    # then
    assert response.status_code == 200
    assert response["HX-Trigger"] == "customers-changed"
    assert changed(response) == 2
    assert set(Customer.objects.filter(owner=rep.user).values_list("pk", flat=True)) == {
        c.pk for c in chosen}
    assert Customer.objects.get(pk=untouched.pk).owner_id is None
    assert Customer.objects.get(pk=foreign.pk).owner_id is None
    assert manager  # a manager may assign too; a rep may not:


def test_a_rep_may_not_bulk_assign(org, rep):
    mine = owned(org, rep)
    response = bulk(web_client(rep), "assign", [mine.pk], owner=admin_of(org).user_id)
    assert response.status_code == 422
    assert Customer.objects.get(pk=mine.pk).owner_id == rep.user_id


def test_assign_needs_an_owner(org):
    customer = CustomerFactory(organization=org)
    response = bulk(web_client(admin_of(org)), "assign", [customer.pk])
    assert response.status_code == 422
    assert Customer.objects.get(pk=customer.pk).owner_id is None


# --- tags ----------------------------------------------------------------------------------

def test_bulk_tag_and_untag_only_the_selected_rows_the_rep_may_edit(org, rep, colleague):
    # given
    mine = [owned(org, rep) for _ in range(2)]
    other_mine = owned(org, rep)
    theirs = owned(org, colleague)
    client = web_client(rep)
    # when
    tagged = bulk(client, "tag", [c.pk for c in mine] + [theirs.pk], tag="重点")
    # then
    assert tagged.status_code == 200
    tag = Tag.objects.get(name="重点")
    assert set(tag.customers.values_list("pk", flat=True)) == {c.pk for c in mine}
    assert not other_mine.tags.exists() and not theirs.tags.exists()
    assert changed(tagged) == 2
    # and off again, from one of them
    untagged = bulk(client, "untag", [mine[0].pk], tag="重点")
    assert untagged.status_code == 200
    assert set(tag.customers.values_list("pk", flat=True)) == {mine[1].pk}


def test_a_rep_cannot_bulk_change_a_colleagues_customer(org, rep, colleague):
    theirs = owned(org, colleague)
    client = web_client(rep)
    assert client.get(url("customer-detail", theirs.pk)).status_code == 404
    for action, data in (("tag", {"tag": "抢"}), ("pool", {}), ("delete", {})):
        response = bulk(client, action, [theirs.pk], **data)
        assert response.status_code == 200, action
        assert changed(response) == 0, action
    theirs.refresh_from_db()
    assert (theirs.owner_id, theirs.deleted_at, theirs.tags.count()) == (
        colleague.user_id, None, 0)


# --- pool and delete -----------------------------------------------------------------------

def test_bulk_move_to_pool(org, rep, colleague):
    mine = [owned(org, rep) for _ in range(2)]
    kept = owned(org, rep)
    response = bulk(web_client(rep), "pool", [c.pk for c in mine])
    assert response.status_code == 200
    assert Customer.objects.filter(owner__isnull=True).count() == 2
    assert Customer.objects.get(pk=kept.pk).owner_id == rep.user_id


def test_bulk_delete_moves_exactly_the_selected_rows_to_the_bin(org, rep):
    chosen = [CustomerFactory(organization=org) for _ in range(3)]
    kept = CustomerFactory(organization=org)
    admin = web_client(admin_of(org))
    page = admin.get(url("customer-list")).text
    assert re.search(r'data-question="[^"]*\{n\}', page)  # the confirmation says how many
    response = bulk(admin, "delete", [c.pk for c in chosen])
    assert response.status_code == 200
    assert changed(response) == 3
    assert Customer.objects.filter(deleted_at__isnull=False).count() == 3
    assert Customer.objects.get(pk=kept.pk).deleted_at is None


def test_a_rep_cannot_bulk_delete_even_their_own(org, rep):
    mine = owned(org, rep)
    response = bulk(web_client(rep), "delete", [mine.pk])
    assert changed(response) == 0
    assert Customer.objects.get(pk=mine.pk).deleted_at is None


def test_nothing_selected_is_a_message(org):
    response = bulk(web_client(admin_of(org)), "pool", [])
    assert response.status_code == 422


def test_without_htmx_the_list_comes_back_with_the_message(org):
    customer = CustomerFactory(organization=org)
    response = web_client(admin_of(org)).post(url("customer-bulk"), {
        "action": "tag", "ids": [customer.pk], "tag": "甲", "next": url("customer-list")},
        follow=True)
    assert response.status_code == 200
    assert first_number(next(str(m) for m in response.context["messages"])) == 1


def test_the_rows_reload_after_an_action(org):
    """The results carry their own URL and reload on `customers-changed`."""
    response = web_client(admin_of(org)).get(url("customer-list"), {"status": "active"})
    assert ('hx-get="/customers/?status=active" hx-trigger="customers-changed from:body"'
            in response.text)


# --- export selected -----------------------------------------------------------------------

def test_export_selected_contains_only_the_selected_visible_rows(org, rep):
    manager = member(org, "sales_manager")
    chosen = CustomerFactory(organization=org, name="选中的")
    CustomerFactory(organization=org, name="没选的")
    foreign = CustomerFactory(organization=OrganizationFactory(), name="别家的")
    response = web_client(manager).post(url("customer-export-selected"), {
        "ids": [chosen.pk, foreign.pk], "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[1] for row in list(csv.reader(io.StringIO(text)))[1:]] == ["选中的"]
    xlsx = web_client(manager).post(url("customer-export-selected"), {
        "ids": [chosen.pk], "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert web_client(rep).post(url("customer-export-selected"),
                                {"ids": [chosen.pk]}).status_code == 403


# --- columns -------------------------------------------------------------------------------

def test_column_choice_persists_per_user(org, rep, colleague):
    # given
    field_services.field_definition_create(
        actor=actor_for(admin_of(org)), object_type="customers.customer", key="tax_no",
        label="税号", kind="text")
    owned(org, rep, name="甲", email="jia@example.com", custom_data={"tax_no": "9144"})
    client = web_client(rep)
    chooser = client.get(url("customer-columns"))
    assert chooser.status_code == 200
    assert 'value="custom.tax_no"' in chooser.text
    assert "Sortable.min.js" in chooser.text
    # when
    saved = client.post(url("customer-columns"), {
        "columns": ["custom.tax_no", "email", "status", "nonsense"],
        "next": url("customer-list")})
    # then
    assert saved.status_code == 302 and saved["Location"] == url("customer-list")
    page = client.get(url("customer-list"))
    assert [c.key for c, _link in page.context["columns"]] == ["custom.tax_no", "email",
                                                               "status"]
    assert "9144" in page.text and "jia@example.com" in page.text
    assert "Sortable.min.js" not in page.text  # loaded only on the chooser
    others = web_client(colleague).get(url("customer-list")).context["columns"]
    assert [c.key for c, _link in others][:5] == ["status", "level", "owner", "phone", "city"]
    # and back to the default
    client.post(url("customer-columns"), {"reset": "1"})
    columns = client.get(url("customer-list")).context["columns"]
    assert columns[0][0].key == "status"


def test_the_tags_column_shows_tags(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org)
    services.customers_tag(actor=actor_for(admin), customer_ids=[customer.pk], tags=[
        services.tag_get_or_create(actor=actor_for(admin), name="老客户")])
    client = web_client(admin)
    client.post(url("customer-columns"), {"columns": ["tags"]})
    assert '<span class="chip chip-sm">老客户</span>' in client.get(url("customer-list")).text


# --- segments ------------------------------------------------------------------------------

def test_saving_the_filters_as_a_segment_and_picking_it_filters_the_list(org):
    # given
    admin = admin_of(org)
    CustomerFactory(organization=org, name="活跃深圳", status="active", city="深圳")
    CustomerFactory(organization=org, name="流失深圳", status="lost", city="深圳")
    client = web_client(admin)
    # when: the filters of the list are sent along with the name
    response = client.post(url("segment-save-from-list"), {
        "name": "活跃客户", "is_shared": "on", "status": "active", "q": "深圳"}, headers=HTMX)
    # then
    assert response.status_code == 204
    segment = Segment.objects.get()
    assert (segment.name, segment.is_shared, segment.filters) == (
        "活跃客户", True, [{"field": "status", "op": "eq", "value": "active"}])
    assert response["HX-Redirect"] == f"{url('customer-list')}?segment={segment.pk}"
    listed = client.get(url("customer-list"), {"segment": segment.pk})
    names = [c.name for c, _cells in listed.context["rows"]]
    assert names == ["活跃深圳"]
    assert f'<option value="{segment.pk}" selected>' in listed.text


def test_segment_builder_saves_conditions_and_the_segment_filters_the_list(org):
    # given
    admin = admin_of(org)
    actor = actor_for(admin)
    vip = services.tag_get_or_create(actor=actor, name="VIP")
    tagged = CustomerFactory(organization=org, name="有标签的", city="广州")
    services.customers_tag(actor=actor, customer_ids=[tagged.pk], tags=[vip])
    CustomerFactory(organization=org, name="没标签的", city="广州")
    client = web_client(admin)
    page = client.get(url("segment-create"))
    fields = {f["key"] for f in page.context["fields"]}
    assert {"tags", "days_since_follow_up", "city", "owner"} <= fields
    # when
    response = client.post(url("segment-create"), {"name": "广州VIP", "conditions": [
        json.dumps({"field": "tags", "op": "any", "value": [vip.pk]}),
        json.dumps({"field": "city", "op": "eq", "value": "广州"}),
        json.dumps({"field": "days_since_follow_up", "op": "gte", "value": 30})]})
    # then
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert len(segment.filters) == 3
    names = [c.name for c, _ in client.get(url("customer-list"),
                                           {"segment": segment.pk}).context["rows"]]
    assert names == ["有标签的"]
    listing = client.get(url("segment-list"))
    assert "VIP" in listing.text and "广州" in listing.text


def test_segment_builder_reports_a_bad_condition(org):
    client = web_client(admin_of(org))
    response = client.post(url("segment-create"), {"name": "坏的", "conditions": [
        json.dumps({"field": "city", "op": "eq", "value": "广州"}),
        json.dumps({"field": "next_follow_up_on", "op": "gte", "value": "明天"})]})
    assert response.status_code == 422
    assert first_number(response.context["problems"][0]) == 2
    assert not Segment.objects.exists()


def test_segments_are_renamed_exported_and_deleted_by_their_owner(org, rep):
    # given
    admin = admin_of(org)
    segment = services.segment_save(actor=actor_for(admin), segment=None, name="深圳",
                                    conditions=[{"field": "city", "op": "eq", "value": "深圳"}],
                                    is_shared=True)
    CustomerFactory(organization=org, name="深圳客户", city="深圳")
    CustomerFactory(organization=org, name="北京客户", city="北京")
    client = web_client(admin)
    # rename
    response = client.post(url("segment-edit", segment.pk), {
        "name": "深圳客户群", "is_shared": "on",
        "conditions": [json.dumps({"field": "city", "op": "eq", "value": "深圳"})]})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "深圳客户群"
    # export
    exported = client.get(url("segment-export", segment.pk), {"format": "csv"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert [row[1] for row in list(csv.reader(io.StringIO(text)))[1:]] == ["深圳客户"]
    # a rep sees the shared segment, may not change or delete it
    rep_client = web_client(rep)
    assert "深圳客户群" in rep_client.get(url("segment-list")).text
    assert rep_client.get(url("segment-edit", segment.pk)).status_code == 403
    assert rep_client.post(url("segment-delete", segment.pk)).status_code == 403
    assert rep_client.get(url("segment-export", segment.pk)).status_code == 403
    # delete
    assert client.post(url("segment-delete", segment.pk)).status_code == 302
    assert not Segment.objects.exists()


def test_another_users_private_segment_and_another_organizations_are_404(org, rep):
    private = services.segment_save(actor=actor_for(admin_of(org)), segment=None, name="私有",
                                    conditions=[])
    foreign = services.segment_save(actor=actor_for(admin_of(OrganizationFactory())),
                                    segment=None, name="别家", conditions=[], is_shared=True)
    client = web_client(rep)
    for segment in (private, foreign):
        assert client.get(url("segment-edit", segment.pk)).status_code == 404
        assert client.post(url("segment-delete", segment.pk)).status_code == 404
    assert Segment.objects.count() == 2


def test_tabs_link_the_customer_pages(org):
    page = web_client(admin_of(org)).get(url("customer-list")).text
    for name in ("pool", "recycle-bin", "segment-list", "tag-list"):
        assert f'href="{url(name)}"' in page
    assert f'href="{url("customer-list")}?mine=1"' in page


def test_my_customers_tab(org, rep):
    admin = admin_of(org)
    owned(org, admin, name="管理员的")
    owned(org, rep, name="销售的")
    response = web_client(admin).get(url("customer-list"), {"mine": "1"})
    assert [c.name for c, _ in response.context["rows"]] == ["管理员的"]
    assert 'name="mine" value="1"' in response.text

"""The merge flow in the browser: pick the other customer, compare, merge, undo."""

import pytest
from django.urls import reverse

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, web_client
from kehu.core.customfields import services as field_services
from kehu.customers import services
from kehu.customers.models import Contact, Customer, FollowUp, MergeRecord
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return admin_of(org)


def test_pick_page_offers_probable_duplicates_and_search(org, admin):
    # given
    survivor = CustomerFactory(organization=org, name="深圳星河科技有限公司")
    twin = CustomerFactory(organization=org, name="深圳星河科技股份有限公司")
    other = CustomerFactory(organization=org, name="北京晨光贸易")
    client = web_client(admin)
    # when
    page = client.get(url("customer-merge", survivor.pk))
    # then
    assert page.status_code == 200
    assert [c.customer_id for c in page.context["duplicates"]] == [twin.pk]
    assert url("customer-merge-compare", survivor.pk, twin.pk) in page.text
    found = client.get(url("customer-merge", survivor.pk), {"q": "晨光"},
                       headers={"HX-Request": "true", "HX-Target": "merge-results"})
    assert "<html" not in found.text
    assert url("customer-merge-compare", survivor.pk, other.pk) in found.text
    itself = client.get(url("customer-merge", survivor.pk), {"q": "星河"})
    assert survivor not in itself.context["results"]


def test_compare_shows_differing_fields_and_what_moves(org, admin):
    field_services.field_definition_create(
        actor=actor_for(admin), object_type="customers.customer", key="tier", label="等级",
        kind="select", choices=["金", "银"])
    survivor = CustomerFactory(organization=org, name="甲", city="深圳", phone="+8613800000001",
                               custom_data={"tier": "金"})
    merged = CustomerFactory(organization=org, name="乙", city="广州", industry="制造业",
                             custom_data={"tier": "银"})
    ContactFactory(customer=merged)
    FollowUpFactory(customer=merged)
    FollowUpFactory(customer=merged)
    page = web_client(admin).get(url("customer-merge-compare", survivor.pk, merged.pk))
    assert page.status_code == 200
    rows = {row["name"]: row for row in page.context["fields"]}
    assert rows["city"]["choice"] is True
    assert rows["industry"]["choice"] is False  # empty here: filled from the other
    assert "phone" not in rows  # empty there: this one's value stays, nothing to show
    assert [row["name"] for row in page.context["custom"]] == ["tier"]
    moves = {str(move["label"]): move["count"] for move in page.context["moves"]}
    assert sorted(moves.values()) == [1, 2]


def test_merge_moves_follow_ups_and_undo_brings_them_back(org, admin):
    # given
    survivor = CustomerFactory(organization=org, name="留下", city="深圳")
    merged = CustomerFactory(organization=org, name="合并走", city="广州")
    follow_ups = [FollowUpFactory(customer=merged, content=f"跟进{i}") for i in range(2)]
    contact = ContactFactory(customer=merged, name="跟过来的联系人")
    client = web_client(admin)
    # when: keep the other customer's city
    response = client.post(url("customer-merge-compare", survivor.pk, merged.pk),
                           {"field_city": "theirs", "field_name": "ours"})
    # then
    assert response.status_code == 302
    assert response["Location"] == url("customer-detail", survivor.pk)
    survivor.refresh_from_db()
    assert (survivor.name, survivor.city) == ("留下", "广州")
    assert set(FollowUp.objects.filter(customer=survivor).values_list("pk", flat=True)) == {
        f.pk for f in follow_ups}
    assert Contact.objects.get(pk=contact.pk).customer_id == survivor.pk
    assert client.get(url("customer-detail", merged.pk)).status_code == 404
    record = MergeRecord.objects.get()
    page = client.get(url("customer-detail", survivor.pk))
    assert 'data-panel="merges"' in page.text
    assert url("merge-undo", record.pk) in page.text
    assert "跟进1" in page.text
    # when: undo
    undone = client.post(url("merge-undo", record.pk))
    # then
    assert undone.status_code == 302
    assert FollowUp.objects.filter(customer=merged).count() == 2
    assert Contact.objects.get(pk=contact.pk).customer_id == merged.pk
    survivor.refresh_from_db()
    assert survivor.city == "深圳"
    assert client.get(url("customer-detail", merged.pk)).status_code == 200
    again = client.get(url("customer-detail", survivor.pk))
    assert url("merge-undo", record.pk) not in again.text
    assert client.post(url("merge-undo", record.pk), follow=True).status_code == 200  # refused


def test_a_rep_may_not_merge(org):
    rep = member(org, "sales_rep")
    first = CustomerFactory(organization=org, owner=rep.user)
    second = CustomerFactory(organization=org, owner=rep.user)
    client = web_client(rep)
    assert client.get(url("customer-merge", first.pk)).status_code == 403
    assert client.post(url("customer-merge-compare", first.pk, second.pk)).status_code == 403
    assert not MergeRecord.objects.exists()


def test_another_organizations_customer_cannot_be_merged_in(org, admin):
    mine = CustomerFactory(organization=org)
    foreign = CustomerFactory(organization=OrganizationFactory())
    client = web_client(admin)
    assert client.get(url("customer-merge-compare", mine.pk, foreign.pk)).status_code == 404
    assert client.post(url("customer-merge-compare", mine.pk, foreign.pk)).status_code == 404
    assert client.post(url("customer-merge-compare", foreign.pk, mine.pk)).status_code == 404
    assert Customer.objects.get(pk=foreign.pk).deleted_at is None


def test_undoing_another_organizations_merge_is_404(org, admin):
    other = OrganizationFactory()
    record = services.customer_merge(actor=actor_for(admin_of(other)),
                                     survivor=CustomerFactory(organization=other),
                                     merged=CustomerFactory(organization=other))
    assert web_client(admin).post(url("merge-undo", record.pk)).status_code == 404
    assert MergeRecord.objects.get().undone_at is None


def test_merging_a_customer_with_itself_is_refused(org, admin):
    customer = CustomerFactory(organization=org)
    response = web_client(admin).post(url("customer-merge-compare", customer.pk, customer.pk))
    assert response.status_code == 302
    assert not MergeRecord.objects.exists()

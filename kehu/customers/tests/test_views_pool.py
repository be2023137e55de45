"""The customer pool page (claiming one or many, the claim limit, releasing), the pool rules,
the recycle bin and the tags page."""

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
from kehu.customers import services
from kehu.customers.models import Customer, PoolPolicy, Tag
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep", team=team(org, "华东"))


def owned(org, membership, **kwargs):
    return CustomerFactory(organization=org, owner=membership.user, team=membership.team,
                           **kwargs)


def limit(org, n):
    PoolPolicy.objects.update_or_create(organization=org, defaults={"claim_limit": n})


# --- the pool page -------------------------------------------------------------------------

def test_pool_page_lists_only_pool_customers_with_claim_buttons_and_the_limit(org, rep):
    # given
    limit(org, 5)
    pooled = CustomerFactory(organization=org, name="公海客户")
    owned(org, rep, name="自己的甲客户")
    owned(org, admin_of(org), name="别人的客户")
    # when
    response = web_client(rep).get(url("pool"))
    # then
    assert response.status_code == 200
    assert "公海客户" in response.text
    assert "自己的甲客户" not in response.text and "别人的客户" not in response.text
    assert url("customer-claim", pooled.pk) in response.text
    assert response.context["limits"] == {"claim_limit": 5, "owned": 1, "at_limit": False}
    assert url("pool-policy") not in response.text  # rules are for admins


def test_pool_search_and_htmx_results(org, rep):
    CustomerFactory(organization=org, name="北京星河")
    CustomerFactory(organization=org, name="上海晨光")
    response = web_client(rep).get(url("pool"), {"q": "星河"}, headers={
        **HTMX, "HX-Target": "customer-results"})
    assert "<html" not in response.text
    assert "北京星河" in response.text and "上海晨光" not in response.text


def test_claiming_in_the_browser_makes_the_rep_the_owner(org, rep):
    customer = CustomerFactory(organization=org, name="待认领")
    response = web_client(rep).post(url("customer-claim", customer.pk))
    assert response.status_code == 302
    assert response["Location"] == url("customer-detail", customer.pk)
    customer.refresh_from_db()
    assert (customer.owner_id, customer.team_id) == (rep.user_id, rep.team_id)


def test_htmx_claim_answers_with_a_message_and_reloads_the_rows(org, rep):
    customer = CustomerFactory(organization=org, name="待认领")
    response = web_client(rep).post(url("customer-claim", customer.pk), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "customers-changed"
    assert "待认领" in response.text


def test_the_claim_limit_message_shows(org, rep):
    # given: the rep already holds as many as allowed
    limit(org, 1)
    owned(org, rep)
    customer = CustomerFactory(organization=org)
    client = web_client(rep)
    # when
    response = client.post(url("customer-claim", customer.pk), headers=HTMX)
    # then
    assert response.status_code == 409
    assert "1" in response.text and 'class="alert alert-error"' in response.text
    assert Customer.objects.get(pk=customer.pk).owner_id is None
    page = client.get(url("pool"))
    assert page.context["limits"]["at_limit"] is True
    assert 'class="pool-limit at-limit"' in page.text
    # and without htmx, as a message on the page it returns to
    followed = client.post(url("customer-claim", customer.pk), follow=True)
    assert [str(m) for m in followed.context["messages"]] == [
        response.context["text"]]


def test_bulk_claim_stops_at_the_limit(org, rep):
    limit(org, 2)
    first, second, third = (CustomerFactory(organization=org) for _ in range(3))
    taken = owned(org, admin_of(org))
    response = web_client(rep).post(url("pool-claim"), {
        "ids": [first.pk, second.pk, third.pk, taken.pk]}, headers=HTMX)
    assert response.status_code == 200
    assert Customer.objects.filter(owner=rep.user).count() == 2
    assert Customer.objects.get(pk=taken.pk).owner_id == admin_of(org).user_id
    assert "2" in response.context["text"]


def test_claiming_another_organizations_customer_is_404(org, rep):
    foreign = CustomerFactory(organization=OrganizationFactory())
    assert web_client(rep).post(url("customer-claim", foreign.pk)).status_code == 404
    assert web_client(rep).post(url("pool-claim"), {"ids": [foreign.pk]}).status_code == 302
    assert Customer.objects.get(pk=foreign.pk).owner_id is None


def test_release_to_pool(org, rep):
    customer = owned(org, rep)
    response = web_client(rep).post(url("customer-release", customer.pk))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.previous_owner_id == rep.user_id


# --- pool rules ----------------------------------------------------------------------------

def test_admin_sets_the_pool_rules(org):
    client = web_client(admin_of(org))
    assert client.get(url("pool-policy")).status_code == 200
    response = client.post(url("pool-policy"), {"claim_limit": 30, "no_follow_up_days": 15,
                                                "no_deal_days": 90, "warn_days_before": 2})
    assert response.status_code == 302
    policy = services.pool_policy(organization=org)
    assert (policy.claim_limit, policy.no_follow_up_days, policy.no_deal_days,
            policy.warn_days_before) == (30, 15, 90, 2)
    invalid = client.post(url("pool-policy"), {"claim_limit": -1, "no_follow_up_days": 0,
                                               "no_deal_days": 0, "warn_days_before": 0})
    assert invalid.status_code == 422
    assert url("pool-policy") in client.get(url("pool")).text


def test_reps_may_not_change_the_pool_rules(org, rep):
    client = web_client(rep)
    assert client.get(url("pool-policy")).status_code == 403
    assert client.post(url("pool-policy"), {"claim_limit": 999, "no_follow_up_days": 0,
                                            "no_deal_days": 0,
                                            "warn_days_before": 0}).status_code == 403
    assert services.pool_policy(organization=org).claim_limit == 0


# --- recycle bin ---------------------------------------------------------------------------

def test_recycle_bin_lists_deleted_not_merged_customers_and_restores(org):
    # given
    admin = admin_of(org)
    actor = actor_for(admin)
    deleted = CustomerFactory(organization=org, name="删掉的")
    services.customer_delete(actor=actor, customer=deleted)
    survivor = CustomerFactory(organization=org, name="留下的")
    merged = CustomerFactory(organization=org, name="合并掉的")
    services.customer_merge(actor=actor, survivor=survivor, merged=merged)
    CustomerFactory(organization=OrganizationFactory(), name="别家删掉的")
    client = web_client(admin)
    # when
    page = client.get(url("recycle-bin"))
    # then
    assert page.status_code == 200
    assert [c.name for c in page.context["customers"]] == ["删掉的"]
    assert client.get(url("recycle-bin"), {"q": "删"}).context["customers"]
    restored = client.post(url("customer-restore", deleted.pk))
    assert restored.status_code == 302
    assert Customer.objects.get(pk=deleted.pk).deleted_at is None
    assert client.post(url("customer-restore", merged.pk)).status_code == 302  # refused
    assert Customer.objects.get(pk=merged.pk).deleted_at is not None


def test_recycle_bin_needs_delete_permission(org, rep):
    customer = owned(org, rep)
    services.customer_delete(actor=actor_for(admin_of(org)), customer=customer)
    client = web_client(rep)
    assert client.get(url("recycle-bin")).status_code == 403
    assert client.post(url("customer-restore", customer.pk)).status_code == 403
    assert url("recycle-bin") not in client.get(url("customer-list")).text
    assert url("recycle-bin") in web_client(admin_of(org)).get(url("customer-list")).text


def test_restoring_another_organizations_customer_is_404(org):
    foreign = CustomerFactory(organization=OrganizationFactory())
    services.customer_delete(actor=actor_for(admin_of(foreign.organization)), customer=foreign)
    assert web_client(admin_of(org)).post(url("customer-restore", foreign.pk)).status_code == 404


# --- tags page -----------------------------------------------------------------------------

def test_tags_page_shows_counts_and_admins_delete(org, rep):
    # given
    admin = admin_of(org)
    vip = services.tag_get_or_create(actor=actor_for(admin), name="VIP")
    customers = [CustomerFactory(organization=org) for _ in range(2)]
    services.customers_tag(actor=actor_for(admin), customer_ids=[c.pk for c in customers],
                           tags=[vip])
    # when
    page = web_client(admin).get(url("tag-list"))
    # then
    assert page.status_code == 200
    assert [(t.name, t.customer_count) for t, _color in page.context["tags"]] == [("VIP", 2)]
    assert url("tag-delete", vip.pk) in page.text
    assert url("tag-delete", vip.pk) not in web_client(rep).get(url("tag-list")).text
    assert web_client(rep).post(url("tag-delete", vip.pk)).status_code == 403
    assert web_client(admin).post(url("tag-delete", vip.pk)).status_code == 302
    assert not Tag.objects.exists()


def test_deleting_another_organizations_tag_is_404(org):
    foreign = services.tag_get_or_create(
        actor=actor_for(admin_of(OrganizationFactory())), name="别家")
    assert web_client(admin_of(org)).post(url("tag-delete", foreign.pk)).status_code == 404


@pytest.mark.parametrize("name", ["pool", "recycle-bin", "tag-list", "segment-list",
                                  "customer-columns"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))

"""Roles' data scopes: own records, own team, team and sub-teams, whole organization."""

import pytest

from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    api_client,
    member,
    team,
)
from kehu.core.permissions import scoping
from kehu.core.permissions.models import Role
from kehu.customers import selectors, services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """销售部 ├ 华东组 (rep east, rep east2) └ 华南组 (rep south); a manager on 销售部."""
    org = OrganizationFactory()
    sales = team(org, "销售部")
    east, south = team(org, "华东组", parent=sales), team(org, "华南组", parent=sales)
    people = {
        "manager": member(org, "sales_manager", team=sales),
        "east": member(org, "sales_rep", team=east),
        "east2": member(org, "sales_rep", team=east),
        "south": member(org, "sales_rep", team=south),
        "viewer": member(org, "read_only"),
    }
    owned = {key: CustomerFactory(organization=org, owner=m.user, team=m.team, name=f"{key}客户")
             for key, m in people.items() if key != "viewer"}
    owned["pool"] = CustomerFactory(organization=org, name="公海客户")
    return org, people, owned, {"sales": sales, "east": east, "south": south}


def names(membership):
    return sorted(c.name for c in selectors.customer_list(actor=actor_for(membership)))


def test_rep_sees_own_records_and_the_pool_only(company):
    _org, people, _owned, _teams = company
    assert names(people["east"]) == ["east客户", "公海客户"]


def test_collaborator_sees_the_record_too(company):
    _org, people, owned, _teams = company
    owned["south"].collaborators.add(people["east"].user)
    assert names(people["east"]) == ["east客户", "south客户", "公海客户"]


def test_manager_with_subtree_scope_sees_all_sub_teams(company):
    _org, people, _owned, _teams = company
    assert names(people["manager"]) == ["east2客户", "east客户", "manager客户", "south客户",
                                        "公海客户"]


def test_team_scope_sees_own_team_not_sub_teams(company):
    org, _people, _owned, teams = company
    role = Role.objects.create(organization=org, key="team-lead", name="组长",
                               data_scope="team", grants={"customers.customer": ["view"]})
    lead = member(org, "team-lead", team=teams["east"])
    assert role.pk == lead.role_id
    assert names(lead) == ["east2客户", "east客户", "公海客户"]
    top = member(org, "team-lead", team=teams["sales"])
    assert names(top) == ["manager客户", "公海客户"]


def test_organization_scope_sees_everything_including_the_pool(company):
    org, people, _owned, _teams = company
    assert len(names(people["viewer"])) == 5
    assert len(names(admin_of(org))) == 5


def test_read_only_role_cannot_write(company):
    _org, people, owned, _teams = company
    client = api_client(people["viewer"])
    assert client.post("/api/v1/customers", {"name": "x"}).status_code == 403
    response = client.patch(f"/api/v1/customers/{owned['east'].pk}", {"name": "y", "version": 1})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.delete(f"/api/v1/customers/{owned['east'].pk}").status_code == 403


def test_rep_cannot_reach_a_colleagues_record_by_id(company):
    _org, people, owned, _teams = company
    client = api_client(people["east"])
    assert client.get(f"/api/v1/customers/{owned['east2'].pk}").status_code == 404
    assert client.patch(f"/api/v1/customers/{owned['east2'].pk}",
                        {"name": "mine now", "version": 1}).status_code == 404


def test_rep_without_assign_permission_cannot_give_a_record_away(company):
    _org, people, owned, _teams = company
    client = api_client(people["east"])
    response = client.patch(f"/api/v1/customers/{owned['east'].pk}",
                            {"owner_id": people["south"].user.pk, "version": 1})
    assert response.status_code == 403
    owned["east"].refresh_from_db()
    assert owned["east"].owner_id == people["east"].user_id


def test_reassignment_moves_the_record_into_the_new_owners_team(company):
    _org, people, owned, teams = company
    manager = actor_for(people["manager"])
    customer = services.customer_update(actor=manager, customer=owned["east"],
                                        values={"owner_id": people["south"].user_id})
    assert customer.team_id == teams["south"].pk
    assert names(people["south"]) == ["east客户", "south客户", "公海客户"]


def test_a_role_without_view_sees_nothing(company):
    org, _people, _owned, _teams = company
    Role.objects.create(organization=org, key="nothing", name="无权限", data_scope="org",
                        grants={})
    nobody = member(org, "nothing")
    assert scoping.visible(actor_for(nobody), Customer.objects.all()).count() == 0


def test_deactivated_member_keeps_records_but_loses_access(company):
    org, people, owned, _teams = company
    from kehu.core.accounts import services as accounts

    client = api_client(people["east"])
    accounts.member_set_active(actor=actor_for(admin_of(org)), membership=people["east"],
                               active=False)
    assert client.get("/api/v1/customers").status_code == 401
    owned["east"].refresh_from_db()
    assert owned["east"].owner_id == people["east"].user_id

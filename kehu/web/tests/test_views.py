"""The shell and the settings pages, driven through the Django test client."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kehu.core.accounts import services as account_services
from kehu.core.accounts.models import ApiToken, Membership, Team
from kehu.core.audit.models import ChangeRecord
from kehu.core.common.testing import (
    PASSWORD,
    OrganizationFactory,
    UserFactory,
    actor_for,
    admin_of,
    member,
    team,
    web_client,
)
from kehu.core.customfields.models import FieldDefinition
from kehu.core.notifications import services as notification_services
from kehu.core.permissions.models import Role
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return admin_of(org)


@pytest.fixture
def admin_client(admin):
    return web_client(admin)


# (url name, args) of every page of the shell
SHELL_PAGES = [
    ("web:home", []),
    ("web:coming", ["service"]),
    ("web:search", []),
    ("web:notifications", []),
    ("web:settings", []),
    ("web:settings-tokens", []),
]
ADMIN_PAGES = [
    ("web:settings-members", []),
    ("web:settings-member-invite", []),
    ("web:settings-member-edit", [1]),
    ("web:settings-teams", []),
    ("web:settings-team-create", []),
    ("web:settings-team-edit", [1]),
    ("web:settings-roles", []),
    ("web:settings-role-create", []),
    ("web:settings-role-edit", [1]),
    ("web:settings-fields", []),
    ("web:settings-field-create", []),
    ("web:settings-field-edit", [1]),
    ("web:settings-audit", []),
]
ADMIN_POSTS = [
    ("web:settings-member-active", [1]),
    ("web:settings-team-delete", [1]),
    ("web:settings-field-active", [1]),
]


@pytest.mark.parametrize(("name", "args"), SHELL_PAGES + ADMIN_PAGES)
def test_anonymous_users_are_sent_to_login(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize(("name", "args"), [*ADMIN_POSTS, ("web:settings-token-revoke", [1]),
                                            ("web:notifications-read", [])])
def test_anonymous_posts_are_sent_to_login(client, name, args):
    response = client.post(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_non_admin_gets_403_on_settings_pages(org, name, args):
    rep = member(org, "sales_rep")
    response = web_client(rep).get(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "args"), ADMIN_POSTS)
def test_non_admin_cannot_post_admin_actions(org, admin, name, args):
    rep = member(org, "sales_manager")
    response = web_client(rep).post(reverse(name, args=[admin.pk]), {"active": "0"})
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.parametrize(("name", "args"), SHELL_PAGES)
def test_member_sees_the_shell_pages(org, name, args):
    rep = member(org, "sales_rep")
    response = web_client(rep).get(reverse(name, args=args), follow=True)
    assert response.status_code == 200


def test_admin_sees_every_settings_page(org, admin, admin_client):
    some_team = team(org, "销售部")
    role = Role.objects.get(organization=org, key="sales_rep")
    definition = FieldDefinition.objects.create(organization=org, object_type="customers.customer",
                                                key="wechat", label="微信", kind="text")
    ids = {"web:settings-member-edit": admin.pk, "web:settings-team-edit": some_team.pk,
           "web:settings-role-edit": role.pk, "web:settings-field-edit": definition.pk}
    for name, args in SHELL_PAGES + ADMIN_PAGES:
        url = reverse(name, args=[ids[name]] if name in ids else args)
        response = admin_client.get(url, follow=True)
        assert response.status_code == 200, url


def test_base_layout_has_navigation_search_bell_language_and_logout(org, admin_client):
    html = admin_client.get(reverse("web:home")).content.decode()
    for url in (reverse("customers:customer-list"), reverse("analytics:funnel"),
                reverse("web:settings"), reverse("web:search"), reverse("web:notifications"),
                reverse("set_language"), reverse("web:logout")):
        assert f'"{url}' in html
    assert 'name="language" value="en"' in html


def test_settings_link_only_for_admins(org):
    rep = member(org, "sales_rep")
    html = web_client(rep).get(reverse("web:home")).content.decode()
    assert f'href="{reverse("web:settings")}"' not in html


def test_sidebar_marks_the_current_module(org, admin_client):
    customers_url = reverse("customers:customer-list")
    html = admin_client.get(customers_url).content.decode()
    assert f'href="{customers_url}" class="active"' in html
    html = admin_client.get(reverse("web:settings-teams")).content.decode()
    assert f'href="{reverse("web:settings")}" class="active"' in html


def test_unknown_module_is_404(org):
    response = web_client(member(org)).get(reverse("web:coming", args=["nothing"]))
    assert response.status_code == 404


# --- home, notifications, search ----------------------------------------------------------

def test_home_counts_my_customers_and_the_pool(org, admin, admin_client):
    CustomerFactory.create_batch(2, organization=org, owner=admin.user)
    CustomerFactory.create_batch(3, organization=org)
    response = admin_client.get(reverse("web:home"))
    assert response.context["my_customers"] == 2
    assert response.context["pool_customers"] == 3


def test_notification_count_shows_in_the_top_bar(org, admin, admin_client):
    for n in range(3):
        notification_services.notify(organization=org, recipient=admin.user, kind="test",
                                     title=f"提醒{n}")
    html = admin_client.get(reverse("web:home")).content.decode()
    assert 'data-testid="unread-count">3<' in html


def test_mark_all_notifications_read(org, admin, admin_client):
    notification_services.notify(organization=org, recipient=admin.user, kind="test", title="x")
    page = admin_client.get(reverse("web:notifications"))
    assert "x" in page.content.decode()
    response = admin_client.post(reverse("web:notifications-read"))
    assert response.status_code == 302
    html = admin_client.get(reverse("web:home")).content.decode()
    assert 'data-testid="unread-count"' not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(org, admin, admin_client):
    note = notification_services.notify(organization=org, recipient=admin.user, kind="test",
                                        title="x", url="/customers/")
    evil = notification_services.notify(organization=org, recipient=admin.user, kind="test",
                                        title="y", url="https://evil.example/")
    response = admin_client.post(reverse("web:notification-open", args=[note.pk]))
    assert response["Location"] == "/customers/"
    note.refresh_from_db()
    assert note.read_at is not None
    response = admin_client.post(reverse("web:notification-open", args=[evil.pk]))
    assert response["Location"] == reverse("web:notifications")


def test_search_shows_only_customers_the_user_may_see(org):
    east, south = member(org, "sales_rep"), member(org, "sales_rep")
    CustomerFactory(organization=org, owner=east.user, name="华为东区客户")
    CustomerFactory(organization=org, owner=south.user, name="华为南区客户")
    CustomerFactory(organization=OrganizationFactory(), name="华为外部客户")
    response = web_client(east).get(reverse("web:search"), {"q": "华为"})
    html = response.content.decode()
    assert "华为东区客户" in html
    assert "华为南区客户" not in html
    assert "华为外部客户" not in html


def test_admin_search_sees_the_whole_organization_but_not_others(org, admin_client):
    CustomerFactory(organization=org, owner=member(org).user, name="甲客户")
    CustomerFactory(organization=OrganizationFactory(), name="甲外部")
    html = admin_client.get(reverse("web:search"), {"q": "甲"}).content.decode()
    assert "甲客户" in html
    assert "甲外部" not in html


# --- signing in ---------------------------------------------------------------------------

@pytest.fixture
def person(org):
    user = UserFactory(phone="+8613812345678")
    member(org, "sales_rep", user=user)
    return user


@pytest.mark.parametrize("username", ["EMAIL", "13812345678", "+86 138 1234 5678"])
def test_login_with_email_or_mobile_phone(person, username):
    client = Client()
    username = person.email if username == "EMAIL" else username
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200


def test_login_returns_to_the_page_asked_for(person):
    client = Client()
    members_url = reverse("web:notifications")
    to_login = client.get(members_url)
    assert to_login["Location"] == f"{reverse('web:login')}?next={members_url}"
    response = client.post(to_login["Location"], {"username": person.email,
                                                  "password": PASSWORD, "next": members_url})
    assert response["Location"] == members_url


def test_login_page_asks_for_email_or_mobile_phone(client):
    html = client.get(reverse("web:login")).content.decode()
    assert "Email or mobile phone" in html or "邮箱或手机号" in html


def test_wrong_password_is_refused(person):
    client = Client()
    response = client.post(reverse("web:login"), {"username": person.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_login_is_locked_after_five_wrong_passwords(person):
    client = Client()
    for _attempt in range(5):
        client.post(reverse("web:login"), {"username": person.email, "password": "wrong-one"})
    response = client.post(reverse("web:login"), {"username": person.email,
                                                  "password": PASSWORD})
    assert response.status_code == 429
    assert "web/auth/locked.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()
    assert client.get(reverse("web:home")).status_code == 302


def test_logout_is_a_post(org, admin_client):
    assert admin_client.get(reverse("web:logout")).status_code == 405
    assert admin_client.post(reverse("web:logout")).status_code == 302
    assert admin_client.get(reverse("web:home")).status_code == 302


# --- members ------------------------------------------------------------------------------

def test_admin_invites_a_member_and_sees_the_password_once(org, admin_client):
    east = team(org, "华东组")
    role = Role.objects.get(organization=org, key="sales_rep")
    response = admin_client.post(reverse("web:settings-member-invite"), {
        "email": "New.Person@Example.com", "name": "新同事", "phone": "13900001111",
        "role": role.pk, "team": east.pk})
    assert response.status_code == 200
    membership = Membership.objects.get(organization=org, user__email="new.person@example.com")
    assert (membership.role, membership.team, membership.user.phone) == (role, east,
                                                                         "+8613900001111")
    password = response.context["password"]
    assert password and password in response.content.decode()
    login = Client().post(reverse("web:login"), {"username": "13900001111",
                                                 "password": password})
    assert login.status_code == 302


def test_inviting_an_existing_member_again_is_a_422(org, admin, admin_client):
    role = Role.objects.get(organization=org, key="sales_rep")
    response = admin_client.post(reverse("web:settings-member-invite"), {
        "email": admin.user.email, "name": "x", "role": role.pk})
    assert response.status_code == 422
    assert response.context["form"].errors["email"]


def test_admin_changes_a_members_role_and_team(org, admin_client):
    rep = member(org, "sales_rep")
    south = team(org, "华南组")
    manager = Role.objects.get(organization=org, key="sales_manager")
    response = admin_client.post(reverse("web:settings-member-edit", args=[rep.pk]),
                                 {"role": manager.pk, "team": south.pk})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.role, rep.team) == (manager, south)
    admin_client.post(reverse("web:settings-member-edit", args=[rep.pk]),
                      {"role": manager.pk, "team": ""})
    rep.refresh_from_db()
    assert rep.team is None


def test_the_last_admin_cannot_lose_the_admin_role(org, admin, admin_client):
    rep_role = Role.objects.get(organization=org, key="sales_rep")
    response = admin_client.post(reverse("web:settings-member-edit", args=[admin.pk]),
                                 {"role": rep_role.pk, "team": ""})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()


def test_admin_deactivates_a_member_whose_customers_stay(org, admin_client):
    rep = member(org, "sales_rep")
    customer = CustomerFactory(organization=org, owner=rep.user)
    response = admin_client.post(reverse("web:settings-member-active", args=[rep.pk]),
                                 {"active": "0"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active
    customer.refresh_from_db()
    assert customer.owner_id == rep.user_id
    assert Customer.objects.filter(pk=customer.pk).exists()
    # they are signed out on their next request
    assert web_client(rep).get(reverse("web:home")).status_code == 302
    admin_client.post(reverse("web:settings-member-active", args=[rep.pk]), {"active": "1"})
    rep.refresh_from_db()
    assert rep.is_active


def test_members_of_another_organization_are_404(org, admin_client):
    stranger = admin_of(OrganizationFactory())
    response = admin_client.post(reverse("web:settings-member-active", args=[stranger.pk]),
                                 {"active": "0"})
    assert response.status_code == 404
    assert admin_client.get(reverse("web:settings-member-edit",
                                    args=[stranger.pk])).status_code == 404


# --- teams --------------------------------------------------------------------------------

def test_admin_creates_a_team_under_another_team(org, admin_client):
    sales = team(org, "销售部")
    response = admin_client.post(reverse("web:settings-team-create"),
                                 {"name": "华东组", "parent": sales.pk})
    assert response.status_code == 302
    east = Team.objects.get(organization=org, name="华东组")
    assert east.parent == sales
    assert east.path == f"{sales.path}{east.pk}/"
    html = admin_client.get(reverse("web:settings-teams")).content.decode()
    table = html.split("<tbody>")[1]
    assert table.index("销售部") < table.index("华东组")
    assert "--depth: 1" in html


def test_team_list_counts_active_members_once(org, admin_client):
    sales = team(org, "销售部")
    team(org, "华东组", parent=sales), team(org, "华南组", parent=sales)
    member(org, team=sales), member(org, team=sales)
    gone = member(org, team=sales)
    Membership.objects.filter(pk=gone.pk).update(is_active=False)
    response = admin_client.get(reverse("web:settings-teams"))
    counts = {t.name: (t.member_count, t.child_count) for t in response.context["teams"]}
    assert counts == {"销售部": (2, 2), "华东组": (0, 0), "华南组": (0, 0)}


def test_admin_renames_and_moves_a_team(org, admin_client):
    sales, service = team(org, "销售部"), team(org, "客服部")
    east = team(org, "华东组", parent=sales)
    response = admin_client.post(reverse("web:settings-team-edit", args=[east.pk]),
                                 {"name": "华东一组", "parent": service.pk})
    assert response.status_code == 302
    east.refresh_from_db()
    assert (east.name, east.parent, east.path) == ("华东一组", service,
                                                   f"{service.path}{east.pk}/")
    admin_client.post(reverse("web:settings-team-edit", args=[east.pk]),
                      {"name": "华东一组", "parent": ""})
    east.refresh_from_db()
    assert east.parent is None


def test_a_team_cannot_move_under_itself(org, admin_client):
    sales = team(org, "销售部")
    east = team(org, "华东组", parent=sales)
    response = admin_client.post(reverse("web:settings-team-edit", args=[sales.pk]),
                                 {"name": "销售部", "parent": east.pk})
    assert response.status_code == 422
    sales.refresh_from_db()
    assert sales.parent is None


def test_only_an_empty_team_can_be_deleted(org, admin_client):
    sales = team(org, "销售部")
    east = team(org, "华东组", parent=sales)
    admin_client.post(reverse("web:settings-team-delete", args=[sales.pk]))
    assert Team.objects.filter(pk=sales.pk).exists()
    admin_client.post(reverse("web:settings-team-delete", args=[east.pk]))
    assert not Team.objects.filter(pk=east.pk).exists()


# --- roles --------------------------------------------------------------------------------

def test_admin_creates_a_custom_role_with_a_grants_matrix(org, admin_client):
    response = admin_client.post(reverse("web:settings-role-create"), {
        "name": "区域经理", "data_scope": "subtree",
        "grants": ["customers.customer:view", "customers.customer:edit",
                   "customers.customer:export"]})
    assert response.status_code == 302
    role = Role.objects.get(organization=org, name="区域经理")
    assert not role.is_builtin and not role.is_admin
    assert role.data_scope == "subtree"
    assert role.grants["customers.customer"] == ["view", "edit", "export"]
    page = admin_client.get(reverse("web:settings-role-edit", args=[role.pk])).content.decode()
    assert 'value="customers.customer:edit" id="grant-1-3" checked' in page


def test_admin_edits_a_custom_role(org, admin_client):
    role = account_services.role_save(actor=actor_for(admin_of(org)), role=None, name="临时",
                                      data_scope="own", grants={})
    response = admin_client.post(reverse("web:settings-role-edit", args=[role.pk]), {
        "name": "临时2", "data_scope": "team", "grants": ["customers.customer:view"]})
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.name, role.data_scope, role.grants["customers.customer"]) == (
        "临时2", "team", ["view"])


def test_builtin_roles_are_read_only_and_can_be_copied(org, admin_client):
    rep = Role.objects.get(organization=org, key="sales_rep")
    page = admin_client.get(reverse("web:settings-role-edit", args=[rep.pk]))
    assert page.context["read_only"]
    assert 'type="submit"' not in page.content.decode().split('data-testid="grants-matrix"')[1]
    response = admin_client.post(reverse("web:settings-role-edit", args=[rep.pk]), {
        "name": "hacked", "data_scope": "org", "grants": []})
    assert response.status_code == 200
    rep.refresh_from_db()
    assert rep.data_scope == "own"
    copy = admin_client.get(reverse("web:settings-role-create"), {"copy": rep.pk})
    form = copy.context["form"]
    assert "customers.customer:import" in form.initial["grants"]
    assert form.initial["data_scope"] == "own"


# --- custom fields ------------------------------------------------------------------------

def test_admin_creates_a_custom_field(org, admin_client):
    response = admin_client.post(reverse("web:settings-field-create"), {
        "object_type": "customers.customer", "key": "channel", "label": "渠道",
        "kind": "select", "options": "线上\n线下\n\n展会", "required": "on",
        "default": "线上", "help_text": "客户从哪里来", "position": "3"})
    assert response.status_code == 302
    definition = FieldDefinition.objects.get(organization=org, key="channel")
    assert definition.choices == ["线上", "线下", "展会"]
    assert (definition.required, definition.unique, definition.default, definition.position) == (
        True, False, "线上", 3)
    assert "渠道" in admin_client.get(reverse("web:settings-fields")).content.decode()


def test_a_select_field_without_options_is_a_422(org, admin_client):
    response = admin_client.post(reverse("web:settings-field-create"), {
        "object_type": "customers.customer", "key": "channel", "label": "渠道",
        "kind": "select", "options": "", "position": "0"})
    assert response.status_code == 422
    assert response.context["form"].errors["options"]
    assert not FieldDefinition.objects.filter(organization=org).exists()


def test_admin_edits_and_deactivates_a_custom_field_but_never_changes_its_key(org, admin_client):
    definition = FieldDefinition.objects.create(organization=org, object_type="customers.customer",
                                                key="wechat", label="微信", kind="text")
    response = admin_client.post(reverse("web:settings-field-edit", args=[definition.pk]), {
        "key": "other", "kind": "integer", "label": "微信号", "position": "1"})
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.key, definition.kind, definition.label) == ("wechat", "text", "微信号")
    admin_client.post(reverse("web:settings-field-active", args=[definition.pk]), {"active": "0"})
    definition.refresh_from_db()
    assert not definition.is_active
    admin_client.post(reverse("web:settings-field-active", args=[definition.pk]), {"active": "1"})
    definition.refresh_from_db()
    assert definition.is_active


# --- API tokens ---------------------------------------------------------------------------

def test_any_member_creates_and_revokes_their_own_token(org):
    rep = member(org, "sales_rep")
    client = web_client(rep)
    response = client.post(reverse("web:settings-tokens"), {"name": "ERP"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("kehu_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=rep.user)
    assert secret not in client.get(reverse("web:settings-tokens")).content.decode()
    client.post(reverse("web:settings-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token_through_the_page(org, admin_client):
    rep = member(org, "sales_rep")
    token, _secret = account_services.api_token_create(actor=actor_for(rep), name="mine")
    response = admin_client.post(reverse("web:settings-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- audit log ----------------------------------------------------------------------------

def test_audit_log_shows_changes_and_filters(org, admin, admin_client):
    sales = team(org, "销售部")
    account_services.team_update(actor=actor_for(admin), team=sales, name="销售中心")
    response = admin_client.get(reverse("web:settings-audit"),
                                {"object_type": "accounts.team", "action": "update"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "销售部" in html and "销售中心" in html and "→" in html
    assert all(row["record"].action == "update" for row in response.context["rows"])


def test_audit_log_pages_by_id(org, admin, admin_client, monkeypatch):
    monkeypatch.setattr("kehu.web.views.PAGE_SIZE", 2)
    for n in range(3):
        team(org, f"组{n}")
    first = admin_client.get(reverse("web:settings-audit"))
    older = first.context["older"]
    assert len(first.context["rows"]) == 2 and older
    second = admin_client.get(reverse("web:settings-audit"), {"before": older})
    ids = [row["record"].pk for row in second.context["rows"]]
    assert ids and all(pk < older for pk in ids)
    assert ChangeRecord.objects.filter(organization=org).count() >= 3


def test_audit_log_shows_labels_and_names_not_columns_and_ids(org, admin, admin_client):
    # given a member moved to another role and team
    rep = member(org, "sales_rep")
    east = team(org, "华东区")
    manager_role = Role.objects.get(organization=org, key="sales_manager")
    account_services.member_update(actor=actor_for(admin), membership=rep, role=manager_role,
                                   team=east)
    # when the admin reads the audit log
    html = admin_client.get(reverse("web:settings-audit"),
                            {"object_type": "accounts.membership"}).content.decode()
    # then the change reads as people say it
    assert "华东区" in html and "销售代表" in html and "销售经理" in html
    assert "role_id" not in html and "team_id" not in html

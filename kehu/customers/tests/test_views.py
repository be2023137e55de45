import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import StaleWrite
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
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FORM = {"kind": "company", "name": "星河科技有限公司", "status": "potential", "level": "",
        "short_name": "", "industry": "", "source": "", "phone": "", "email": "", "website": "",
        "province": "", "city": "", "district": "", "address": "", "next_follow_up_on": "",
        "notes": ""}


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


def define(org, key, kind, **options):
    return field_services.field_definition_create(
        actor=actor_for(admin_of(org)), object_type="customers.customer", key=key,
        label=options.pop("label", key), kind=kind, **options)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def sales(org):
    """A sales department with an east team under it, and a separate service team."""
    root = team(org, "销售部")
    return {"root": root, "east": team(org, "华东", parent=root),
            "service": team(org, "客服部")}


def owned(org, membership, **kwargs):
    return CustomerFactory(organization=org, owner=membership.user, team=membership.team,
                           **kwargs)


# --- access --------------------------------------------------------------------------------

@pytest.mark.parametrize("name,needs_pk", [
    ("customer-list", False), ("customer-create", False), ("customer-export", False),
    ("customer-detail", True), ("customer-edit", True), ("customer-delete", True)])
def test_anonymous_is_sent_to_login(client, org, name, needs_pk):
    customer = CustomerFactory(organization=org)
    response = client.get(url(name, customer.pk) if needs_pk else url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_rep_lists_only_own_customers(org, sales):
    # given
    rep = member(org, "sales_rep", team=sales["east"])
    other = member(org, "sales_rep", team=sales["east"])
    owned(org, rep, name="我的客户")
    owned(org, other, name="别人的客户")
    # when
    response = web_client(rep).get(url("customer-list"))
    # then
    assert response.status_code == 200
    assert "我的客户" in response.text
    assert "别人的客户" not in response.text


@pytest.mark.parametrize("name", ["customer-detail", "customer-edit", "customer-delete"])
def test_rep_gets_404_on_another_reps_customer(org, sales, name):
    rep = member(org, "sales_rep", team=sales["east"])
    theirs = owned(org, member(org, "sales_rep", team=sales["east"]))
    client = web_client(rep)
    assert client.get(url(name, theirs.pk)).status_code == 404
    if name != "customer-detail":
        assert client.post(url(name, theirs.pk), FORM).status_code == 404
    assert Customer.objects.filter(pk=theirs.pk, name=theirs.name).exists()


@pytest.mark.parametrize("name", ["customer-detail", "customer-edit", "customer-delete"])
def test_another_organizations_customer_is_404(org, name):
    admin = admin_of(org)
    foreign = CustomerFactory(organization=OrganizationFactory())
    client = web_client(admin)
    assert client.get(url(name, foreign.pk)).status_code == 404
    if name != "customer-detail":
        assert client.post(url(name, foreign.pk), FORM).status_code == 404
    assert Customer.objects.filter(pk=foreign.pk, name=foreign.name).exists()


def test_manager_sees_customers_of_the_teams_under_them(org, sales):
    # given
    manager = member(org, "sales_manager", team=sales["root"])
    owned(org, member(org, "sales_rep", team=sales["east"]), name="华东客户")
    owned(org, member(org, "service_agent", team=sales["service"]), name="客服部客户")
    # when
    response = web_client(manager).get(url("customer-list"))
    # then
    assert "华东客户" in response.text
    assert "客服部客户" not in response.text


def test_read_only_user_may_not_create(org):
    viewer = member(org, "read_only")
    client = web_client(viewer)
    assert client.get(url("customer-create")).status_code == 403
    assert client.post(url("customer-create"), FORM).status_code == 403
    assert not Customer.objects.exists()


def test_rep_sees_no_delete_button_and_may_not_delete_own_customer(org, sales):
    rep = member(org, "sales_rep", team=sales["east"])
    mine = owned(org, rep)
    client = web_client(rep)
    detail = client.get(url("customer-detail", mine.pk))
    assert url("customer-edit", mine.pk) in detail.text
    assert url("customer-delete", mine.pk) not in detail.text
    assert client.post(url("customer-delete", mine.pk)).status_code == 403
    assert Customer.objects.filter(pk=mine.pk).exists()


# --- list ----------------------------------------------------------------------------------

def test_htmx_search_swaps_only_the_rows(org):
    admin = admin_of(org)
    CustomerFactory(organization=org, name="北京星河")
    CustomerFactory(organization=org, name="上海晨光")
    response = web_client(admin).get(url("customer-list"), {"q": "星河"}, headers={
        "HX-Request": "true", "HX-Target": "customer-results"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "北京星河" in response.text
    assert "上海晨光" not in response.text
    assert 'id="customer-export-links" class="actions" hx-swap-oob="true"' in response.text
    assert "HX-Request" in response["Vary"]


def test_list_filters_by_status_and_custom_select(org):
    admin = admin_of(org)
    define(org, "tier", "select", label="等级", choices=["金", "银"])
    CustomerFactory(organization=org, name="金牌客户", status="active", custom_data={"tier": "金"})
    CustomerFactory(organization=org, name="银牌客户", status="active", custom_data={"tier": "银"})
    CustomerFactory(organization=org, name="流失客户", status="lost", custom_data={"tier": "金"})
    response = web_client(admin).get(url("customer-list"), {"status": "active", "cf_tier": "金"})
    assert "金牌客户" in response.text
    assert "银牌客户" not in response.text
    assert "流失客户" not in response.text


def test_keyset_pages_sorted_by_custom_field_put_empty_values_last(org, monkeypatch):
    # given
    from kehu.customers.views import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    admin = admin_of(org)
    define(org, "score", "integer", label="评分")
    for name, score in [("C", 3), ("A", 1), ("无分1", None), ("B", 2), ("无分2", None)]:
        CustomerFactory(organization=org, name=name,
                        custom_data={} if score is None else {"score": score})
    client = web_client(admin)
    # when: walk every page through its "next page" link
    seen, params = [], {"sort": "cf_score"}
    for _ in range(5):
        response = client.get(url("customer-list"), params)
        rows = response.context["rows"]
        seen += [customer.name for customer, _cells in rows]
        if not response.context["next_cursor"]:
            break
        params = {"sort": "cf_score", "cursor": response.context["next_cursor"]}
    # then
    assert seen[:3] == ["A", "B", "C"]
    assert sorted(seen[3:]) == ["无分1", "无分2"]


def test_list_query_count_does_not_grow_with_rows(org, django_assert_max_num_queries):
    admin = admin_of(org)
    define(org, "sponsor", "user", label="对接人")
    for i in range(30):
        CustomerFactory(organization=org, owner=admin.user, custom_data={"sponsor": admin.user.pk},
                        name=f"客户{i}")
    client = web_client(admin)
    with django_assert_max_num_queries(15):
        response = client.get(url("customer-list"))
    assert response.status_code == 200


def test_user_text_is_escaped(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org, name="<script>alert(1)</script>")
    client = web_client(admin)
    for response in (client.get(url("customer-list")),
                     client.get(url("customer-detail", customer.pk))):
        assert "<script>alert(1)</script>" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


# --- create and edit -----------------------------------------------------------------------

def test_create_without_a_required_custom_field_shows_the_error_and_writes_nothing(org):
    admin = admin_of(org)
    define(org, "contract_no", "text", label="合同编号", required=True)
    response = web_client(admin).post(url("customer-create"), FORM)
    assert response.status_code == 422
    with translation.override(settings.LANGUAGE_CODE):
        message = gettext("%(label)s is required.") % {"label": "合同编号"}
    assert response.context["form"].errors["custom__contract_no"] == [message]
    assert message in response.text
    assert not Customer.objects.exists()
    assert not ChangeRecord.objects.filter(object_type="customers.customer").exists()


def test_invalid_model_fields_and_custom_fields_are_reported_together(org):
    admin = admin_of(org)
    define(org, "budget", "integer", label="预算")
    response = web_client(admin).post(url("customer-create"), {
        **FORM, "name": "", "custom__budget": "很多"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "custom__budget"}


def test_service_errors_land_on_their_fields(org):
    admin = admin_of(org)
    response = web_client(admin).post(url("customer-create"), {**FORM, "phone": "12"})
    assert response.status_code == 422
    assert "phone" in response.context["form"].errors


def test_create_with_custom_fields_stores_them_and_shows_them_formatted(org):
    # given
    admin = admin_of(org)
    define(org, "budget", "money", label="预算")
    define(org, "channels", "multiselect", label="渠道", choices=["微信", "电话", "展会"])
    define(org, "vip", "boolean", label="重点客户")
    define(org, "sponsor", "user", label="对接人")
    define(org, "signed_on", "date", label="签约日期")
    client = web_client(admin)
    # when
    response = client.post(url("customer-create"), {
        **FORM, "owner": admin.user.pk,
        "custom__budget_amount": "12500.5", "custom__budget_currency": "USD",
        "custom__channels": ["微信", "展会"], "custom__vip": "true",
        "custom__sponsor": str(admin.user.pk), "custom__signed_on": "2026-03-01"})
    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert response["Location"] == url("customer-detail", customer.pk)
    assert customer.owner_id == admin.user.pk
    assert customer.custom_data == {
        "budget": {"amount": "12500.50", "currency": "USD"}, "channels": ["微信", "展会"],
        "vip": True, "sponsor": admin.user.pk, "signed_on": "2026-03-01"}
    detail = client.get(url("customer-detail", customer.pk)).text
    assert "12,500.50 USD" in detail
    assert "微信, 展会" in detail
    assert "是" in detail
    assert str(admin.user) in detail
    assert "2026年3月1日" in detail


def test_create_by_a_rep_makes_them_the_owner_without_an_owner_select(org, sales):
    rep = member(org, "sales_rep", team=sales["east"])
    client = web_client(rep)
    assert "owner" not in client.get(url("customer-create")).context["form"].fields
    response = client.post(url("customer-create"), {**FORM, "owner": admin_of(org).user.pk})
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.owner_id, customer.team_id) == (rep.user_id, sales["east"].pk)


def test_edit_saves_and_history_shows_labels(org):
    # given
    admin = admin_of(org)
    define(org, "tier", "select", label="客户等级", choices=["金", "银"])
    actor = actor_for(admin)
    customer = services.customer_create(actor=actor, values={"name": "旧名字"},
                                        custom={"tier": "银"})
    client = web_client(admin)
    # when
    response = client.post(url("customer-edit", customer.pk), {
        **FORM, "name": "新名字", "status": "active", "owner": admin.user.pk,
        "version": customer.version, "custom__tier": "金"})
    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.version, customer.custom_data) == (
        "新名字", 2, {"tier": "金"})
    history = client.get(url("customer-detail", customer.pk)).context["history"]
    changes = {c["label"]: (c["before"], c["after"]) for c in history[0]["changes"]}
    label = {name: str(Customer._meta.get_field(name).verbose_name) for name in ("name", "status")}
    assert changes[label["name"]] == ("旧名字", "新名字")
    assert changes["客户等级"] == ("银", "金")
    assert changes[label["status"]] == (str(Customer.Status.POTENTIAL.label),
                                 str(Customer.Status.ACTIVE.label))


def test_edit_with_a_stale_version_shows_the_conflict_and_changes_nothing(org):
    # given: the form was read at version 1, then someone else saved
    admin = admin_of(org)
    actor = actor_for(admin)
    customer = services.customer_create(actor=actor, values={"name": "原名"})
    services.customer_update(actor=actor, customer=customer, values={"name": "别人改的"},
                             version=1)
    # when
    response = web_client(admin).post(url("customer-edit", customer.pk), {
        **FORM, "name": "我改的", "owner": admin.user.pk, "version": 1})
    # then
    assert response.status_code == 409
    with translation.override(settings.LANGUAGE_CODE):
        assert StaleWrite(current_version=2).message in response.text
    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("别人改的", 2)


def test_htmx_form_errors_return_the_partial_and_success_redirects(org):
    admin = admin_of(org)
    client = web_client(admin)
    htmx = {"HX-Request": "true"}
    invalid = client.post(url("customer-create"), {**FORM, "name": ""}, headers=htmx)
    assert invalid.status_code == 422
    assert "<html" not in invalid.text and "<form" in invalid.text
    saved = client.post(url("customer-create"), FORM, headers=htmx)
    assert saved.status_code == 204
    assert saved["HX-Redirect"] == url("customer-detail", Customer.objects.get().pk)


def test_edit_keeps_a_value_whose_option_was_removed_when_untouched(org):
    admin = admin_of(org)
    definition = define(org, "tier", "select", label="等级", choices=["金", "银"])
    customer = services.customer_create(actor=actor_for(admin), values={"name": "甲"},
                                        custom={"tier": "银"})
    field_services.field_definition_update(actor=actor_for(admin), definition=definition,
                                           choices=["金"])
    response = web_client(admin).post(url("customer-edit", customer.pk), {
        **FORM, "name": "乙", "owner": admin.user.pk, "version": 1, "custom__tier": "银"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.custom_data) == ("乙", {"tier": "银"})


def test_delete_asks_then_deletes(org):
    admin = admin_of(org)
    customer = CustomerFactory(organization=org)
    client = web_client(admin)
    assert client.get(url("customer-delete", customer.pk)).status_code == 200
    assert Customer.objects.filter(pk=customer.pk).exists()
    response = client.post(url("customer-delete", customer.pk))
    assert response.status_code == 302
    assert client.get(url("customer-detail", customer.pk)).status_code == 404
    assert ChangeRecord.objects.filter(action="delete", object_id=customer.pk).exists()


# --- export --------------------------------------------------------------------------------

def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_contains_only_visible_customers_and_neutralizes_formulas(org, sales):
    # given
    manager = member(org, "sales_manager", team=sales["root"])
    rep = member(org, "sales_rep", team=sales["east"])
    owned(org, rep, name='=HYPERLINK("http://x","y")')
    owned(org, rep, name="华东客户")
    owned(org, member(org, "service_agent", team=sales["service"]), name="客服部客户")
    client = web_client(manager)
    # when
    response = client.get(url("customer-export"), {"format": "csv"})
    # then
    assert response.status_code == 200
    names = [row[1] for row in _csv_rows(response)[1:]]
    assert sorted(names) == sorted(["'=HYPERLINK(\"http://x\",\"y\")", "华东客户"])


def test_export_uses_the_list_filters(org):
    admin = admin_of(org)
    CustomerFactory(organization=org, name="星河", status="active")
    CustomerFactory(organization=org, name="晨光", status="lost")
    response = web_client(admin).get(url("customer-export"), {"format": "csv",
                                                              "status": "active"})
    assert [row[1] for row in _csv_rows(response)[1:]] == ["星河"]


def test_export_xlsx(org):
    response = web_client(admin_of(org)).get(url("customer-export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_users_without_export_permission_get_no_button_and_403(org, sales):
    rep = member(org, "sales_rep", team=sales["east"])
    client = web_client(rep)
    assert url("customer-export") not in client.get(url("customer-list")).text
    assert client.get(url("customer-export")).status_code == 403
    manager = member(org, "sales_manager", team=sales["root"])
    assert url("customer-export") in web_client(manager).get(url("customer-list")).text


def test_probable_duplicate_is_shown_and_can_be_saved_anyway(org, sales):
    # given: a colleague already has the company
    rep = member(org, "sales_rep", team=sales["east"])
    owned(org, member(org, "sales_rep", team=sales["east"]), name="深圳星河科技有限公司")
    client = web_client(rep)
    data = {**FORM, "name": "深圳星河科技股份有限公司"}
    # when
    response = client.post(url("customer-create"), data)
    # then: shown without a link (the rep may not open it), nothing written
    assert response.status_code == 409
    assert "深圳星河科技有限公司" in response.text
    assert response.context["duplicates"][0]["visible"] is False
    assert Customer.objects.count() == 1
    saved = client.post(url("customer-create"), {**data, "allow_duplicates": "on"})
    assert saved.status_code == 302
    assert Customer.objects.count() == 2


def test_pages_sorted_by_created_skip_nothing(org, monkeypatch):
    from django.utils import timezone

    from kehu.customers.views import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    created = timezone.now().replace(microsecond=123456)
    for i in range(5):
        CustomerFactory(organization=org, name=f"c{i}", created_at=created)
    client = web_client(admin_of(org))
    seen, params = [], {"sort": "-created"}
    for _ in range(5):
        response = client.get(url("customer-list"), params)
        seen += [customer.name for customer, _cells in response.context["rows"]]
        if not response.context["next_cursor"]:
            break
        params = {"sort": "-created", "cursor": response.context["next_cursor"]}
    assert sorted(seen) == [f"c{i}" for i in range(5)]

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from kehu.core.common.testing import OrganizationFactory, admin_of, member
from kehu.core.customfields import services
from kehu.core.customfields.forms import (
    CustomFieldsFormMixin,
    MoneyField,
    field_name,
    form_field,
    format_value,
    user_ids_in,
)
from kehu.core.customfields.models import FieldDefinition

pytestmark = pytest.mark.django_db
Kind = FieldDefinition.Kind


class RecordForm(CustomFieldsFormMixin, forms.Form):
    name = forms.CharField(required=False)


def definition(org, key, kind, **options):
    return FieldDefinition.objects.create(organization=org, object_type="customers.customer",
                                          key=key, label=options.pop("label", key), kind=kind,
                                          **options)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.mark.parametrize("kind,widget", [
    (Kind.TEXT, forms.TextInput), (Kind.LONG_TEXT, forms.Textarea),
    (Kind.INTEGER, forms.NumberInput), (Kind.DECIMAL, forms.NumberInput),
    (Kind.DATE, forms.DateInput), (Kind.DATETIME, forms.DateTimeInput),
    (Kind.BOOLEAN, forms.Select), (Kind.USER, forms.Select),
    (Kind.PHONE, forms.TextInput), (Kind.EMAIL, forms.EmailInput), (Kind.URL, forms.URLInput),
])
def test_every_kind_has_a_widget(org, kind, widget):
    field = form_field(definition(org, "f", kind, label="字段", help_text="帮助"),
                       organization=org)
    assert isinstance(field.widget, widget)
    assert (field.label, field.help_text) == ("字段", "帮助")


def test_select_multiselect_and_money_widgets(org):
    select = form_field(definition(org, "s", Kind.SELECT, choices=["甲", "乙"]),
                        organization=org)
    multi = form_field(definition(org, "m", Kind.MULTISELECT, choices=["甲", "乙"]),
                       organization=org)
    money = form_field(definition(org, "p", Kind.MONEY), organization=org)
    assert [c[0] for c in select.choices] == ["", "甲", "乙"]
    assert isinstance(multi.widget, forms.CheckboxSelectMultiple)
    assert isinstance(money, MoneyField)
    assert money.initial == {"amount": None, "currency": "CNY"}


def test_user_field_offers_active_members_of_the_organization_only(org):
    colleague = member(org, "sales_rep")
    gone = member(org, "sales_rep")
    gone.is_active = False
    gone.save()
    stranger = member(OrganizationFactory(), "sales_rep")
    field = form_field(definition(org, "u", Kind.USER), organization=org)
    offered = {value for value, _label in field.choices}
    assert str(colleague.user_id) in offered
    assert str(gone.user_id) not in offered
    assert str(stranger.user_id) not in offered
    # the current value stays selectable even when its member has left
    kept = form_field(definition(org, "u2", Kind.USER), organization=org, value=gone.user_id)
    assert str(gone.user_id) in {value for value, _label in kept.choices}


def test_required_is_shown_but_not_enforced(org):
    # given
    definition(org, "code", Kind.TEXT, label="编号", required=True)
    form = RecordForm({"name": "x"}, definitions=services.active_definitions(
        organization=org, object_type="customers.customer"), organization=org)
    # then: the asterisk and the browser hint, but the service decides
    assert form.fields["custom__code"].required is True
    assert "required" in str(form["custom__code"])
    assert form.is_valid()
    assert form.custom_values() == {"code": ""}


def test_initial_comes_from_the_record_or_the_default_when_creating(org):
    definition(org, "tier", Kind.SELECT, choices=["金", "银"], default="银")
    definition(org, "vip", Kind.BOOLEAN)
    definition(org, "budget", Kind.MONEY)
    definition(org, "met_at", Kind.DATETIME)
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    new = RecordForm(definitions=defs, organization=org)
    assert new.fields["custom__tier"].initial == "银"
    existing = RecordForm(definitions=defs, organization=org, custom_data={
        "tier": "金", "vip": False, "budget": {"amount": "3.50", "currency": "USD"},
        "met_at": "2026-03-01T02:30:00+00:00"})
    assert existing.fields["custom__tier"].initial == "金"
    assert existing.fields["custom__vip"].initial == "false"
    assert existing.fields["custom__met_at"].initial == "2026-03-01T10:30"  # Asia/Shanghai
    html = str(existing["custom__budget"])
    assert 'value="3.50"' in html
    assert '<option value="USD" selected>' in html


def test_collected_values_go_through_the_service_unchanged(org):
    # given
    admin = admin_of(org)
    for key, kind, options in [
        ("budget", Kind.MONEY, {}), ("channels", Kind.MULTISELECT, {"choices": ["微信", "电话"]}),
        ("vip", Kind.BOOLEAN, {}), ("sponsor", Kind.USER, {}), ("size", Kind.INTEGER, {}),
        ("met_at", Kind.DATETIME, {}), ("site", Kind.URL, {}), ("memo", Kind.LONG_TEXT, {}),
    ]:
        definition(org, key, kind, **options)
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    form = RecordForm({
        "custom__budget_amount": "99.5", "custom__budget_currency": "CNY",
        "custom__channels": ["电话"],
        "custom__vip": "true", "custom__sponsor": str(admin.user_id), "custom__size": "12",
        "custom__met_at": "2026-03-01T10:30", "custom__site": "https://kehu.example",
        "custom__memo": "第一行\n第二行"}, definitions=defs, organization=org)
    # when
    assert form.is_valid(), form.errors
    from kehu.customers.models import Customer

    stored = services.custom_data_clean(organization=org, object_type="customers.customer",
                                        data=form.custom_values(), model=Customer,
                                        definitions=defs)
    # then
    assert stored == {
        "budget": {"amount": "99.50", "currency": "CNY"}, "channels": ["电话"], "vip": True,
        "sponsor": admin.user_id, "size": 12, "met_at": "2026-03-01T10:30:00",
        "site": "https://kehu.example", "memo": "第一行\n第二行"}


def test_editing_sends_only_changed_values(org):
    definition(org, "tier", Kind.SELECT, choices=["金"])  # "银" was an option once
    definition(org, "note", Kind.TEXT)
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    form = RecordForm({"custom__tier": "银", "custom__note": "新的"}, definitions=defs,
                      organization=org, custom_data={"tier": "银", "note": "旧的"})
    assert form.is_valid()
    assert form.custom_values() == {"note": "新的"}
    assert form.custom_values(changed_only=False) == {"tier": "银", "note": "新的"}


def test_empty_money_amount_collects_nothing(org):
    definition(org, "budget", Kind.MONEY)
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    form = RecordForm({"custom__budget_amount": "", "custom__budget_currency": "USD"},
                      definitions=defs, organization=org)
    assert form.is_valid()
    assert form.custom_values() == {"budget": None}


def test_service_errors_are_mapped_onto_the_fields(org):
    definition(org, "code", Kind.TEXT)
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    form = RecordForm({"name": "x"}, definitions=defs, organization=org)
    assert form.is_valid()
    form.add_service_errors(ValidationError({
        "custom.code": "编号 is required.", "name": "Too long.", "secret": "Bad.",
        "__all__": "Nope."}))
    assert form.errors[field_name("code")] == ["编号 is required."]
    assert form.errors["name"] == ["Too long."]
    assert form.non_field_errors() == ["secret: Bad.", "Nope."]


def test_service_errors_from_a_real_clean(org):
    definition(org, "size", Kind.INTEGER, label="规模", required=True)
    definition(org, "email", Kind.EMAIL, label="邮箱")
    defs = services.active_definitions(organization=org, object_type="customers.customer")
    form = RecordForm({"custom__size": "", "custom__email": "not-an-email"}, definitions=defs,
                      organization=org)
    assert form.is_valid()
    from kehu.customers.models import Customer

    with pytest.raises(ValidationError) as raised:
        services.custom_data_clean(organization=org, object_type="customers.customer",
                                   data=form.custom_values(), model=Customer, definitions=defs)
    form.add_service_errors(raised.value)
    assert form.errors["custom__size"] == [gettext("%(label)s is required.") % {"label": "规模"}]
    assert form.errors["custom__email"] == [gettext("Enter a valid email address.")]


def test_format_value(org):
    admin = admin_of(org)
    money = definition(org, "m", Kind.MONEY)
    multi = definition(org, "ms", Kind.MULTISELECT, choices=["甲", "乙"])
    yes_no = definition(org, "b", Kind.BOOLEAN)
    user = definition(org, "u", Kind.USER)
    day = definition(org, "d", Kind.DATE)
    number = definition(org, "n", Kind.DECIMAL)
    with translation.override("zh-hans"):
        assert format_value(money, {"amount": "1234567.5", "currency": "USD"}) == \
            "1,234,567.50 USD"
        assert format_value(multi, ["甲", "乙"]) == "甲, 乙"
        assert (format_value(yes_no, True), format_value(yes_no, False)) == ("是", "否")
        assert format_value(user, admin.user_id,
                            user_names={admin.user_id: "王经理"}) == "王经理"
        assert format_value(user, 999) == "#999"
        assert format_value(day, "2026-03-01") == "2026年3月1日"
        assert format_value(number, "12345.678") == "12,345.678"
        assert format_value(multi, None) == ""
    with translation.override("en"):
        assert format_value(yes_no, True) == "Yes"


def test_user_ids_in(org):
    user = definition(org, "u", Kind.USER)
    text = definition(org, "t", Kind.TEXT)
    assert user_ids_in([user, text], [{"u": 3, "t": "4"}, {"u": "5"}, {}]) == {3, 5}

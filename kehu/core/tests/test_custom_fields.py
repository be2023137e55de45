"""Custom fields: validated on every write path, kept when deactivated, fast to filter."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client, member
from kehu.core.customfields import query
from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.services import field_definition_create, field_definition_update
from kehu.core.customfields.values import coerce_value
from kehu.customers import services
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db
CUSTOMER = "customers.customer"


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return actor_for(admin_of(org))


def define(admin, key, kind, **options):
    return field_definition_create(actor=admin, object_type=CUSTOMER, key=key, label=key,
                                   kind=kind, **options)


@pytest.mark.parametrize(("kind", "options", "raw", "stored"), [
    ("text", {}, "  上海  ", "上海"),
    ("long_text", {}, "第一行\n第二行", "第一行\n第二行"),
    ("integer", {}, "1,200", 1200),
    ("decimal", {}, "3.14159", "3.14159"),
    ("money", {}, {"amount": "12.5", "currency": "usd"}, {"amount": "12.50", "currency": "USD"}),
    ("money", {}, "99", {"amount": "99.00", "currency": "CNY"}),
    ("date", {}, "2026/3/5", None),
    ("date", {}, "2026-03-05", "2026-03-05"),
    ("datetime", {}, "2026-03-05 14:30", "2026-03-05T14:30:00"),
    ("boolean", {}, "是", True),
    ("select", {"choices": ["金牌", "银牌"]}, "银牌", "银牌"),
    ("multiselect", {"choices": ["A", "B", "C"]}, "A，C", ["A", "C"]),
    ("phone", {}, "138 1234 5678", "+8613812345678"),
    ("phone", {}, "010-8888 6666", "+861088886666"),
    ("email", {}, "Li@Example.COM", "li@example.com"),
    ("url", {}, "https://kehu.example/a", "https://kehu.example/a"),
])
def test_valid_values_are_stored_normalized(admin, kind, options, raw, stored):
    definition = define(admin, "f", kind, **options)
    if stored is None:  # "2026/3/5" lacks zero padding; Django's parser still reads it
        stored = "2026-03-05"
    assert coerce_value(definition, raw) == stored


@pytest.mark.parametrize(("kind", "options", "raw"), [
    ("integer", {}, "1.5"),
    ("integer", {}, "十二"),
    ("decimal", {}, "abc"),
    ("decimal", {}, "NaN"),
    ("money", {}, {"amount": "1", "currency": "人民币"}),
    ("date", {}, "2026-13-01"),
    ("boolean", {}, "maybe"),
    ("select", {"choices": ["金牌"]}, "铜牌"),
    ("multiselect", {"choices": ["A"]}, ["A", "Z"]),
    ("phone", {}, "12345"),
    ("email", {}, "not-an-email"),
    ("url", {}, "javascript:alert(1)"),
    ("user", {}, "999999"),
])
def test_invalid_values_are_refused_with_a_message(admin, kind, options, raw):
    definition = define(admin, "f", kind, **options)
    with pytest.raises(ValueError, match=r".+"):
        coerce_value(definition, raw)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_round_trip_exactly(value):
    definition = FieldDefinition(kind="decimal", key="d", label="d")
    assert coerce_value(definition, str(value)) == str(value)


def test_required_unique_and_unknown_fields_report_per_field(admin):
    define(admin, "tax_no", "text", required=True, unique=True)
    services.customer_create(actor=admin, values={"name": "甲"}, custom={"tax_no": "91440300"})
    with pytest.raises(ValidationError) as missing:
        services.customer_create(actor=admin, values={"name": "乙"})
    assert "custom.tax_no" in missing.value.message_dict
    with pytest.raises(ValidationError) as duplicate:
        services.customer_create(actor=admin, values={"name": "丙"},
                                 custom={"tax_no": "91440300"})
    assert "custom.tax_no" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.customer_create(actor=admin, values={"name": "丁"},
                                 custom={"tax_no": "1", "nonsense": "x"})
    assert "custom.nonsense" in unknown.value.message_dict
    assert Customer.objects.count() == 1


def test_defaults_apply_on_create(admin):
    define(admin, "grade", "select", choices=["普通", "VIP"], default="普通")
    customer = services.customer_create(actor=admin, values={"name": "甲"})
    assert customer.custom_data == {"grade": "普通"}


def test_a_default_that_does_not_fit_the_field_is_refused(admin):
    with pytest.raises(ValidationError) as error:
        define(admin, "grade", "select", choices=["普通"], default="VIP")
    assert "default" in error.value.message_dict


def test_deactivating_or_relabelling_keeps_stored_values(admin):
    definition = define(admin, "grade", "text")
    customer = services.customer_create(actor=admin, values={"name": "甲"},
                                        custom={"grade": "金牌"})
    field_definition_update(actor=admin, definition=definition, label="客户等级")
    field_definition_update(actor=admin, definition=definition, is_active=False)
    customer = services.customer_update(actor=admin, customer=customer, values={"city": "深圳"})
    customer.refresh_from_db()
    assert customer.custom_data == {"grade": "金牌"}
    field_definition_update(actor=admin, definition=definition, is_active=True)
    assert Customer.objects.get(pk=customer.pk).custom_data["grade"] == "金牌"


def test_the_type_of_a_field_cannot_change(admin):
    definition = define(admin, "size", "integer")
    from kehu.core.common.errors import DomainError

    with pytest.raises(DomainError):
        field_definition_update(actor=admin, definition=definition, kind="text")


def test_only_admins_define_fields(org):
    rep = actor_for(member(org, "sales_rep"))
    from kehu.core.common.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        define(rep, "x", "text")


def test_api_reports_custom_field_errors_by_key(org, admin):
    define(admin, "employees", "integer")
    client = api_client(admin_of(org))
    response = client.post("/api/v1/customers", {"name": "甲", "custom": {"employees": "很多"}})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["custom.employees"]
    ok = client.post("/api/v1/customers", {"name": "甲", "custom": {"employees": "120"}})
    assert ok.json()["custom"] == {"employees": 120}


def test_api_lists_definitions_with_their_json_types(org, admin):
    define(admin, "employees", "integer")
    define(admin, "tags", "multiselect", choices=["x"])
    client = api_client(member(org, "sales_rep"))
    fields = client.get("/api/v1/custom-fields", object_type=CUSTOMER).json()
    assert {f["key"]: f["json_type"] for f in fields} == {"employees": "integer", "tags": "array"}


def test_filter_and_sort_by_custom_fields(admin):
    employees = define(admin, "employees", "integer")
    budget = define(admin, "budget", "money")
    grade = define(admin, "grade", "select", choices=["金牌", "银牌"])
    vip = define(admin, "vip", "boolean")
    channels = define(admin, "channels", "multiselect", choices=["微信", "电话", "邮件"])
    rows = [("甲", 9, "100.5", "金牌", True, ["微信"]),
            ("乙", 120, "20", "银牌", False, ["微信", "电话"]),
            ("丙", 35, "3000", "金牌", False, ["邮件"])]
    for name, n, money, g, v, ch in rows:
        services.customer_create(actor=admin, values={"name": name},
                                 custom={"employees": n, "budget": money, "grade": g, "vip": v,
                                         "channels": ch})
    services.customer_create(actor=admin, values={"name": "丁"})
    qs = Customer.objects.all()

    def names(result):
        return [c.name for c in result]

    assert names(query.order_by_custom(qs, employees)) == ["甲", "丙", "乙", "丁"]
    assert names(query.order_by_custom(qs, budget, descending=True))[:3] == ["丙", "甲", "乙"]
    assert sorted(names(query.filter_by_custom(qs, employees, "gte", "35"))) == ["丙", "乙"]
    assert sorted(names(query.filter_by_custom(qs, grade, "eq", "金牌"))) == ["丙", "甲"]
    assert names(query.filter_by_custom(qs, vip, "eq", "是")) == ["甲"]
    assert sorted(names(query.filter_by_custom(qs, channels, "eq", ["微信"]))) == ["乙", "甲"]
    assert names(query.filter_by_custom(qs, grade, "empty", None)) == ["丁"]
    assert names(query.filter_by_custom(qs, budget, "lt", "50")) == ["乙"]


def test_filtering_on_a_custom_field_uses_its_index(admin, django_capture_on_commit_callbacks):
    from kehu.core.customfields.indexing import index_name

    with django_capture_on_commit_callbacks(execute=True):
        grade = define(admin, "grade", "text")
    name = index_name(Customer._meta.db_table, "grade")
    constraints = connection.introspection.get_constraints(connection.cursor(),
                                                           Customer._meta.db_table)
    assert name in constraints
    qs = query.filter_by_custom(Customer.objects.filter(organization=admin.organization), grade,
                                "eq", "金牌")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert name in plan


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="PostgreSQL alters tables in place; only SQLite rebuilds them")
def test_a_custom_field_index_lost_in_a_table_rebuild_comes_back_after_migrate(
        admin, django_capture_on_commit_callbacks):
    from django.db.models.signals import post_migrate

    from kehu.core.customfields.indexing import index_name

    with django_capture_on_commit_callbacks(execute=True):
        define(admin, "grade", "text")
    name = index_name(Customer._meta.db_table, "grade")
    with connection.cursor() as cursor:  # what SQLite's table rebuild does to it
        cursor.execute(f'DROP INDEX "{name}"')

    config = apps.get_app_config("customfields")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False,
                      using="default", plan=[], apps=apps)

    constraints = connection.introspection.get_constraints(connection.cursor(),
                                                           Customer._meta.db_table)
    assert name in constraints

"""The reporting views: one organization's rows each, custom fields as typed columns, kept
current when fields change and across `migrate`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.bi import ddl, services
from kehu.bi.schema import views
from kehu.bi.tests.scene import build
from kehu.core.common.testing import actor_for, admin_of, api_client
from kehu.core.customfields import services as customfields
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def select(organization, view: str, columns: str = "*", where: str = "") -> list[tuple]:
    sql = f"SELECT {columns} FROM {ddl.relation(organization.pk, view)} {where} ORDER BY id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def commit(callbacks) -> None:
    """What happens at the commit of the request's transaction: the on_commit callbacks run
    (huey runs the queued job at once in tests). PostgreSQL first checks the deferred foreign
    keys, as a real commit would; the custom-field index cannot be built before that."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for callback in callbacks:
        callback()


def column_names(organization, view: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ddl.relation(organization.pk, view)} WHERE 1 = 0")  # noqa: S608
        return [d[0] for d in cursor.description]


def test_each_view_holds_exactly_its_organizations_rows(ours, theirs):
    for scene in (ours, theirs):
        services.reporting_schema_refresh(organization=scene.organization)

    assert [r[0] for r in select(ours.organization, "customers", "name")] == [
        c.name for c in ours.customers]
    assert [r[0] for r in select(theirs.organization, "customers", "name")] == ["乙方的客户"]
    for view in views():
        mine = select(ours.organization, view.name, "id")
        other = select(theirs.organization, view.name, "id")
        assert mine, view.name
        assert other, view.name
        assert not set(mine) & set(other) or view.name == "users", view.name
    amounts = select(ours.organization, "opportunities",
                     "amount, currency, stage_name, pipeline_name, probability, weighted_amount")
    amount, currency, stage_name, pipeline_name, probability, weighted = amounts[0]
    assert Decimal(str(amount)) == Decimal("12345.67")
    assert currency == "CNY" and stage_name and pipeline_name
    assert Decimal(str(weighted)) == (Decimal("12345.67") * probability / 100).quantize(
        Decimal("0.01"))
    names = {r[0] for r in select(ours.organization, "users", "name")}
    assert "password" not in column_names(ours.organization, "users")
    assert names.isdisjoint({r[0] for r in select(theirs.organization, "users", "name")})


def test_rows_in_the_recycle_bin_are_left_out(ours):
    services.reporting_schema_refresh(organization=ours.organization)
    Customer.objects.filter(pk=ours.customers[1].pk).update(
        deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert [r[0] for r in select(ours.organization, "customers", "id")] == [
        ours.customers[0].pk]
    assert {r[0] for r in select(ours.organization, "contacts", "customer_id")} == {
        ours.customers[0].pk}


def test_custom_fields_are_typed_columns(ours):
    services.reporting_schema_refresh(organization=ours.organization)
    names = column_names(ours.organization, "customers")
    assert names[-8:] == ["cf_region", "cf_budget", "cf_signed", "cf_founded", "cf_headcount",
                          "cf_deal_size", "cf_deal_size_currency", "cf_channels"]
    first, second = select(ours.organization, "customers", ", ".join(names[-8:]))
    assert second == (None,) * 8
    if connection.vendor == "postgresql":
        assert first == ("华东", Decimal("1234.50"), True, datetime.date(2020, 1, 2), 120,
                         Decimal("99.90"), "USD", "线上, 线下")
        # the database knows the types: date and numeric comparisons work in SQL
        assert select(ours.organization, "customers", "id",
                      "WHERE cf_founded > DATE '2019-12-31' AND cf_budget > 1000") == [
            (ours.customers[0].pk,)]
    else:
        assert first == ("华东", 1234.5, 1, "2020-01-02", 120, 99.9, "USD", "线上, 线下")


def test_a_new_custom_field_appears_after_the_refresh_job_not_inside_the_request(
        ours, django_capture_on_commit_callbacks):
    services.reporting_schema_refresh(organization=ours.organization)
    admin = actor_for(admin_of(ours.organization))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customfields.field_definition_create(actor=admin, object_type="customers.customer",
                                             key="score", label="Score", kind="integer")
        assert "cf_score" not in column_names(ours.organization, "customers")
    assert "cf_score" not in column_names(ours.organization, "customers")
    commit(callbacks)
    assert column_names(ours.organization, "customers")[-1] == "cf_score"


def test_deactivating_a_field_keeps_its_column_and_values(ours, django_capture_on_commit_callbacks):
    services.reporting_schema_refresh(organization=ours.organization)
    admin = actor_for(admin_of(ours.organization))
    definition = customfields.active_definitions(organization=ours.organization,
                                                 object_type="customers.customer")[0]
    with django_capture_on_commit_callbacks() as callbacks:
        customfields.field_definition_update(actor=admin, definition=definition,
                                             is_active=False)
    commit(callbacks)
    if connection.vendor == "postgresql":  # SQLite keeps no column descriptions
        assert "inactive" in _column_comment(ours.organization, "cf_region")
    assert select(ours.organization, "customers", "cf_region")[0] == ("华东",)


def test_organizations_without_a_schema_get_no_views_from_field_changes(
        ours, django_capture_on_commit_callbacks):
    admin = actor_for(admin_of(ours.organization))
    with django_capture_on_commit_callbacks() as callbacks:
        customfields.field_definition_create(actor=admin, object_type="customers.customer",
                                             key="score", label="Score", kind="integer")
    commit(callbacks)
    assert ddl.drop_all_views() == 0


def test_migrate_drops_the_views_for_the_migrations_and_makes_them_again(ours, theirs):
    services.reporting_schema_refresh(organization=ours.organization)
    call_command("migrate", verbosity=0)
    assert len(select(ours.organization, "customers", "id")) == 2
    assert ddl.drop_all_views() == len(views())  # theirs was never turned on


def test_refresh_is_idempotent_and_drop_removes_the_views(ours):
    services.reporting_schema_refresh(organization=ours.organization)
    services.reporting_schema_refresh(organization=ours.organization)
    assert len(select(ours.organization, "customers", "id")) == 2
    services.reporting_schema_drop(organization=ours.organization)
    assert ddl.drop_all_views() == 0
    assert services.reporting_schemas_refresh_all() == []


def _column_comment(organization, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT col_description(%s::regclass, a.attnum) FROM pg_attribute a "
                       "WHERE a.attrelid = %s::regclass AND a.attname = %s",
                       [f"bi_{organization.pk}.customers"] * 2 + [column])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_field_defined_in_a_request_refreshes_the_views_after_its_commit():
    """The real path: the admin's request commits, the job (inline in tests) makes the DDL
    outside the request's transaction, and on PostgreSQL as the owner, not the walled role."""
    scene = build("甲方科技有限公司", ["华为技术有限公司"])
    services.reporting_schema_refresh(organization=scene.organization)
    try:
        response = api_client(admin_of(scene.organization)).post("/api/v1/custom-fields", {
            "object_type": "customers.customer", "key": "score", "label": "Score",
            "kind": "integer"})
        assert response.status_code == 201, response.content
        assert column_names(scene.organization, "customers")[-1] == "cf_score"
    finally:
        services.reporting_schema_drop(organization=scene.organization)

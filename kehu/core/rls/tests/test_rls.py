"""Row-level security: a query that forgets the organization filter still sees only its own
organization, in requests (session and API token), streamed responses and jobs, and nothing
carries over from one request to the next on a reused connection."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client

from kehu.core import rls
from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, web_client
from kehu.core.jobs import actor_task, for_each_organization
from kehu.core.permissions.actor import Actor
from kehu.core.rls import schema
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-level security is PostgreSQL's; SQLite keeps the application-level guard "
           "(scoping.visible)")
pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    a, b = OrganizationFactory(), OrganizationFactory()
    CustomerFactory(organization=a, name="甲一")
    CustomerFactory(organization=a, name="甲二")
    CustomerFactory(organization=b, name="乙一")
    return a, b


def names(rows) -> list[str]:
    return sorted(rows)


def session_state() -> tuple[bool, str]:
    """(acting as the login role, the organization setting) of the test's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user, "
                       "coalesce(current_setting(%s, true), '')", [rls.SETTING])
        return cursor.fetchone()


@actor_task()
def count_customers(actor: Actor) -> int:
    return Customer.objects.count()  # no organization filter


# The policies ---------------------------------------------------------------------------------

@postgres_only
def test_every_tenant_table_has_row_security_and_the_policy():
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
                    if "organization_id" in {f.column for f in m._meta.concrete_fields}}
    expected = model_tables | {"search_entry"}  # created by a migration's SQL
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.polname, p.polcmd, "
            "p.polroles = '{0}'::oid[] FROM pg_class c "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s "
            "WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace",
            [schema.POLICY, list(expected)])
        rows = {name: rest for name, *rest in cursor.fetchall()}
    assert set(rows) == expected
    assert set(schema.tenant_tables(connection)) >= expected
    for table, (enabled, forced, policy, command, to_public) in rows.items():
        assert (enabled, forced, policy, command, to_public) == (
            True, False, schema.POLICY, "*", True), table


@postgres_only
def test_the_app_role_cannot_bypass_the_policies_and_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT r.rolsuper, r.rolbypassrls, r.rolcanlogin, "
                       "(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) "
                       "FROM pg_roles r WHERE r.rolname = %s", [rls.role_name()])
        assert cursor.fetchone() == (False, False, False, 0)


@postgres_only
def test_install_is_idempotent():
    schema.install(connection)
    schema.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_policy WHERE polrelid = 'customers_customer'"
                       "::regclass AND polname LIKE 'kehu\\_organization\\_%%'")
        assert cursor.fetchone() == (1,)


# The wall -------------------------------------------------------------------------------------

@postgres_only
def test_a_query_without_the_organization_filter_sees_only_the_current_organization(scene):
    a, b = scene
    with rls.tenant(a.pk):
        assert names(Customer.objects.values_list("name", flat=True)) == ["甲一", "甲二"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customers_customer")
            assert cursor.fetchone() == (2,)
        # another organization's rows can be neither changed nor written
        assert Customer.objects.filter(organization=b).update(name="改") == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            CustomerFactory(organization=b)
    with rls.tenant(b.pk):
        assert names(Customer.objects.values_list("name", flat=True)) == ["乙一"]


@postgres_only
def test_walled_without_an_organization_tenant_tables_are_empty(scene):
    a, _b = scene
    admin_of(a)
    with rls.tenant(None):
        assert not Customer.objects.exists()
        assert not apps.get_model("accounts", "Membership").objects.exists()
        assert apps.get_model("tenancy", "Organization").objects.count() == 2  # not a tenant table


@postgres_only
def test_code_outside_requests_and_jobs_acts_as_the_owner(scene):
    # migrations, management commands, the shell and tests' setup: maintenance, unwalled
    assert Customer.objects.count() == 3
    assert session_state() == (True, "")


@postgres_only
def test_bypass_restores_the_wall_also_after_a_failed_statement(scene):
    a, _b = scene
    with rls.tenant(a.pk):
        with pytest.raises(DatabaseError), transaction.atomic(), rls.bypass():
            assert Customer.objects.count() == 3
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        assert Customer.objects.count() == 2
        with rls.bypass():
            assert Customer.objects.count() == 3
        assert Customer.objects.count() == 2
    assert session_state() == (True, "")


@postgres_only
def test_a_block_returns_to_what_the_server_has_after_a_rollback(scene):
    a, _b = scene
    with transaction.atomic():
        rls.activate(a.pk)
        transaction.set_rollback(True)  # PostgreSQL undoes the setting with the savepoint
    with rls.bypass():
        pass
    assert Customer.objects.count() == 3


# Requests -------------------------------------------------------------------------------------

@postgres_only
@pytest.mark.urls("kehu.core.rls.tests.urls")
def test_a_request_cannot_read_another_organization_through_an_unscoped_queryset(scene):
    a, b = scene
    assert web_client(admin_of(a)).get("/names/").json()["names"] == ["甲一", "甲二"]
    assert api_client(admin_of(b)).get("/api/names").json()["names"] == ["乙一"]
    assert Client().get("/names/").json()["names"] == []  # anonymous: no organization


@postgres_only
@pytest.mark.urls("kehu.core.rls.tests.urls")
def test_a_streamed_response_is_read_inside_the_wall(scene):
    a, _b = scene
    response = web_client(admin_of(a)).get("/names/streamed/")
    assert b"".join(response.streaming_content).decode().split() == ["甲一", "甲二"]
    assert session_state() == (True, "")


@postgres_only
@pytest.mark.urls("kehu.core.rls.tests.urls")
def test_nothing_carries_over_to_the_next_request_on_the_same_connection(scene):
    a, b = scene
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    first, second = web_client(admin_of(a)), web_client(admin_of(b))
    failing = web_client(admin_of(a))
    failing.raise_request_exception = False

    assert first.get("/names/").json()["names"] == ["甲一", "甲二"]
    assert session_state() == (True, "")
    assert second.get("/names/").json()["names"] == ["乙一"]
    assert failing.get("/fail/").status_code == 500
    assert session_state() == (True, "")
    assert Client().get("/names/").json()["names"] == []
    assert connection.connection.info.backend_pid == backend  # one connection throughout


@postgres_only
@pytest.mark.urls("kehu.core.rls.tests.urls")
def test_kehu_rls_off_leaves_only_the_application_guard(scene, settings):
    a, _b = scene
    settings.KEHU_RLS = False
    assert web_client(admin_of(a)).get("/names/").json()["names"] == ["乙一", "甲一", "甲二"]


# Jobs -----------------------------------------------------------------------------------------

@postgres_only
def test_jobs_run_walled_to_their_organization(scene):
    a, b = scene
    actor = Actor.for_user(organization=a, user=admin_of(a).user)
    assert count_customers.enqueue(actor).get() == 2
    assert session_state() == (True, "")

    seen = {}
    for_each_organization(lambda actor: seen.update(
        {actor.organization.pk: Customer.objects.count()}))
    assert seen == {a.pk: 2, b.pk: 1}


# SQLite ---------------------------------------------------------------------------------------

@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_sqlite_keeps_the_application_guard_alone(scene):
    a, _b = scene
    assert not rls.enabled()
    with rls.tenant(a.pk):
        assert Customer.objects.count() == 3

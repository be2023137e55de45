"""`kehu bi grant`: a PostgreSQL login role that reads one organization's views and nothing
else. Needs committed data (the role logs in on its own connection), hence transaction=True."""

from __future__ import annotations

import io
import re
import secrets

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from kehu.bi import hooks, services
from kehu.bi.tests.scene import build
from kehu.core.common.testing import actor_for, admin_of
from kehu.core.customfields import services as customfields

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's"),
]

DENIED = psycopg.errors.InsufficientPrivilege


@pytest.fixture
def role():
    name = f"kehu_bi_test_{secrets.token_hex(4)}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname ~ '^bi_[0-9]+$'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def login(role: str, password: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           dbname=settings["NAME"], user=role, password=password,
                           autocommit=True)


def test_the_role_reads_its_organizations_views_and_nothing_else(role):
    ours = build("甲方科技有限公司", ["华为技术有限公司"])
    theirs = build("乙方贸易有限公司", ["乙方的客户"])
    services.reporting_schema_refresh(organization=theirs.organization)
    out = io.StringIO()
    call_command("bi", "grant", "--organization", ours.organization.slug, "--role", role,
                 stdout=out)
    password = re.search(r"shown only now\): (\S+)", out.getvalue()).group(1)

    with login(role, password) as bi:
        assert bi.execute("SELECT name FROM customers").fetchall() == [("华为技术有限公司",)]
        assert bi.execute(f"SELECT count(*) FROM bi_{ours.organization.pk}.payments"  # noqa: S608
                          ).fetchone() == (1,)
        for sql in (f"SELECT * FROM bi_{theirs.organization.pk}.customers",  # noqa: S608
                    "SELECT * FROM public.customers_customer",
                    "SELECT password FROM public.accounts_user"):
            with pytest.raises(DENIED):
                bi.execute(sql)
        bi.execute("SET default_transaction_read_only = off")  # it may; it still cannot write
        with pytest.raises(DENIED):
            bi.execute("INSERT INTO public.customers_tag (organization_id, name, color, "
                       "created_at, updated_at) VALUES (1, 'x', '#000000', now(), now())")
        with pytest.raises(psycopg.Error):
            bi.execute("UPDATE customers SET name = 'x'")


def test_grants_survive_new_custom_fields_and_migrations_and_can_be_revoked(role):
    ours = build("甲方科技有限公司", ["华为技术有限公司"])
    out = io.StringIO()
    call_command("bi", "grant", "--organization", str(ours.organization.pk), "--role", role,
                 stdout=out)
    password = re.search(r"shown only now\): (\S+)", out.getvalue()).group(1)
    customfields.field_definition_create(actor=actor_for(admin_of(ours.organization)),
                                         object_type="customers.customer", key="score",
                                         label="Score", kind="integer")  # job runs on commit
    with login(role, password) as bi:
        assert bi.execute("SELECT cf_score FROM customers").fetchall() == [(None,)]
    hooks.before_migrate(sender=None)
    hooks.after_migrate(sender=None)
    with login(role, password) as bi:
        assert len(bi.execute("SELECT id FROM customers").fetchall()) == 1
    call_command("bi", "grant", "--organization", ours.organization.slug, "--role", role,
                 stdout=io.StringIO())  # again: the role exists, no new password
    call_command("bi", "revoke", "--organization", ours.organization.slug, "--role", role,
                 stdout=io.StringIO())
    with login(role, password) as bi, pytest.raises(DENIED):
        bi.execute(f"SELECT id FROM bi_{ours.organization.pk}.customers")  # noqa: S608

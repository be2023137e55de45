"""The `kehu` command line: createuser, token, demo, and /healthz."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from kehu.core.accounts.models import Membership, User
from kehu.core.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createuser_with_a_new_organization_then_a_token_that_works():
    run("createuser", "boss@acme.cn", "--name", "老板", "--password", "s3cret-pass-1",
        "--new-org", "Acme 有限公司")
    membership = Membership.objects.get(user__email="boss@acme.cn")
    assert membership.role.key == "admin"
    run("createuser", "rep@acme.cn", "--password", "s3cret-pass-2", "--role", "sales_rep",
        "--org", membership.organization.slug)
    assert Membership.objects.get(user__email="rep@acme.cn").role.key == "sales_rep"
    token = run("token", "boss@acme.cn").strip()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert response.json()["organization"] == "Acme 有限公司"


def test_demo_creates_people_and_customers_once_and_prints_the_login():
    output = run("demo", "--customers", "40")
    assert "admin@demo.kehu.local" in output
    assert "kehu-demo-2026" in output
    org = Organization.objects.get(slug="demo")
    assert Membership.objects.filter(organization=org).count() == 8
    again = run("demo", "--if-empty")
    assert "admin@demo.kehu.local" in again
    assert Organization.objects.count() == 1
    user = User.objects.get(email="admin@demo.kehu.local")
    assert user.check_password("kehu-demo-2026")


def test_demo_is_deterministic_for_a_seed():
    from kehu.demo.customers import customer_rows

    def names(seed):
        return [c.name for c in customer_rows(organization_id=1, owners=[], count=20, seed=seed)]

    assert names(7) == names(7)
    assert names(7) != names(8)


def test_healthz_reports_the_database():
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_demo_customers_are_searchable():
    from kehu.core.common.testing import actor_for, admin_of
    from kehu.customers import selectors
    from kehu.customers.models import Customer

    run("demo", "--customers", "30")
    org = Organization.objects.get(slug="demo")
    customer = Customer.objects.filter(organization=org).order_by("pk").first()
    found = selectors.customer_search(actor=actor_for(admin_of(org)), q=customer.name[:2])
    assert customer.pk in [c.pk for c in found]

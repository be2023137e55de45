"""The demo organization's people: teams, users in each built-in role, the login to print."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from kehu.core.accounts import services as accounts
from kehu.core.accounts.models import Membership, User
from kehu.core.permissions import builtin
from kehu.core.permissions.actor import Actor, Via
from kehu.core.permissions.models import Role
from kehu.core.tenancy.models import Organization
from kehu.core.tenancy.services import organization_create

DEMO_PASSWORD = "kehu-demo-2026"  # noqa: S105 - printed to the person running the demo


@dataclass
class DemoPeople:
    organization: Organization
    admin: User
    reps: list[User]


# (email before the @, name, role, team key); the domain is <slug>.kehu.local
STAFF = [
    ("manager", "王经理", builtin.SALES_MANAGER, "sales"),
    ("east.rep", "张伟", builtin.SALES_REP, "east"),
    ("east.rep2", "李娜", builtin.SALES_REP, "east"),
    ("south.rep", "陈杰", builtin.SALES_REP, "south"),
    ("service", "刘芳", builtin.SERVICE_AGENT, "service"),
    ("marketing", "赵敏", builtin.MARKETING, "marketing"),
    ("viewer", "孙浩", builtin.READ_ONLY, None),
]


@transaction.atomic
def create_people(*, org_name: str, slug: str, admin_email: str) -> DemoPeople:
    admin = accounts.user_create(email=admin_email, name="演示管理员", password=DEMO_PASSWORD)
    organization = organization_create(name=org_name, admin=admin, slug=slug)
    actor = Actor.system(organization=organization, via=Via.CLI)
    sales = accounts.team_create(actor=actor, name="销售部")
    teams = {
        "sales": sales,
        "east": accounts.team_create(actor=actor, name="华东销售组", parent=sales),
        "south": accounts.team_create(actor=actor, name="华南销售组", parent=sales),
        "service": accounts.team_create(actor=actor, name="客服部"),
        "marketing": accounts.team_create(actor=actor, name="市场部"),
    }
    roles = {r.key: r for r in Role.objects.filter(organization=organization)}
    reps = []
    for local_part, name, role_key, team_key in STAFF:
        membership, _password = accounts.member_invite(
            actor=actor, email=f"{local_part}@{slug}.kehu.local", name=name, role=roles[role_key],
            team=teams.get(team_key) if team_key else None, password=DEMO_PASSWORD)
        if role_key in (builtin.SALES_REP, builtin.SALES_MANAGER):
            reps.append(membership.user)
    Membership.objects.filter(organization=organization, user=admin).update(team=sales)
    return DemoPeople(organization=organization, admin=admin, reps=reps)

"""A generated organization for the customer analytics tests, and the figures recomputed from
its raw rows in plain Python (no ORM aggregation), to compare the pages and the API with."""

from __future__ import annotations

import datetime
import itertools
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, admin_of, member, team
from kehu.customers.models import Customer, FollowUp
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders.models import Order

SOURCES = ("展会", "官网", "")
PROVINCES = ("广东", "浙江", "北京", "")
WON = ("signed", "completed")


@dataclass
class Scene:
    organization: object
    admin: object
    rep: object  # own scope, team East
    other_rep: object
    today: datetime.date
    customers: list[Customer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


def build(seed: int = 7, size: int = 80) -> Scene:
    rng = random.Random(seed)
    organization = OrganizationFactory()
    east = team(organization, "East")
    rep = member(organization, "sales_rep", team=east)
    other = member(organization, "sales_rep", team=east)
    scene = Scene(organization=organization, admin=admin_of(organization), rep=rep,
                  other_rep=other, today=timezone.localdate())
    now = timezone.now()
    owners = [rep.user, rep.user, other.user, other.user, None]
    number = 0
    for i in range(size):
        owner = rng.choice(owners)
        customer = CustomerFactory(
            organization=organization, owner=owner, source=rng.choice(SOURCES),
            province=rng.choice(PROVINCES),
            created_at=now - datetime.timedelta(days=rng.randint(0, 420),
                                                hours=rng.randint(0, 23)))
        if i % 17 == 3:  # the rep helps a colleague with this one
            customer.collaborators.add(rep.user)
        if i % 29 == 5:
            customer.deleted_at = now
            customer.save(update_fields=["deleted_at"])
        scene.customers.append(customer)
        rhythm = rng.choice((7, 15, 30, 60))
        day = scene.today - datetime.timedelta(days=rng.randint(0, 500))
        for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6))):
            number += 1
            order_owner = owner if rng.random() < 0.85 else rng.choice((rep.user, other.user))
            status = rng.choice(("signed", "completed", "signed", "draft", "cancelled"))
            scene.orders.append(Order.objects.create(
                organization=organization, number=f"SO-{number:05d}", title="合同",
                customer=customer, status=status,
                signed_on=None if status == "draft" else min(day, scene.today),
                amount=Decimal(rng.randint(100, 90000)) + Decimal("0.50"), currency="CNY",
                owner=order_owner, team=east if order_owner else None))
            day += datetime.timedelta(days=rng.randint(rhythm // 2, rhythm * 2))
        moment = now - datetime.timedelta(days=rng.randint(0, 300))
        for _ in range(rng.choice((0, 1, 3, 5))):
            scene.follow_ups.append(FollowUp.objects.create(
                organization=organization, customer=customer, content="电话沟通",
                happened_at=min(moment, now)))
            moment += datetime.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 12))
    return scene


# -- the figures, from the rows above ---------------------------------------------------------


def visible_customers(scene: Scene, membership) -> list[Customer]:
    rows = [c for c in scene.customers if c.deleted_at is None]
    if membership.role.data_scope == "org":
        return rows
    user_id = membership.user_id  # a narrow scope leaves the pool out
    return [c for c in rows if c.owner_id is not None
            and (c.owner_id == user_id or user_id in {u.pk for u in c.collaborators.all()})]


def counted_orders(scene: Scene, membership, *, today: datetime.date | None = None) -> list[Order]:
    today = today or scene.today
    ids = {c.pk for c in visible_customers(scene, membership)}
    org_scope = membership.role.data_scope == "org"
    return [o for o in scene.orders if o.customer_id in ids and o.status in WON
            and o.signed_on and o.signed_on <= today
            and (org_scope or o.owner_id == membership.user_id)]


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def new_customers(scene: Scene, membership, start, end) -> dict:
    rows = [c for c in visible_customers(scene, membership)
            if start <= local_date(c.created_at) <= end]
    months = Counter(local_date(c.created_at).replace(day=1) for c in rows)
    return {"total": len(rows), "months": months,
            "by_source": Counter(c.source for c in rows),
            "by_province": Counter(c.province for c in rows),
            "ids": {c.pk for c in rows}}


def rfm_tiers(scene: Scene, membership) -> dict[str, set[int]]:
    today = scene.today
    per: dict[int, list[Order]] = defaultdict(list)
    for order in counted_orders(scene, membership):
        per[order.customer_id].append(order)
    since = today - datetime.timedelta(days=365)
    facts = {}
    for cid, orders in per.items():
        recent = [o for o in orders if o.signed_on > since]
        facts[cid] = (max(o.signed_on for o in orders), min(o.signed_on for o in orders),
                      len(recent), sum((o.amount for o in recent), Decimal(0)))
    amounts = sorted(m for *_x, m in facts.values() if m > 0)
    n, bounds, start = len(amounts), [], 0
    for q in range(5):  # NTILE(5): the first n % 5 groups hold one more row
        size = n // 5 + (1 if q < n % 5 else 0)
        if size and q > 0:
            bounds.append(amounts[start])
        start += size

    def r_score(last):
        days = (today - last).days
        return next((s for limit, s in ((30, 5), (60, 4), (90, 3), (180, 2)) if days <= limit), 1)

    def f_score(f):
        return next((s for least, s in ((10, 5), (5, 4), (3, 3), (2, 2)) if f >= least), 1)

    def m_score(m):
        return 1 + sum(1 for b in bounds if m >= b) if m > 0 else 1

    names = {(True, True, True): "important_value", (True, False, True): "important_develop",
             (False, True, True): "important_keep", (False, False, True): "important_retain",
             (True, True, False): "ordinary_value", (True, False, False): "ordinary_develop",
             (False, True, False): "ordinary_keep", (False, False, False): "ordinary_retain"}
    tiers: dict[str, set[int]] = defaultdict(set)
    for cid, (last, first, f, m) in facts.items():
        if (today - first).days <= 90:
            tiers["new"].add(cid)
        else:
            tiers[names[(r_score(last) >= 3, f_score(f) >= 3, m_score(m) >= 3)]].add(cid)
    tiers["no_orders"] = {c.pk for c in visible_customers(scene, membership)} - set(facts)
    return tiers


def repurchase(scene: Scene, membership, start, end) -> tuple[int, int, dict]:
    orders = [o for o in counted_orders(scene, membership, today=end) if o.signed_on >= start]
    per = Counter(o.customer_id for o in orders)
    months: dict[datetime.date, Counter] = defaultdict(Counter)
    for o in orders:
        months[o.signed_on.replace(day=1)][o.customer_id] += 1
    by_month = {m: (len(c), sum(1 for n in c.values() if n >= 2)) for m, c in months.items()}
    return len(per), sum(1 for n in per.values() if n >= 2), by_month


def broken(days: list[datetime.date], today: datetime.date):
    days = sorted(set(days))
    if len(days) < 3:
        return None
    usual = statistics.median((b - a).days for a, b in itertools.pairwise(days))
    silent = (today - days[-1]).days
    if silent >= 30 and silent > 2 * usual:
        return usual, silent
    return None


def churn(scene: Scene, membership) -> dict[int, dict[str, tuple]]:
    ids = {c.pk for c in visible_customers(scene, membership)}
    order_days, follow_days = defaultdict(list), defaultdict(list)
    for o in counted_orders(scene, membership):
        order_days[o.customer_id].append(o.signed_on)
    for f in scene.follow_ups:
        if f.customer_id in ids:
            follow_days[f.customer_id].append(local_date(f.happened_at))
    found: dict[int, dict[str, tuple]] = defaultdict(dict)
    for kind, days_by in (("orders", order_days), ("follow_ups", follow_days)):
        for cid, days in days_by.items():
            result = broken(days, scene.today)
            if result:
                found[cid][kind] = result
    return dict(found)

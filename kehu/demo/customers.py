"""Realistic customers in bulk: Chinese company names with a city, trade name, industry word and
legal suffix (苏州鑫泰机械有限公司), some foreign-invested companies and people, mainland
mobile numbers in E.164, real provinces/cities/districts, industries and sources.

Deterministic for a seed (and the `now` the dates are counted back from). Fast: name parts come
from pools drawn once per seed (`pools.py`), rows are tuples written with COPY or
`executemany` (`bulk.py`), so a million customers take about a minute.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from kehu.core.accounts.models import Membership, User
from kehu.customers import dedup, indexing
from kehu.customers.models import Customer
from kehu.demo import activity, bulk
from kehu.demo.pools import (
    EMAIL_ROLES,
    EN_CITIES,
    FREE_MAIL,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    LEGAL_SUFFIXES,
    LEGAL_WEIGHTS,
    MOBILE_PREFIXES,
    REGIONS,
    SOURCES,
    Pools,
    build_pools,
)

COLUMNS = ["organization_id", "owner_id", "team_id", "kind", "name", "short_name", "industry",
           "source", "level", "status", "province", "city", "district", "address", "phone",
           "email", "website", "next_follow_up_on", "last_contacted_at", "notes", "custom_data",
           "version", "created_at", "updated_at", "name_key", "domain_key", "owned_since",
           "pooled_at"]

STATUSES = ("potential", "active", "dormant", "lost")
STATUS_WEIGHTS = (40, 30, 20, 10)
LEVELS = ("a", "b", "c", "d", "")
LEVEL_WEIGHTS = (8, 25, 35, 17, 15)
HISTORY_DAYS = 3 * 365


def _cumulative(weights: tuple[int, ...]) -> list[int]:
    return list(itertools.accumulate(weights))


def _today() -> datetime:
    return timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def customer_values(*, organization_id: int, owners: list[tuple[int, int | None]], count: int,
                    seed: int, now: datetime | None = None,
                    pools: Pools | None = None) -> Iterator[tuple]:
    """Rows in `COLUMNS` order. `owners` is [(user_id, team_id)]; about a fifth of customers
    are left unowned (the public pool). Rows are created in order over the three years before
    `now` (default: today at midnight UTC, so a seed gives the same rows all day)."""
    pools = pools or build_pools(seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    now = now or _today()
    today = now.date()
    choice, rand, randrange, choices = rng.choice, rng.random, rng.randrange, rng.choices
    regions = [(p, c, d) for p, c, d, _ in REGIONS]
    region_cum = _cumulative(tuple(w for *_, w in REGIONS))
    industries = list(INDUSTRIES)
    industry_cum = _cumulative(INDUSTRY_WEIGHTS)
    legal_cum = _cumulative(LEGAL_WEIGHTS)
    status_cum = _cumulative(STATUS_WEIGHTS)
    level_cum = _cumulative(LEVEL_WEIGHTS)
    # created in id order over the last three years, as a real archive grows
    step = HISTORY_DAYS * 86400 / max(count, 1)
    start = now - timedelta(days=HISTORY_DAYS)
    for i in range(count):
        province, city, districts = choices(regions, cum_weights=region_cum)[0]
        district = choice(districts)
        industry = choices(industries, cum_weights=industry_cum)[0]
        roll = rand()
        website = ""
        if roll < 0.85:                                   # a Chinese company
            kind = "company"
            brand = choice(pools.brands)
            word = choice(INDUSTRIES[industry])
            name = (city.removesuffix("市") + brand + word
                    + choices(LEGAL_SUFFIXES, cum_weights=legal_cum)[0])
            if rand() < 0.03:
                name += choice(regions)[1].removesuffix("市") + "分公司"
            short_name = brand + word
            domain = choice(pools.domains)
            email = f"{choice(EMAIL_ROLES) if rand() < 0.5 else choice(pools.user_names)}" \
                    f"{i}@{domain}"
            if rand() < 0.35:
                website = f"https://www.{domain}"
        elif roll < 0.90:                                 # a foreign-invested company
            kind = "company"
            brand = choice(pools.en_companies)
            name = f"{brand} ({choice(EN_CITIES)}) Co., Ltd."
            short_name = brand
            domain = brand.split()[0].lower() + ".com"
            email = f"{choice(EMAIL_ROLES)}{i}@{domain}"
            website = f"https://www.{domain}"
        else:                                             # a person
            kind = "person"
            name = choice(pools.en_people) if rand() < 0.05 else choice(pools.zh_people)
            short_name = ""
            email = (f"{randrange(10_000, 3_000_000_000)}@qq.com" if rand() < 0.5
                     else f"{choice(pools.user_names)}{i}@{choice(FREE_MAIL)}")
        if rand() >= 0.6:
            email = ""
        owner_id, team_id = choice(owners) if owners and rand() < 0.8 else (None, None)
        created_at = start + timedelta(seconds=int((i + rand()) * step))
        updated_at = created_at + timedelta(seconds=randrange(
            max(1, int((now - created_at).total_seconds()))))
        last_contacted_at = (now - timedelta(seconds=randrange(180 * 86400))
                             if rand() < 0.5 else None)
        next_follow_up_on = today + timedelta(days=randrange(1, 31)) if rand() < 0.3 else None
        yield (
            organization_id, owner_id, team_id, kind, name, short_name, industry,
            choice(SOURCES), choices(LEVELS, cum_weights=level_cum)[0],
            choices(STATUSES, cum_weights=status_cum)[0], province, city, district,
            f"{district}{choice(pools.streets)}{randrange(1, 999)}号",
            f"+86{choice(MOBILE_PREFIXES)}{randrange(100_000_000):08d}", email, website,
            next_follow_up_on, last_contacted_at, "", "{}", 1, created_at, updated_at,
            dedup.name_key(name) if kind == "company" else "", dedup.domain_key(website, email),
            created_at if owner_id else None, None if owner_id else created_at,
        )


def customer_rows(*, organization_id: int, owners: list[tuple[int, int | None]], count: int,
                  seed: int, now: datetime | None = None) -> Iterator[Customer]:
    """The same rows as unsaved `Customer` objects (for tests and small amounts)."""
    for values in customer_values(organization_id=organization_id, owners=owners, count=count,
                                  seed=seed, now=now):
        data = dict(zip(COLUMNS, values, strict=True))
        data["custom_data"] = {}
        yield Customer(**data)


def create_customers(*, organization, users: list[User], count: int, seed: int,
                     batch_size: int = 10_000, with_activity: bool = True) -> int:
    """Write `count` customers of `organization`, owned by `users` (and their teams), with
    their contacts and follow-ups (`activity.py`), and put them in the search index."""
    teams = dict(Membership.objects.filter(organization=organization, user__in=users)
                 .values_list("user_id", "team_id"))
    owners = [(u.pk, teams.get(u.pk)) for u in users]
    now = _today()
    pools = build_pools(seed)
    since = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    written = bulk.insert_rows(
        Customer, COLUMNS,
        customer_values(organization_id=organization.pk, owners=owners, count=count, seed=seed,
                        now=now, pools=pools),
        batch_size=batch_size)
    bulk.analyze(Customer)
    if with_activity:
        activity.create_activity(organization_id=organization.pk, since_customer_id=since,
                                 authors=[u.pk for u in users], pools=pools,
                                 seed=seed, now=now)
    reindex_search(organization_id=organization.pk, since_customer_id=since)
    return written


def reindex_search(*, organization_id: int, since_customer_id: int = 0,
                   batch_size: int = 2000) -> None:
    """Search entries for the organization's customers with id > since_customer_id."""
    ids = (Customer.objects.filter(organization_id=organization_id, pk__gt=since_customer_id)
           .order_by("pk").values_list("pk", flat=True))
    iterator = ids.iterator(chunk_size=20_000)
    while batch := list(itertools.islice(iterator, batch_size)):
        with transaction.atomic():
            indexing.reindex(batch)
    if connection.vendor == "postgresql":
        # the postings' statistics, and (outside a transaction) their visibility map, so that
        # the index-only scans of a search do not visit the table
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_posting" if connection.in_atomic_block
                           else "VACUUM ANALYZE search_posting")

"""What every customer figure starts from, and the two tools the figures share: running a
GROUP BY over an aggregated queryset, and caching an expensive figure per organization and
data scope for a short, stated time.

The customers a figure counts are the customers the viewer can see (customers selector, i.e.
`scoping.visible`). A viewer with a narrower scope than the whole organization does not count
the shared pool (公海): pool customers belong to nobody, and counting them in every rep's
figures would add them up once per rep. The orders are the signed or completed orders the
viewer can see (orders selector) of those customers, dated by their signing date.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kehu.core.permissions.actor import Actor, organization_cache_version
from kehu.customers import selectors as customer_selectors
from kehu.customers.models import Customer, FollowUp
from kehu.orders import selectors as order_selectors
from kehu.orders.models import Order

# RFM and churn read every order (and follow-up) in scope: at a million customers that is
# seconds, so they are computed at most once per this many seconds per organization and scope.
SNAPSHOT_TTL = 10 * 60


def customers(actor: Actor) -> QuerySet[Customer]:
    pool = None if actor.data_scope == "org" else False
    return customer_selectors.customer_list(actor=actor, pool=pool)


def orders(actor: Actor, *, today: datetime.date) -> QuerySet[Order]:
    """Signed and completed orders signed on or before `today`, of `customers(actor)`."""
    return (order_selectors.order_list(actor=actor)
            .filter(status__in=order_selectors.WON_STATUSES, signed_on__isnull=False,
                    signed_on__lte=today,
                    customer__in=customers(actor).order_by().values("pk"))
            .select_related(None).order_by())


def follow_ups(actor: Actor, *, now: datetime.datetime) -> QuerySet[FollowUp]:
    """Follow-ups up to `now` of `customers(actor)`. The selector already limits them to
    visible customers; only a narrow scope must also leave out the pool's."""
    qs = (customer_selectors.follow_up_list(actor=actor).filter(happened_at__lte=now)
          .select_related(None).prefetch_related(None).order_by())
    if actor.data_scope != "org":
        qs = qs.filter(customer__owner__isnull=False)
    return qs


def over(queryset: QuerySet, outer: str, extra: list[Any] | tuple[Any, ...] = (),
         *, empty: list[tuple] | None = None) -> list[tuple]:
    """Rows of `outer`, a query with `{inner}` standing for the SQL of `queryset`: a GROUP BY
    over grouped rows or window functions over them, which the ORM cannot express. `outer`
    is our own text; values go in `extra`, after the inner query's own parameters. A
    queryset the viewer can see nothing of (e.g. a role without orders) has no SQL at all:
    then the answer is `empty`, what `outer` gives over no rows (default: no rows)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return list(empty or [])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # compiling these one-off queries costs PostgreSQL's JIT seconds and saves nothing
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(outer.format(inner=sql), [*params, *extra])
        return cursor.fetchall()


def date_param(value: datetime.date) -> Any:
    """A date as the database wants it in a raw query (SQLite stores ISO text)."""
    return connection.ops.adapt_datefield_value(value)


def as_date(value: Any) -> datetime.date | None:
    """A date read by a raw query (SQLite gives text, PostgreSQL a date or datetime)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def days_between_sql(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (two date expressions)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(ROUND(julianday({later}) - julianday({earlier})) AS INTEGER)"


@dataclass(frozen=True)
class Snapshot:
    value: Any
    as_of: datetime.datetime


def scope_key(actor: Actor) -> str:
    """Viewers who see exactly the same rows share a key: an organization-wide role shares it
    with everyone holding that role; a narrower scope depends on the person (ownership,
    collaborators, team). The organization's cache version changes with any change to
    memberships, roles or teams, so a changed scope never reads an old figure."""
    version = organization_cache_version(actor.organization.pk)
    if actor.is_system:
        who = "system"
    elif actor.data_scope == "org":
        who = f"role{actor.membership.role_id}"
    else:
        who = f"user{actor.user.pk}"
    return f"{actor.organization.pk}:{version}:{who}"


def snapshot(actor: Actor, name: str, compute: Callable[[], Any]) -> Snapshot:
    """`compute()` for this organization and scope, reused for SNAPSHOT_TTL seconds."""
    key = f"kehu:analytics:customers:{name}:{scope_key(actor)}"
    found = cache.get(key)
    if found is not None:
        return found
    found = Snapshot(value=compute(), as_of=timezone.now())
    cache.set(key, found, SNAPSHOT_TTL)
    return found

"""Drill-down: the customers behind one figure, as a queryset of the same scope and filters the
figure used, so the list's count is the figure. The page and the API read it through here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.analytics.customer_metrics import acquisition, repurchase, rfm
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

KINDS = ("new", "rfm", "buyers", "repeaters")


@dataclass(frozen=True)
class Spec:
    kind: str
    start: datetime.date | None = None
    end: datetime.date | None = None
    source: str | None = None
    province: str | None = None
    tier: str | None = None


def customers(*, actor: Actor, spec: Spec) -> QuerySet[Customer]:
    if spec.kind == "rfm":
        if spec.tier not in (*rfm.TIER_KEYS, rfm.NO_ORDERS):
            raise DomainError("invalid_tier", _("Unknown RFM tier."), status=422)
        qs = rfm.drill(actor, spec.tier)
    elif spec.kind in KINDS:
        if spec.start is None or spec.end is None or spec.start > spec.end:
            raise DomainError("invalid_range", _("Give a start and an end date, start first."),
                              status=422)
        if spec.kind == "new":
            qs = acquisition.drill(actor, start=spec.start, end=spec.end, source=spec.source,
                                   province=spec.province)
        else:
            qs = repurchase.drill(actor, start=spec.start, end=spec.end,
                                  repeat=spec.kind == "repeaters")
    else:
        raise DomainError("invalid_kind", _("Unknown figure."), status=422)
    return qs.select_related("owner").order_by("-id")

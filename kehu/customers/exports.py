"""Customer lists as spreadsheets: the fields people see, then the active custom fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.common import exports
from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Customer

COLUMNS = ["id", "name", "short_name", "kind", "industry", "source", "level", "status",
           "province", "city", "district", "address", "phone", "email", "website",
           "next_follow_up_on", "last_contacted_at", "created_at"]


def export_customers(*, actor: Actor, queryset: QuerySet[Customer], fmt: str):
    definitions = active_definitions(organization=actor.organization,
                                     object_type="customers.customer")
    header = [str(Customer._meta.get_field(c).verbose_name) for c in COLUMNS]
    header += [_("owner")] + [d.label for d in definitions]

    def rows() -> Iterator[list[Any]]:
        for customer in queryset.select_related("owner").iterator(chunk_size=2000):
            row = [_display(customer, c) for c in COLUMNS]
            row.append(str(customer.owner) if customer.owner else "")
            row += [customer.custom_data.get(d.key) for d in definitions]
            yield row

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return exports.xlsx_response(f"customers-{stamp}.xlsx", header, rows())
    return exports.csv_response(f"customers-{stamp}.csv", header, rows())


def _display(customer: Customer, column: str) -> Any:
    if column in ("kind", "level", "status"):
        return getattr(customer, f"get_{column}_display")()
    value = getattr(customer, column)
    if column in ("created_at", "last_contacted_at") and value is not None:
        return timezone.localtime(value)
    return value

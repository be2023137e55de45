"""A customer's history (audit log) as people read it."""

from __future__ import annotations

from typing import Any

from kehu.core.audit import selectors as audit_selectors
from kehu.core.audit.formatting import ChangeFormatter
from kehu.core.permissions.actor import Actor, Via
from kehu.customers.models import Customer

HISTORY_LIMIT = 50


def history(actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    records = list(audit_selectors.history_for(actor=actor, instance=customer)[:HISTORY_LIMIT])
    formatter = ChangeFormatter(actor, records)
    via_labels = dict(Via.choices)
    return [{"record": r, "via": via_labels.get(r.via, r.via), "changes": formatter.entries(r)}
            for r in records]

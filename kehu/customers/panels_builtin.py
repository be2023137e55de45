"""The customer module's own key figures and panels on the 360° view, registered through
`panels.py` like any other module's (import this module from `CustomersConfig.ready()`).

A panel's template is rendered with its context, plus `customer`, `can` (what the actor may do
with customers) and the request; it draws the inside of a card whose title is the panel's
label, and renders nothing at all when it has nothing to show (the card is then left out).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers import panels, relations, selectors
from kehu.tasks import selectors as task_selectors

TASK_OBJECT_TYPE = "tasks.task"
OPEN_TASKS_SHOWN = 20
MERGES_SHOWN = 20


def days_since_contact(actor, customer) -> int | None:
    if customer.last_contacted_at is None:
        return None
    return max(0, (timezone.now() - customer.last_contacted_at).days)


def follow_up_count(actor, customer) -> int:
    return selectors.follow_up_list(actor=actor, customer=customer).count()


def contact_count(actor, customer) -> int:
    return selectors.contact_list(actor=actor, customer=customer).count()


def open_task_count(actor, customer) -> int:
    return task_selectors.task_list(actor=actor, open_only=True,
                                    customer_id=customer.pk).count()


def tasks_context(actor, customer) -> dict[str, Any]:
    tasks = list(task_selectors.task_list(actor=actor, open_only=True,
                                          customer_id=customer.pk)[:OPEN_TASKS_SHOWN + 1])
    return {"tasks": tasks[:OPEN_TASKS_SHOWN], "more_tasks": len(tasks) > OPEN_TASKS_SHOWN,
            "today": timezone.localdate(), "can_complete": actor.can("edit", TASK_OBJECT_TYPE)}


def merges_context(actor, customer) -> dict[str, Any]:
    """Each merge with what it moved ("3 contacts", "5 follow-ups")."""
    labels = {r.key: r.label for r in relations.all_relations()}
    merges = []
    for record in selectors.merge_list(actor=actor, customer=customer)[:MERGES_SHOWN]:
        moved = [f"{len(ids)} {labels.get(key, key)}" for key, ids in record.moved.items() if ids]
        merges.append({"record": record, "moved": moved})
    return {"merges": merges}


panels.register_figure(key="days_since_contact", label=_("Days since last contact"), order=10,
                       value=days_since_contact)
panels.register_figure(key="follow_ups", label=_("Follow-ups"), order=20, value=follow_up_count)
panels.register_figure(key="contacts", label=_("Contacts"), order=30, value=contact_count)
panels.register_figure(key="open_tasks", label=_("Open tasks"), order=40, value=open_task_count)
panels.register_panel(key="tasks", label=_("Open tasks"), order=10,
                      template="customers/panels/tasks.html", context=tasks_context)
panels.register_panel(key="merges", label=_("Merges"), order=90,
                      template="customers/panels/merges.html", context=merges_context)

"""/api/v1/tasks: to-dos with due dates (follow-up reminders among them)."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kehu.core.common.api import RowId, expected_version
from kehu.customers import selectors as customer_selectors
from kehu.tasks import selectors, services

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    version: int
    title: str
    kind: str
    due_on: date
    customer_id: int | None
    owner_id: int | None
    notes: str
    done_at: datetime | None


class TaskIn(Schema):
    title: str
    due_on: date
    kind: str = "follow_up"
    customer_id: int | None = None
    owner_id: int | None = None
    notes: str = ""


class TaskPatch(Schema):
    title: str | None = None
    due_on: date | None = None
    notes: str | None = None
    done: bool | None = None
    owner_id: int | None = None
    version: int | None = None


@router.get("", response=list[TaskOut])
def list_tasks(request: HttpRequest, mine: bool = True, open: bool = True,
               customer_id: RowId | None = None):
    return selectors.task_list(actor=request.actor, mine=mine, open_only=open,
                               customer_id=customer_id)[:500]


@router.post("", response={201: TaskOut})
def create_task(request: HttpRequest, payload: TaskIn):
    values = payload.dict(exclude_unset=True)
    if values.get("customer_id"):
        values["customer"] = customer_selectors.customer_get(
            actor=request.actor, customer_id=values.pop("customer_id"))
    return Status(201, services.task_create(actor=request.actor, values=values))


@router.patch("/{task_id}", response=TaskOut)
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch):
    task = selectors.task_get(actor=request.actor, task_id=task_id, action="edit")
    version = expected_version(request, payload.version)
    values = payload.dict(exclude_unset=True, exclude={"version", "done"})
    if payload.done is not None:
        from django.utils import timezone

        values["done_at"] = timezone.now() if payload.done else None
    return services.task_update(actor=request.actor, task=task, values=values, version=version)

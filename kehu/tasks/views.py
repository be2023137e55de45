"""Task pages: "my day" (overdue, today, the next seven days; quick add; done via HTMX) and
the month calendar (for managers, of any member within their data scope)."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.htmx import is_htmx, trigger
from kehu.core.customfields.forms import add_errors
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors as customer_selectors
from kehu.tasks import selectors, services
from kehu.tasks.forms import QuickTaskForm
from kehu.web.decorators import member_required

OBJECT_TYPE = "tasks.task"
CHANGED = "tasks-changed"
CUSTOMER_CHOICES = 300


def _customers(actor: Actor) -> list[tuple[int, str]]:
    """The actor's own customers, for the quick add's picker."""
    if actor.user is None:
        return []
    qs = customer_selectors.customer_list(actor=actor, owner_id=actor.user.pk)
    return list(qs.order_by("name").values_list("pk", "name")[:CUSTOMER_CHOICES])


def _day_context(actor: Actor, form: QuickTaskForm | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    due = list(selectors.my_day(actor=actor, today=today))
    return {
        "today": today,
        "overdue": [t for t in due if t.due_on < today],
        "due_today": [t for t in due if t.due_on == today],
        "upcoming": list(selectors.tasks_upcoming(actor=actor, today=today)),
        "form": form or QuickTaskForm(customers=_customers(actor)),
        "can_create": actor.can("create", OBJECT_TYPE),
        "can_edit": actor.can("edit", OBJECT_TYPE),
    }


def _render_day(request: HttpRequest, context: dict[str, Any], status: int = 200
                ) -> HttpResponse:
    template = "tasks/_my_day.html" if is_htmx(request) else "tasks/my_day.html"
    return render(request, template, context, status=status)


@member_required
@require_GET
def my_day_page(request: HttpRequest) -> HttpResponse:
    return _render_day(request, _day_context(request.actor))


@member_required
@require_POST
def task_quick_add(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = QuickTaskForm(request.POST, customers=_customers(actor))
    if form.is_valid():
        values = {"title": form.cleaned_data["title"], "due_on": form.cleaned_data["due_on"],
                  "kind": form.cleaned_data["kind"]}
        try:
            if form.cleaned_data["customer"]:
                values["customer"] = customer_selectors.customer_get(
                    actor=actor, customer_id=form.cleaned_data["customer"])
            services.task_create(actor=actor, values=values)
        except Http404:
            form.add_error("customer", _("Choose one of your customers."))
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        return _render_day(request, _day_context(actor, form), status=422)
    if not is_htmx(request):
        messages.success(request, _("Task added."))
        return redirect("tasks:my-day")
    return trigger(_render_day(request, _day_context(actor)), CHANGED)


@member_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark one of the actor's visible tasks done (or, with `undo`, open again)."""
    actor = request.actor
    task = selectors.task_get(actor=actor, task_id=task_id, action="edit")
    services.task_complete(actor=actor, task=task, done=not request.POST.get("undo"))
    back = request.POST.get("next", "")
    if not is_htmx(request):
        messages.success(request, _("Task “%(title)s” done.") % {"title": task.title})
        if back.startswith("/tasks/") and "//" not in back:
            return redirect(back)
        return redirect("tasks:my-day")
    if request.POST.get("from") == "calendar":
        return trigger(HttpResponse(status=204), CHANGED)
    return trigger(_render_day(request, _day_context(actor)), CHANGED)


# --- the month calendar ------------------------------------------------------------------------

def _month(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01") if value else \
            timezone.localdate().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _shift(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@member_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """?month=2026-11 (default: this month) and, for managers, ?member=<user id>."""
    actor = request.actor
    month = _month(request.GET.get("month"))
    members = selectors.calendar_members(actor=actor) if actor.data_scope != "own" else []
    member_id = actor.user.pk
    if request.GET.get("member"):
        try:
            member_id = int(request.GET["member"])
        except ValueError as exc:
            raise Http404 from exc
        if member_id != actor.user.pk and member_id not in {pk for pk, _n in members}:
            raise Http404
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    start, end = weeks[0][0], weeks[-1][-1] + datetime.timedelta(days=1)
    by_day: dict[datetime.date, list] = defaultdict(list)
    for task in selectors.task_calendar(actor=actor, start=start, end=end, owner_id=member_id):
        by_day[task.due_on].append(task)
    today = timezone.localdate()
    extra = {"member": member_id} if member_id != actor.user.pk else {}
    page = reverse("tasks:calendar")

    def link(target: datetime.date) -> str:
        return page + "?" + urlencode({"month": target.strftime("%Y-%m"), **extra})

    return render(request, "tasks/calendar.html", {
        "month": month, "month_label": date_format(month, "YEAR_MONTH_FORMAT"),
        "weekdays": [date_format(weeks[0][i], "D") for i in range(7)],
        "weeks": [[{"day": d, "tasks": by_day.get(d, []), "in_month": d.month == month.month,
                    "is_today": d == today} for d in week] for week in weeks],
        "today": today, "members": members, "member_id": member_id,
        "previous_url": link(_shift(month, -1)), "next_url": link(_shift(month, 1)),
        "this_month_url": link(today.replace(day=1)),
        "is_this_month": month == today.replace(day=1),
        "can_edit": actor.can("edit", OBJECT_TYPE),
        "next": request.get_full_path(),
    })

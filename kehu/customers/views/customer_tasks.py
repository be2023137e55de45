"""Marking a customer's task done from the tasks panel of the 360° page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.common.htmx import trigger
from kehu.customers.views import _common, detail
from kehu.tasks import selectors as task_selectors
from kehu.tasks import services as task_services
from kehu.web.decorators import member_required


@member_required
@require_POST
def customer_task_done(request: HttpRequest, customer_id: int, task_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id)
    task = task_selectors.task_get(actor=actor, task_id=task_id, action="edit")
    if task.customer_id != customer.pk:
        raise Http404
    task_services.task_complete(actor=actor, task=task)
    if not _common.is_htmx(request):
        messages.success(request, _("Task “%(title)s” done.") % {"title": task.title})
        return redirect(_common.detail_url(customer))
    # the tasks panel, like the figures and the history, refreshes itself on the event
    return trigger(HttpResponse(status=204), detail.CHANGED)

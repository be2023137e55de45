"""The recycle bin: customers deleted (not merged away) that the actor may delete, and
restoring one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.customers import selectors, services
from kehu.customers.views import _common, listing
from kehu.web.decorators import member_required


@member_required
@require_GET
def recycle_bin_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "delete")
    q = request.GET.get("q", "").strip()[:100]
    # the search index leaves deleted customers out, so the bin matches names directly
    qs = (selectors.customer_list(actor=actor, action="delete", deleted=True)
          .filter(merged_into__isnull=True).order_by("-deleted_at", "-id"))
    if q:
        qs = qs.filter(name__icontains=q)
    problems: list[str] = []
    page = listing.page_of(request, qs, problems)
    return _common.render_page(request, "recycle_bin.html", {
        "customers": page["items"], "next_cursor": page["next_cursor"],
        "is_first_page": not request.GET.get("cursor"), "problems": problems, "q": q,
        "tab": "recycle", "can": _common.can(actor)})


@member_required
@require_POST
def customer_restore(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "delete", deleted=True)
    try:
        services.customer_restore(actor=actor, customer=customer)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("customers:recycle-bin")
    messages.success(request, _("Customer “%(name)s” restored.") % {"name": customer.name})
    return redirect(_common.detail_url(customer))

"""The customer pool (公海): the list of unowned customers with claim buttons (one or many),
the actor's claim limit, releasing a customer back to the pool, and the pool policy (admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.htmx import trigger
from kehu.core.permissions.actor import Actor
from kehu.customers import selectors, services
from kehu.customers.forms_lists import PoolPolicyForm
from kehu.customers.models import Customer
from kehu.customers.views import _common, listing
from kehu.web.decorators import admin_required, member_required

CHANGED = "customers-changed"  # the rows (and the claim limit above them) reload


def limits(actor: Actor) -> dict[str, Any]:
    policy = services.pool_policy(organization=actor.organization)
    owned = selectors.customer_list(actor=actor, owner_id=actor.user.pk).count()
    return {"claim_limit": policy.claim_limit, "owned": owned,
            "at_limit": bool(policy.claim_limit) and owned >= policy.claim_limit}


@member_required
@require_GET
def pool_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    definitions = _common.definitions(actor)
    form = listing.filter_form(request, actor, definitions, pool=True)
    qs, problems = listing.filtered(actor, form, pool=True)
    page = listing.page_of(request, qs, problems)
    can = _common.can(actor)
    previous = _common.user_names(
        actor, {c.previous_owner_id for c in page["items"] if c.previous_owner_id})
    context = {
        "form": form, "rows": [(c, previous.get(c.previous_owner_id, "")) for c in page["items"]],
        "next_cursor": page["next_cursor"],
        "is_first_page": not request.GET.get("cursor"), "problems": problems,
        "is_filtered": listing.is_filtered(form), "filters_open": listing.filters_open(form),
        "can": can, "tab": "pool", "limits": limits(actor),
    }
    return listing.results_response(request, "customer-results", "_pool_rows.html",
                                    "pool.html", context)


def _message(request: HttpRequest, text: str, level: str = "success",
             status: int = 200) -> HttpResponse:
    """An alert for the list's message area; success also reloads the rows."""
    response = _common.render_page(request, "_message.html", {"text": text, "level": level},
                                   status=status)
    return trigger(response, CHANGED) if level != "error" else response


def _claim(actor: Actor, customer: Customer) -> DomainError | None:
    """Claim one customer; the refusal, or None when it worked."""
    try:
        services.customer_claim(actor=actor, customer=customer)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        return exc
    return None


@member_required
@require_POST
def customer_claim(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    error = _claim(actor, customer)
    text = error.message if error else _("“%(name)s” is now yours.") % {"name": customer.name}
    if _common.is_htmx(request):
        return _message(request, text, "error" if error else "success",
                        status=error.status if error else 200)
    (messages.error if error else messages.success)(request, text)
    return redirect(_common.safe_next(request, _common.detail_url(customer)))


@member_required
@require_POST
def pool_claim_selected(request: HttpRequest) -> HttpResponse:
    """Claim the checked pool customers one by one, until the claim limit stops it."""
    actor = request.actor
    _common.require(actor, "edit")
    ids = _common.selected_ids(request)
    claimed, problems = 0, []
    for customer in selectors.customer_list(actor=actor, pool=True).filter(pk__in=ids):
        error = _claim(actor, customer)
        if error is None:
            claimed += 1
            continue
        if error.message not in problems:
            problems.append(error.message)
        if error.code == "claim_limit":
            break
    text = " ".join([ngettext("%(n)d customer claimed.", "%(n)d customers claimed.",
                              claimed) % {"n": claimed}, *problems])
    level = "warning" if problems or not claimed else "success"
    if _common.is_htmx(request):
        return trigger(_message(request, text, level), CHANGED)
    (messages.warning if level == "warning" else messages.success)(request, text)
    return redirect(_common.safe_next(request, reverse("customers:pool")))


@member_required
@require_POST
def customer_release(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Put one customer back into the pool (its owner, or someone who may assign)."""
    actor = request.actor
    customer = _common.get_customer(actor, customer_id, "edit")
    count = services.customers_release(actor=actor, customer_ids=[customer.pk],
                                       reason=request.POST.get("reason", "")[:200])
    if count:
        messages.success(request, _("“%(name)s” is back in the customer pool.")
                         % {"name": customer.name})
    else:
        messages.error(request, _("You may not release this customer."))
    return redirect(_common.detail_url(customer))


@admin_required
@require_http_methods(["GET", "POST"])
def pool_policy_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    policy = services.pool_policy(organization=actor.organization)
    form = PoolPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.pool_policy_update(actor=actor, **form.cleaned_data)
        messages.success(request, _("Pool rules saved."))
        return redirect("customers:pool-policy")
    return _common.render_page(request, "pool_policy.html",
                               {"form": form, "tab": "pool", "can": _common.can(actor)},
                               status=422 if form.errors else 200)

"""The public web-to-lead form at /leads/f/<token>/: no sign-in, a standalone page that other
sites may embed in an <iframe> (the only page without X-Frame-Options: DENY).

Why no CSRF cookie here: the form is meant to be embedded on other sites, where browsers do not
store or send our cookies (third-party context), so the cookie-based CSRF check would refuse
every embedded submission. The page acts for nobody (no session, no user), so there is nothing
for a forged request to abuse; the signed, form-bound `started` token plays the CSRF token's
part (a submission must come from a form we rendered, for this form, within a day), and the
honeypot, minimum fill time and per-address rate limit keep bots out.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kehu.core import rls
from kehu.core.customfields.forms import add_errors
from kehu.leads import services, spam
from kehu.leads.forms import PublicLeadForm
from kehu.leads.models import WebForm


def _page(request: HttpRequest, webform: WebForm, form: PublicLeadForm | None, *,
          status: int = 200, sent: bool = False, message: str = "") -> HttpResponse:
    if form is not None and not sent:
        form.initial["started"] = spam.started_token(webform.token)
        if form.is_bound:
            data = form.data.copy()
            data["started"] = spam.started_token(webform.token)
            form.data = data
    response = render(request, "leads/public/form.html",
                      {"webform": webform, "form": form, "sent": sent, "message": message},
                      status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    webform = services.webform_by_token(token)
    if webform is None:
        raise Http404
    rls.activate(webform.organization_id)  # the page acts for the form's organization
    if request.method == "GET":
        return _page(request, webform, PublicLeadForm())
    if spam.rate_limited(request):
        return _page(request, webform, None, status=429, message=_(
            "Too many submissions from your network. Please try again in a few minutes."))
    form = PublicLeadForm(request.POST)
    if request.POST.get("website"):
        return _page(request, webform, None, sent=True)  # the honeypot: a bot, say nothing
    elapsed = spam.seconds_since_start(request.POST.get("started", ""), webform.token)
    if elapsed is None:
        form.is_valid()
        form.add_error(None, _("This form has expired. Please check your details and send "
                               "it again."))
        return _page(request, webform, form, status=400)
    if elapsed < spam.MIN_SECONDS:
        return _page(request, webform, None, sent=True)  # faster than a person: a bot
    if not form.is_valid():
        return _page(request, webform, form, status=422)
    try:
        services.webform_submit(form=webform, values=form.lead_values())
    except ValidationError as exc:
        add_errors(form, exc)
        return _page(request, webform, form, status=422)
    return _page(request, webform, None, sent=True)

"""Settings → Personal data: find one person's records, export them, erase them."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kehu.customers.privacy import selectors, services
from kehu.customers.privacy.forms import EraseForm, PersonForm
from kehu.web.decorators import admin_required

RELATED_LABELS = {"follow_ups": gettext_lazy("follow-ups"), "files": gettext_lazy("files")}


def _query(data: dict):
    return selectors.person_query(phone=data.get("phone", ""), email=data.get("email", ""),
                                  name=data.get("name", ""))


def _render(request: HttpRequest, form: PersonForm, preview=None, erase_form=None,
            status: int = 200) -> HttpResponse:
    person = form.cleaned_data if form.is_bound and form.is_valid() else {}
    export_query = urlencode({k: person.get(k, "") for k in ("phone", "email", "name")})
    return render(request, "customers/privacy/person.html", {
        "form": form, "preview": preview, "erase_form": erase_form, "section": "privacy",
        "export_query": export_query,
        "nav_section": "settings", "related_labels": {k: str(v) for k, v in
                                                      RELATED_LABELS.items()}},
        status=status)


@admin_required
@require_GET
def person_page(request: HttpRequest) -> HttpResponse:
    if not request.GET:
        return _render(request, PersonForm())
    form = PersonForm(request.GET)
    if not form.is_valid():
        return _render(request, form, status=422)
    preview = selectors.person_preview(actor=request.actor, query=_query(form.cleaned_data))
    erase_form = EraseForm(initial={**form.cleaned_data,
                                    "records": [f.key for f in preview.records]})
    return _render(request, form, preview, erase_form)


@admin_required
@require_POST
def person_erase(request: HttpRequest) -> HttpResponse:
    query_form = PersonForm(request.POST)
    if not query_form.is_valid():
        return _render(request, query_form, status=422)
    query = _query(query_form.cleaned_data)
    preview = selectors.person_preview(actor=request.actor, query=query)
    form = EraseForm(request.POST, keys=[f.key for f in preview.records])
    if form.is_valid():
        try:
            result = services.person_erase(actor=request.actor, query=query,
                                           reason=form.cleaned_data["reason"],
                                           only=set(form.cleaned_data["records"]))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.records:
                messages.success(request, _("Personal data erased from %(n)d records.")
                                 % {"n": len(result.records)})
            else:
                messages.info(request, _("Nothing left to erase."))
            return redirect("customers:privacy")
    return _render(request, query_form, preview, form, status=422)


@admin_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.GET)
    if not form.is_valid():
        return _render(request, form, status=422)
    data = selectors.person_export(actor=request.actor, query=_query(form.cleaned_data))
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False,
                                       indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response

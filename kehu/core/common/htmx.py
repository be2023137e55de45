"""Small helpers for views that serve both full pages and HTMX partials."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect as django_redirect


def is_htmx(request: HttpRequest, target: str | None = None) -> bool:
    """A request htmx made for a partial (not a boosted navigation nor a history restore, which
    want the whole page), optionally aimed at the element with id `target`."""
    headers = request.headers
    if headers.get("HX-Request") != "true" or headers.get("HX-Boosted") == "true" \
            or headers.get("HX-History-Restore-Request") == "true":
        return False
    return target is None or headers.get("HX-Target") == target


def trigger(response: HttpResponse, *events: str, **events_with_detail: object) -> HttpResponse:
    """Add events to the response's HX-Trigger header, so other parts of the page refresh."""
    current = response.get("HX-Trigger")
    payload: dict[str, object] = {}
    if current:
        try:
            payload = json.loads(current)
        except ValueError:
            payload = {name.strip(): None for name in current.split(",") if name.strip()}
    payload.update(dict.fromkeys(events))
    payload.update(events_with_detail)
    if all(value is None for value in payload.values()):
        response["HX-Trigger"] = ", ".join(payload)
    else:
        response["HX-Trigger"] = json.dumps(payload)
    return response


def redirect(request: HttpRequest, to: object, *args: object, **kwargs: object) -> HttpResponse:
    """A redirect that also works for htmx requests (HX-Redirect makes a full navigation)."""
    response = django_redirect(to, *args, **kwargs)
    if is_htmx(request):
        location = response["Location"]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = location
    return response

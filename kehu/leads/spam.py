"""Keeping bots off the public web form: a signed "shown at" time (too fast means a bot), and a
per-address rate limit in Django's cache. The honeypot field lives on the form itself."""

from __future__ import annotations

import time

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

SALT = "kehu.leads.webform.started"
MIN_SECONDS = 3  # people need longer than this to fill the form in
MAX_AGE = 24 * 3600  # a form left open longer than a day is shown again
RATE_LIMIT = 10  # submissions per address …
RATE_WINDOW = 600  # … per 10 minutes


def started_token(form_token: str, at: float | None = None) -> str:
    """The hidden field's value: which form was shown, and when."""
    return signing.dumps({"f": form_token, "t": time.time() if at is None else at}, salt=SALT)


def seconds_since_start(value: str, form_token: str) -> float | None:
    """How long ago the form was shown, or None when the value is missing, forged, expired
    or belongs to another form."""
    try:
        data = signing.loads(value or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("f") != form_token:
        return None
    try:
        return time.time() - float(data["t"])
    except (KeyError, TypeError, ValueError):
        return None


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request: HttpRequest) -> bool:
    """Count one submission from the request's address; True when over the limit."""
    key = f"kehu:leads:webform:{client_address(request)}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT

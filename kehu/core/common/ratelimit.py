"""Counting failed attempts per client address in Django's cache, so every gunicorn worker
sees the same count (Redis, or the file cache under var/)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write that header itself.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, request: HttpRequest) -> str:
    return f"kehu:ratelimit:{scope}:{client_address(request)}"


def failures(scope: str, request: HttpRequest) -> int:
    return cache.get(_key(scope, request), 0)


def record_failure(scope: str, request: HttpRequest, *, window: int) -> int:
    """One more failure; the window starts at the first failure and is not extended."""
    key = _key(scope, request)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1

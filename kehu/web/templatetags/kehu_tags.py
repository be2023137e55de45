"""Small template filters of the shell: {% load kehu_tags %}."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """Whole minutes of a timedelta, rounded up (15 for the default sign-in lock)."""
    if not isinstance(value, datetime.timedelta):
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def initial(user: object) -> str:
    """The first letter of a user's name, for an avatar."""
    name = getattr(user, "name", "") or getattr(user, "email", "") or "?"
    return name[:1].upper()


@register.filter
def can_view(actor: object, object_type: str) -> bool:
    """`{% if actor|can_view:"leads.lead" %}`: show a menu entry only to those who may use it."""
    return bool(actor) and actor.can("view", object_type)


@register.filter
def web_url(value: object) -> str:
    """The value when it is an http(s) address, else "": a stored `javascript:` or `data:`
    URL (written by an old import or straight into the database) never becomes a link."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""

"""Small template filters of the shell: {% load kehu_tags %}."""

from __future__ import annotations

import datetime
import json

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """Whole minutes of a timedelta, rounded up (15 for the default sign-in lock)."""
    if not isinstance(value, datetime.timedelta):
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def change_value(value: object) -> str:
    """A value from the audit log as one short line of text."""
    if value is None or value == "":
        return "∅"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


@register.filter
def initial(user: object) -> str:
    """The first letter of a user's name, for an avatar."""
    name = getattr(user, "name", "") or getattr(user, "email", "") or "?"
    return name[:1].upper()

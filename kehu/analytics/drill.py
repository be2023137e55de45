"""Drill-down links: every figure links to the list page that shows the rows it counts, with
the filters the figure was computed with (the list reads through the same selector)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode


def _query(params: dict[str, Any]) -> str:
    clean = {key: value.isoformat() if isinstance(value, datetime.date) else value
             for key, value in params.items() if value not in (None, "", False)}
    return "?" + urlencode(clean) if clean else ""


def opportunities(**params: Any) -> str:
    """The opportunity list: pipeline, stage, status, owner, mine, currency, created_from,
    created_to, closed_from, closed_to, close_from, close_to, reached_stage, lost_reason."""
    return reverse("sales:opportunity-list") + _query(params)


def my_day() -> str:
    return reverse("tasks:my-day")

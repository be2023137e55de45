"""The date ranges the sales analytics are asked for (this month, quarter, year or a custom
range) and the months around today the forecast walks through.

A range is a pair of local days, both included, because that is what the list filters the
figures drill down to take (`closed_from`/`closed_to`, `created_from`/`created_to`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kehu.targets.models import period_end, period_start

KINDS = {"month": _("This month"), "quarter": _("This quarter"), "year": _("This year"),
         "custom": _("Custom range")}
MAX_DAYS = 366 * 5  # a custom range longer than five years is cut, keeping the start


@dataclass(frozen=True)
class DateRange:
    kind: str
    first: datetime.date
    last: datetime.date  # included

    @property
    def label(self) -> str:
        return (f"{date_format(self.first, 'SHORT_DATE_FORMAT')} – "
                f"{date_format(self.last, 'SHORT_DATE_FORMAT')}")

    def query(self) -> dict[str, str]:
        """The query-string parameters that give this range back."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.first.isoformat(),
                    "end": self.last.isoformat()}
        return {"period": self.kind}


def current(kind: str, today: datetime.date | None = None) -> DateRange:
    today = today or timezone.localdate()
    start = period_start(kind, today)
    return DateRange(kind, start, period_end(kind, start) - datetime.timedelta(days=1))


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def from_query(data, today: datetime.date | None = None) -> DateRange:
    """The range of a page's query string (?period=month|quarter|year, or ?period=custom with
    start and end days); anything that does not fit gives this month."""
    kind = data.get("period")
    if kind == "custom":
        first, last = _day(data.get("start")), _day(data.get("end"))
        if first and last:
            first, last = min(first, last), max(first, last)
            last = min(last, first + datetime.timedelta(days=MAX_DAYS))
            return DateRange("custom", first, last)
        kind = "month"
    return current(kind if kind in KINDS else "month", today)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting `day` in the current time zone (as the list filters read days)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_start(day: datetime.date, shift: int = 0) -> datetime.date:
    """The first day of the month `shift` months after the month of `day`."""
    index = day.year * 12 + day.month - 1 + shift
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_last(first: datetime.date) -> datetime.date:
    return month_start(first, 1) - datetime.timedelta(days=1)

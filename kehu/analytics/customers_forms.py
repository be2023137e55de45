"""The date ranges of the customer analytics pages, read from the query string. A missing or
bad value falls back to the default range (the last twelve months up to today)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.analytics.customer_metrics import acquisition

BUCKET_CHOICES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month")),
                  ("quarter", _("Quarter"))]
MAX_MONTHS = 36  # the repurchase trend: one point per month


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """From the first day of the month eleven months ago to today: twelve monthly buckets."""
    today = today or timezone.localdate()
    month = today.month - 12
    start = datetime.date(today.year + month // 12, month % 12 + 1, 1)
    return start, today


def check_range(start: datetime.date, end: datetime.date, bucket: str | None) -> str | None:
    """Why the range cannot be shown (a message), or None."""
    if start > end:
        return str(_("The start date is after the end date."))
    if bucket and len(acquisition.bucket_starts(start, end, bucket)) >= acquisition.MAX_BUCKETS:
        return str(_("Too many points for one chart: choose a longer bucket or a shorter "
                     "range."))
    if not bucket and (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        return str(_("Choose a range of at most %(months)s months.") % {"months": MAX_MONTHS})
    return None


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    with_bucket = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        default_start, default_end = default_range()
        data["start"] = data.get("start") or default_start
        data["end"] = data.get("end") or default_end
        problem = check_range(data["start"], data["end"],
                              data.get("bucket") or "month" if self.with_bucket else None)
        if problem:
            raise forms.ValidationError(problem)
        return data

    def period(self) -> dict[str, Any]:
        """The cleaned range, or the default one when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data
        start, end = default_range()
        return {"start": start, "end": end, "bucket": "month"}


class NewCustomersForm(RangeForm):
    bucket = forms.ChoiceField(label=pgettext_lazy("time bucket", "By"), choices=BUCKET_CHOICES,
                               required=False)

    with_bucket = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["bucket"] = data.get("bucket") or "month"
        return data


class DrillForm(forms.Form):
    """Which figure's customers to list (see customer_metrics/drill.py)."""

    kind = forms.CharField(max_length=20)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    source = forms.CharField(required=False, max_length=60)
    province = forms.CharField(required=False, max_length=60)
    tier = forms.CharField(required=False, max_length=30)

    def values(self) -> dict[str, Any]:
        """The cleaned fields, a source or province only when the query string names it."""
        data = dict(self.cleaned_data)
        for name in ("source", "province"):
            if name not in self.data:
                data[name] = None
        return data

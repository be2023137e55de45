"""What the ECharts on the analytics pages draw, as plain data for `json_script`: labels
translated here, amounts as strings (never floats), and the drill-down link of each bar."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehu.analytics.forecast import Forecast
from kehu.analytics.funnel import Funnel
from kehu.core.common import money


def _month(day) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def funnel_chart(figures: Funnel) -> dict[str, Any]:
    return {"kind": "funnel", "symbol": money.SYMBOLS.get(figures.currency, figures.currency),
            "labels": [step.name for step in figures.steps],
            "series": [{"name": pgettext("funnel stage", "Reached"),
                        "values": [step.reached for step in figures.steps],
                        "amounts": [str(step.reached_amount) for step in figures.steps],
                        "urls": [step.reached_url for step in figures.steps]}],
            "count_label": _("Opportunities"), "amount_label": _("Amount")}


def forecast_chart(figures: Forecast) -> dict[str, Any]:
    months = figures.months
    return {"kind": "bars", "money": True,
            "symbol": money.SYMBOLS.get(figures.currency, figures.currency),
            "labels": [_month(m.month) for m in months],
            "series": [
                {"name": _("Weighted pipeline"), "type": "bar",
                 "values": [str(m.weighted) for m in months], "urls": [m.url for m in months]},
                {"name": _("Pipeline amount"), "type": "bar",
                 "values": [str(m.amount) for m in months], "urls": [m.url for m in months]},
                {"name": _("Forecast from won history"), "type": "line",
                 "values": [str(m.forecast) for m in months]}]}


def backtest_chart(figures: Forecast) -> dict[str, Any]:
    rows = figures.backtest
    return {"kind": "bars", "money": True,
            "symbol": money.SYMBOLS.get(figures.currency, figures.currency),
            "labels": [_month(b.month) for b in rows],
            "series": [
                {"name": _("Won"), "type": "bar", "values": [str(b.actual) for b in rows],
                 "urls": [b.actual_url for b in rows]},
                {"name": _("Forecast"), "type": "line",
                 "values": [str(b.forecast) for b in rows]}]}

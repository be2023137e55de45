"""The sales forecast (销售预测): the weighted pipeline by expected close month, a forecast
from won history, and how far that forecast was off in past months (its backtest).

The method (explained to users in docs/analytics.md): the forecast for a month is the average
won amount of the three complete months before the month it is made in. For the coming months
that is the average of the last three complete months; for a past month M (the backtest) it
is the average of M-3, M-2 and M-1, i.e. only data before M, compared with what was won in M.
Won amounts count deals by the month they were closed as won, in the organization's currency.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kehu.analytics import drill
from kehu.analytics.funnel import amount, percent
from kehu.analytics.ranges import month_last, month_start
from kehu.core.common import money
from kehu.core.permissions.actor import Actor
from kehu.sales import selectors as sales_selectors
from kehu.sales.models import Opportunity

AHEAD = 6  # months of pipeline and forecast, this month included
BACKTEST = 6  # complete months checked
WINDOW = 3  # months averaged


@dataclass
class PipelineMonth:
    month: datetime.date
    count: int
    amount: Decimal
    weighted: Decimal
    forecast: Decimal
    url: str


@dataclass
class BacktestMonth:
    month: datetime.date
    forecast: Decimal
    actual: Decimal
    error: Decimal  # forecast − actual
    abs_error: Decimal
    percent_error: Decimal | None  # |error| / actual; None when nothing was won
    actual_url: str


@dataclass
class Forecast:
    currency: str
    this_month: datetime.date
    method_window: int
    overdue_count: int
    overdue_weighted: Decimal
    overdue_url: str
    months: list[PipelineMonth]
    backtest: list[BacktestMonth]
    mean_abs_error: Decimal | None
    mean_percent_error: Decimal | None


def _date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def won_by_month(*, actor: Actor, first: datetime.date, last: datetime.date,
                 pipeline_id: int | None = None, owner_id: int | None = None
                 ) -> dict[datetime.date, Decimal]:
    """Won amount per month (first day → amount), deals closed in [first, last], one query."""
    currency = actor.organization.default_currency
    qs = sales_selectors.opportunity_list(
        actor=actor, status=Opportunity.Status.WON, currency=currency, pipeline_id=pipeline_id,
        owner_id=owner_id, closed_from=first, closed_to=last).select_related(None).order_by()
    rows = qs.annotate(month=TruncMonth("closed_at")).values("month").annotate(a=Sum("amount"))
    return {_date(row["month"]): amount(row["a"], currency) for row in rows}


def trailing_average(won: dict[datetime.date, Decimal], month: datetime.date,
                     currency: str) -> Decimal:
    """The forecast for `month`: the mean won amount of the WINDOW months before it."""
    total = sum((won.get(month_start(month, -n), money.ZERO) for n in range(1, WINDOW + 1)),
                money.ZERO)
    return money.quantize(total / WINDOW, currency)


def forecast(*, actor: Actor, today: datetime.date | None = None,
             pipeline_id: int | None = None, owner_id: int | None = None) -> Forecast:
    currency = actor.organization.default_currency
    today = today or timezone.localdate()
    this_month = month_start(today)
    end = month_last(month_start(this_month, AHEAD - 1))
    common = {"pipeline": pipeline_id, "owner": owner_id, "currency": currency,
              "status": "open"}
    open_deals = sales_selectors.opportunity_list(
        actor=actor, status=Opportunity.Status.OPEN, currency=currency,
        pipeline_id=pipeline_id, owner_id=owner_id).select_related(None).order_by()
    by_month = {_date(row["month"]): row for row in open_deals.filter(
        expected_close_on__gte=this_month, expected_close_on__lte=end)
        .annotate(month=TruncMonth("expected_close_on")).values("month")
        .annotate(n=Count("id"), a=Sum("amount"), w=Sum("weighted_amount"))}
    overdue = open_deals.filter(expected_close_on__lt=this_month).aggregate(
        n=Count("id"), w=Sum("weighted_amount"))

    history_first = month_start(this_month, -(BACKTEST + WINDOW))
    won = won_by_month(actor=actor, first=history_first,
                       last=this_month - datetime.timedelta(days=1),
                       pipeline_id=pipeline_id, owner_id=owner_id)
    ahead = trailing_average(won, this_month, currency)
    months = []
    for n in range(AHEAD):
        first = month_start(this_month, n)
        row = by_month.get(first, {"n": 0, "a": None, "w": None})
        months.append(PipelineMonth(
            month=first, count=row["n"], amount=amount(row["a"], currency),
            weighted=amount(row["w"], currency), forecast=ahead,
            url=drill.opportunities(**common, close_from=first, close_to=month_last(first))))

    backtest = []
    for n in range(BACKTEST, 0, -1):
        first = month_start(this_month, -n)
        predicted = trailing_average(won, first, currency)
        actual = won.get(first, money.ZERO)
        error = predicted - actual
        backtest.append(BacktestMonth(
            month=first, forecast=predicted, actual=actual, error=error, abs_error=abs(error),
            percent_error=percent(abs(error), actual) if actual else None,
            actual_url=drill.opportunities(pipeline=pipeline_id, owner=owner_id,
                                           currency=currency, status="won",
                                           closed_from=first, closed_to=month_last(first))))
    percents = [b.percent_error for b in backtest if b.percent_error is not None]
    return Forecast(
        currency=currency, this_month=this_month, method_window=WINDOW,
        overdue_count=overdue["n"], overdue_weighted=amount(overdue["w"], currency),
        overdue_url=drill.opportunities(**common,
                                        close_to=this_month - datetime.timedelta(days=1)),
        months=months, backtest=backtest,
        mean_abs_error=money.quantize(sum(b.abs_error for b in backtest) / len(backtest),
                                      currency) if backtest else None,
        mean_percent_error=(sum(percents) / len(percents)).quantize(Decimal("0.1"))
        if percents else None)

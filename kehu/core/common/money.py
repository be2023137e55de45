"""Money in Kehu: a Decimal amount plus an ISO 4217 currency code, never a float.

The one rounding rule every module follows (opportunity lines, quotes, orders, payments):

- Unit prices are tax-exclusive. A line's amounts are computed, in this order, as
  subtotal = quantity × unit price; discount = subtotal × discount% ; net = subtotal − discount;
  tax = net × tax rate; total = net + tax.
- Each of discount, net and tax is rounded half-up (四舍五入) to the currency's minor unit
  *per line*; a document's totals are the sums of its rounded lines, so the printed lines
  always add up to the printed total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2
RATE_PLACES = 4
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY – Chinese yuan")
    USD = "USD", _("USD – US dollar")
    EUR = "EUR", _("EUR – Euro")
    HKD = "HKD", _("HKD – Hong Kong dollar")
    JPY = "JPY", _("JPY – Japanese yen")
    GBP = "GBP", _("GBP – Pound sterling")
    SGD = "SGD", _("SGD – Singapore dollar")


# ISO 4217 minor units; the ones not listed have two.
_MINOR_UNITS = {"JPY": 0}
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "JP¥", "GBP": "£",
           "SGD": "S$"}


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=AMOUNT_DIGITS,
                               decimal_places=AMOUNT_PLACES, **kwargs)


def currency_field(**kwargs) -> models.CharField:
    kwargs.setdefault("default", Currency.CNY)
    return models.CharField(_("currency"), max_length=3, choices=Currency.choices, **kwargs)


def quantize(amount: Decimal, currency: str = "CNY") -> Decimal:
    """Round half-up to the currency's minor unit (0.01 for CNY, 1 for JPY)."""
    places = _MINOR_UNITS.get(currency, AMOUNT_PLACES)
    try:
        return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context's precision
        raise ValidationError(_("This amount is too large.")) from exc


def to_decimal(value: object) -> Decimal:
    """Parse user or file input into a Decimal; floats are refused so no binary error sneaks in."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal = ZERO,
                 tax_rate: Decimal = ZERO, currency: str = "CNY") -> LineAmounts:
    """The amounts of one line. `discount_percent` is 0–100, `tax_rate` a percentage (13 = 13%)."""
    subtotal = quantize(quantity * unit_price, currency)
    discount = quantize(subtotal * discount_percent / HUNDRED, currency)
    net = subtotal - discount
    tax = quantize(net * tax_rate / HUNDRED, currency)
    return LineAmounts(subtotal=subtotal, discount=discount, net=net, tax=tax, total=net + tax)


def document_totals(lines: Iterable[LineAmounts]) -> LineAmounts:
    """A quote's or order's totals: the sums of its rounded lines."""
    subtotal = discount = net = tax = ZERO
    for line in lines:
        subtotal += line.subtotal
        discount += line.discount
        net += line.net
        tax += line.tax
    return LineAmounts(subtotal=subtotal, discount=discount, net=net, tax=tax, total=net + tax)


def format_money(amount: Decimal | None, currency: str = "CNY") -> str:
    if amount is None:
        return ""
    places = _MINOR_UNITS.get(currency, AMOUNT_PLACES)
    return f"{SYMBOLS.get(currency, currency + ' ')}{amount:,.{places}f}"

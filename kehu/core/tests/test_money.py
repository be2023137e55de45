"""The one rounding rule for lines and totals (docs/architecture.md, "Money")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.common import money

D = Decimal


def test_line_amounts_round_half_up_per_line():
    line = money.line_amounts(quantity=D(3), unit_price=D("99.99"), discount_percent=D(10),
                              tax_rate=D(13))
    # 299.97 − 29.997→30.00 = 269.97; tax 35.0961→35.10; total 305.07
    assert (line.subtotal, line.discount, line.net, line.tax, line.total) == (
        D("299.97"), D("30.00"), D("269.97"), D("35.10"), D("305.07"))


def test_half_a_cent_rounds_up_not_to_even():
    assert money.quantize(D("0.125")) == D("0.13")
    assert money.quantize(D("0.135")) == D("0.14")


def test_yen_has_no_minor_unit():
    line = money.line_amounts(quantity=D(1), unit_price=D(1000), tax_rate=D("8.5"),
                              currency="JPY")
    assert line.tax == D(85) and line.total == D(1085)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        money.to_decimal(0.1)
    assert money.to_decimal("1,234.50") == D("1234.50")
    with pytest.raises(ValueError, match="not an amount"):
        money.to_decimal("abc")


def test_format_money_uses_the_currency_symbol():
    assert money.format_money(D("1234.5"), "CNY") == "¥1,234.50"
    assert money.format_money(D(1234), "JPY") == "JP¥1,234"


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
rates = st.decimals(min_value=0, max_value=100, places=2)


@given(lines=st.lists(st.tuples(st.integers(1, 1000), amounts, rates, rates), max_size=8))
def test_printed_lines_always_add_up_to_the_printed_total(lines):
    computed = [money.line_amounts(quantity=D(q), unit_price=p, discount_percent=d, tax_rate=t)
                for q, p, d, t in lines]
    totals = money.document_totals(computed)
    assert totals.total == sum((line.total for line in computed), money.ZERO)
    assert totals.net + totals.tax == totals.total
    assert all(line.total == money.quantize(line.total) for line in computed)

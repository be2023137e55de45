"""`{% load money_tags %}`: amounts, rates and quantities as every Kehu page prints them."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kehu.core.common import money as money_rules

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "CNY") -> str:
    """{{ order.amount|money:order.currency }} → ¥12,000.00 (the currency's symbol and minor
    unit; empty for None)."""
    return money_rules.format_money(amount, currency or "CNY")


def plain_number(value: Decimal | int | None) -> str:
    """13.0000 → "13", 2.5000 → "2.5", without exponent notation."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{plain_number(value)}%"


@register.filter
def number(value: Decimal | None) -> str:
    return plain_number(value)

"""A result as the pages show it: table rows, each linking to the records it counts, and the
chart data."""

from __future__ import annotations

from typing import Any

from django.utils.http import urlencode

from kehu.reports.engine import Result


def rows_url(base: str, keys: tuple[str, ...], extra: dict[str, str] | None = None) -> str:
    params = [*(extra or {}).items(), *(("g", k) for k in keys)]
    return f"{base}?{urlencode(params)}" if params else base


def result_context(result: Result, rows_base: str,
                   extra: dict[str, str] | None = None) -> dict[str, Any]:
    table = [{"row": row, "url": rows_url(rows_base, row.keys, extra),
              "cells": [(value, row.currencies[i], m.is_money)
                        for i, (value, m) in enumerate(zip(row.values, result.measures,
                                                           strict=True))]}
             for row in result.rows]
    return {"result": result, "table": table, "chart": result.chart()}

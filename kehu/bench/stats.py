"""Percentiles and the summary of one measured run. Standard library only: the load generator
imports this and must start fast and stay light."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) by the nearest-rank method; None when there are no values.
    Nearest rank never invents a latency nobody saw, and p99 of 50 samples is the maximum."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(latencies_s: Sequence[float], *, elapsed_s: float,
              statuses: dict[int, int], failures: int, nbytes: int) -> dict[str, Any]:
    """Latencies in milliseconds, throughput in requests per second."""
    ordered = sorted(latencies_s)
    count = len(ordered)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    return {
        "requests": count,
        "ok": ok,
        "non_2xx": count - ok,
        "failures": failures,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed_s, 3),
        "rps": round(count / elapsed_s, 1) if elapsed_s > 0 else None,
        "p50_ms": ms(percentile(ordered, 50)),
        "p95_ms": ms(percentile(ordered, 95)),
        "p99_ms": ms(percentile(ordered, 99)),
        "mean_ms": ms(sum(ordered) / count) if count else None,
        "min_ms": ms(ordered[0]) if ordered else None,
        "max_ms": ms(ordered[-1]) if ordered else None,
        "mean_bytes": round(nbytes / count) if count else None,
    }

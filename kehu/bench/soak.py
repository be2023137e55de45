"""`kehu bench --soak MINUTES`: a bounded mixed read/write load on 127.0.0.1 for a set time,
in windows, reporting the errors (there must be none), how p99 latency drifts from the start
to the end and how much the server's memory grows.

The mix is every measured scenario's requests interleaved (lists, searches, 360° pages, the
kanban, API and HTML) plus writes: stage moves back and forth and new follow-up tasks on
customers. Each window is one run of the load process; the server's memory is read after
every window.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import zip_longest
from typing import Any

from kehu.bench.scenarios import Scenario
from kehu.bench.server import Server

Load = Callable[[dict[str, Any], float, str], dict[str, Any]]
SOAK_TITLE = "soak"  # the title of the tasks the soak writes, to tell them apart


def mix(scenarios: list[Scenario], *, due_on: str) -> tuple[list[str], list[str]]:
    """The requests of every available scenario interleaved, and for each the header set
    ("api" or "html") it is sent with; plus a follow-up task on each sampled customer."""
    columns = [[(path, s.surface) for path in s.paths] for s in scenarios
               if s.available and s.paths]
    details = next((s for s in scenarios if s.name == "api_detail" and s.available), None)
    if details:
        columns.append([("POST /api/v1/tasks " + json.dumps(
            {"title": SOAK_TITLE, "due_on": due_on,
             "customer_id": int(path.rstrip("/").rsplit("/", 1)[1])}), "api")
            for path in details.paths])
    pairs = [pair for row in zip_longest(*columns) for pair in row if pair]
    return [p for p, _ in pairs], [h for _, h in pairs]


def run(*, server: Server, scenarios: list[Scenario], api_headers: dict[str, str],
        html_headers: dict[str, str], minutes: float, window_s: float, concurrency: int,
        load: Load, log: Callable[[str], None]) -> dict[str, Any]:
    paths, path_headers = mix(scenarios, due_on=datetime.now(UTC).date().isoformat())
    if not paths:
        return {"error": "no scenario is available to soak"}
    windows = max(2, round(minutes * 60 / window_s))
    plan = {"port": server.port, "paths": paths, "path_headers": path_headers,
            "header_sets": {"api": api_headers, "html": html_headers},
            "levels": [concurrency], "max_requests": 10 ** 9, "max_seconds": window_s,
            "warmup": 0}
    results = []
    for number in range(1, windows + 1):
        level = load(plan, window_s, f"soak window {number}")["levels"][0]
        rss_mib = round(server.sampler.sample() / 1024, 1) if server.sampler else None
        results.append({"window": number, "rss_mib": rss_mib,
                        **{k: level[k] for k in ("requests", "p50_ms", "p95_ms", "p99_ms",
                                                 "rps", "non_2xx", "failures")},
                        "failure_samples": level.get("failure_samples", [])})
        log(f"  soak {number}/{windows}: {level['requests']} requests, p99 {level['p99_ms']} "
            f"ms, {level['non_2xx'] + level['failures']} errors, server RSS {rss_mib} MiB")
    return summary(results, minutes=minutes, window_s=window_s, concurrency=concurrency,
                   requests_per_window=len(paths))


def summary(windows: list[dict[str, Any]], *, minutes: float, window_s: float,
            concurrency: int, requests_per_window: int) -> dict[str, Any]:
    """The first window warms caches and connections, so drift and growth are measured from
    the second window to the last."""
    base = windows[1] if len(windows) > 2 else windows[0]
    last = windows[-1]
    errors = sum(w["non_2xx"] + w["failures"] for w in windows)

    def change(before: float | None, after: float | None) -> float | None:
        return round((after - before) / before * 100, 1) if before and after is not None \
            else None

    return {
        "minutes": minutes, "window_s": window_s, "concurrency": concurrency,
        "mix_size": requests_per_window,
        "requests": sum(w["requests"] for w in windows), "errors": errors,
        "p99_first_ms": base["p99_ms"], "p99_last_ms": last["p99_ms"],
        "p99_drift_percent": change(base["p99_ms"], last["p99_ms"]),
        "rss_first_mib": base["rss_mib"], "rss_last_mib": last["rss_mib"],
        "rss_growth_mib": (round(last["rss_mib"] - base["rss_mib"], 1)
                           if base["rss_mib"] is not None and last["rss_mib"] is not None
                           else None),
        "windows": windows,
    }


def markdown(soak: dict[str, Any]) -> list[str]:
    if soak.get("error"):
        return [f"Soak: failed: {soak['error']}", ""]
    lines = [
        f"Soak: {soak['minutes']} min of mixed reads and writes at {soak['concurrency']} "
        f"clients ({soak['mix_size']} distinct requests, {soak['requests']:,} sent): "
        f"**{soak['errors']} errors**; p99 {soak['p99_first_ms']} → {soak['p99_last_ms']} ms "
        f"({_signed(soak['p99_drift_percent'], '%')}); server RSS {soak['rss_first_mib']} → "
        f"{soak['rss_last_mib']} MiB ({_signed(soak['rss_growth_mib'], ' MiB')}), measured "
        f"from the second window.",
        "",
        "| Window | Requests | p50 ms | p95 ms | p99 ms | req/s | errors | RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {w['window']} | {w['requests']} | {w['p50_ms']} | {w['p95_ms']} "
              f"| {w['p99_ms']} | {w['rps']} | {w['non_2xx'] + w['failures']} | {w['rss_mib']} |"
              for w in soak["windows"]]
    return [*lines, ""]


def _signed(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:+}{unit}"

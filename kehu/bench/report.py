"""The targets every module promised, the verdicts of a run, and the JSON and Markdown files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kehu.bench import soak

TARGET_SCALE = "1,000,000 customers / 500,000 opportunities on 2 cores"
# the concurrency at which a latency target is judged (single user); 8 and 32 are reported
JUDGED_AT = 1

# key, what was promised, limit, unit, scenario kind measured for it (None: not yet measurable)
TARGETS: list[dict[str, Any]] = [
    {"key": "search", "target": "Search p95 < 50 ms", "limit": 50, "unit": "ms",
     "kind": "search"},
    {"key": "list", "target": "List page (first or deep, with a filter) p95 < 50 ms",
     "limit": 50, "unit": "ms", "kind": "list"},
    {"key": "detail", "target": "360° page p95 < 100 ms", "limit": 100, "unit": "ms",
     "kind": "detail"},
    {"key": "import", "target": "Import of 1,000,000 CSV rows < 2 min", "limit": 120,
     "unit": "s", "kind": None},
    {"key": "kanban", "target": "Kanban p95 < 100 ms", "limit": 100, "unit": "ms",
     "kind": "kanban"},
    {"key": "stage_move", "target": "Stage move p95 < 50 ms", "limit": 50, "unit": "ms",
     "kind": "stage_move"},
    {"key": "assign", "target": "10,000 leads assigned < 10 s", "limit": 10, "unit": "s",
     "kind": None},
    {"key": "dashboard", "target": "Manager dashboard p95 < 500 ms", "limit": 500,
     "unit": "ms", "kind": "dashboard"},
    {"key": "report", "target": "Report grouped by owner and month p95 < 500 ms",
     "limit": 500, "unit": "ms", "kind": "report"},
]
NOT_YET = "not yet measurable"


def target_for(kind: str) -> float | None:
    return next((t["limit"] for t in TARGETS if t["kind"] == kind), None)


def _level(scenario: dict[str, Any], concurrency: int) -> dict[str, Any] | None:
    return next((lv for lv in scenario.get("levels", []) if lv["concurrency"] == concurrency),
                None)


IMPORT_TARGET_ROWS = 1_000_000


def verdicts(scenarios: list[dict[str, Any]], customers: int,
             assign: dict[str, Any] | None = None,
             imported: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each target: met / missed (with the worst scenario) / not yet measurable. Latency
    targets are judged on p95 at one client; the verdict at 8 clients is given beside it.
    `assign` and `imported` hold the figures of the lead assignment and import runs, timed
    apart from the HTTP load; the import target is judged on the CSV rate, projected to
    1,000,000 rows."""
    out = []
    for target in TARGETS:
        entry = {k: target[k] for k in ("key", "target", "limit", "unit")}
        if target["key"] == "import" and imported and "csv" in imported:
            projected = IMPORT_TARGET_ROWS / imported["csv"]["rows_per_s"]
            entry["status"] = "met" if projected < target["limit"] else "missed"
            entry["measured"] = (f"{projected:,.0f} s projected from "
                                 f"{imported['csv']['rows_per_s']:,} rows/s on "
                                 f"{imported['rows']:,} rows")
            out.append(entry)
            continue
        if target["key"] == "assign" and assign and assign.get("seconds") is not None:
            entry["status"] = "met" if assign["seconds"] < target["limit"] else "missed"
            entry["measured"] = (f"{assign['seconds']} s for {assign['assigned']:,} leads "
                                 f"({assign.get('leads_per_s')} leads/s)")
            out.append(entry)
            continue
        measured = [s for s in scenarios if s["kind"] == target["kind"] and s["available"]
                    and s.get("levels")] if target["kind"] else []
        if not measured:
            entry["status"] = NOT_YET
            out.append(entry)
            continue
        for concurrency, field in ((JUDGED_AT, "status"), (8, "status_at_8")):
            figures = [(lv["p95_ms"], s["name"]) for s in measured
                       if (lv := _level(s, concurrency)) and lv["p95_ms"] is not None]
            if not figures:
                entry[field] = NOT_YET
                continue
            worst, name = max(figures)
            entry[field] = "met" if worst < target["limit"] else "missed"
            entry[f"worst_p95_ms{'' if field == 'status' else '_at_8'}"] = worst
            entry[f"worst_scenario{'' if field == 'status' else '_at_8'}"] = name
        entry["at_customers"] = customers
        out.append(entry)
    return out


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def scenario_table(result: dict[str, Any]) -> list[str]:
    lines = ["| Scenario | Clients | Requests | p50 ms | p95 ms | p99 ms | req/s | non-2xx "
             "| Target p95 | Met |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for s in result["scenarios"]:
        target = s.get("target_ms")
        if not s["available"]:
            lines.append(f"| {s['name']} ({s['description']}) | – | – | – | – | – | – | – | "
                         f"{_fmt(target)} | {s['reason']} |")
            continue
        name = s["name"]
        if s.get("probe_items") and not any(s["probe_items"]):
            name += " (found nothing!)"
        for lv in s.get("levels", []):
            met = "" if target is None or lv["p95_ms"] is None else (
                "yes" if lv["p95_ms"] < target else "no")
            lines.append(
                f"| {name} | {lv['concurrency']} | {lv['requests']} | {_fmt(lv['p50_ms'])} "
                f"| {_fmt(lv['p95_ms'])} | {_fmt(lv['p99_ms'])} | {_fmt(lv['rps'])} "
                f"| {lv['non_2xx'] + lv['failures']} | {_fmt(target)} | {met} |")
    return lines


def targets_table(result: dict[str, Any]) -> list[str]:
    lines = [f"| Target (at {TARGET_SCALE}) | Status at 1 client | Worst p95 | At 8 clients |",
             "|---|---|---|---|"]
    for v in result["targets"]:
        worst = (f"{_fmt(v['worst_p95_ms'])} ms ({v['worst_scenario']})"
                 if "worst_p95_ms" in v else v.get("measured", "–"))
        at8 = v.get("status_at_8", "–")
        if "worst_p95_ms_at_8" in v:
            at8 += f" ({_fmt(v['worst_p95_ms_at_8'])} ms)"
        lines.append(f"| {v['target']} | {v['status']} | {worst} | {at8} |")
    return lines


def _assign_line(assign: dict[str, Any] | None) -> str:
    if not assign:
        return "not measured"
    if assign.get("error"):
        return f"failed: {assign['error']}"
    return (f"{assign['assigned']:,} of {assign['leads']:,} new leads assigned by a round-robin "
            f"rule in {assign['seconds']} s (`kehu leads_assign_benchmark`, after the HTTP load)")


def _import_line(imported: dict[str, Any] | None) -> str:
    if not imported:
        return "not measured"
    if imported.get("error"):
        return f"failed: {imported['error']}"
    raw = imported["raw"]["rows_per_s"]
    parts = [f"{fmt.upper()} {imported[fmt]['rows_per_s']:,} rows/s "
             f"({imported[fmt]['ratio_to_raw']}× the raw load's time; "
             f"{imported[fmt]['created']:,} created, {imported[fmt]['skipped']:,} duplicates "
             f"skipped, {imported[fmt]['rejected']:,} rejected)"
             for fmt in ("csv", "xlsx") if fmt in imported]
    return (f"{imported['rows']:,} generated rows through the real import path "
            f"(`kehu import_benchmark`, after the HTTP load): " + "; ".join(parts)
            + f"; raw load of the same rows into a bare table {raw:,} rows/s")


def markdown(result: dict[str, Any], *, with_targets: bool = True) -> str:
    m, db, data = result["machine"], result["database"], result["dataset"]
    mem = result["server"]["memory"]
    errors = result["errors"]
    rows = ", ".join(f"{_fmt(n)} {k.replace('_', '-')}" for k, n in data["rows"].items())
    lines = [
        f"## {db['vendor']} {db.get('version', '')}, {result['size']} "
        f"({_fmt(data['customers'])} customers)",
        "",
        f"- Run: {result['started_at']}, {result['duration_s']:.0f} s end to end; commit "
        f"`{(result['git']['commit'] or 'unknown')[:12]}`"
        f"{' (with uncommitted changes)' if result['git']['dirty'] else ''}",
        f"- Machine: {m['cpus']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}; load average before the run "
        f"{' / '.join(str(x) for x in m.get('load_average_1_5_15', []))}",
        f"- Data: {rows}; generated by `kehu demo` in {_fmt(data.get('generate_s'))} s "
        f"({_fmt(data.get('generate_rows_per_s'))} rows/s"
        f"{', reused' if data.get('reused') else ''})",
        f"- Import: {_import_line(result.get('import'))}",
        f"- Lead assignment: {_assign_line(result.get('assign'))}",
        f"- Server: `kehu serve` ({result['server']['workers']}), peak RSS of all its processes "
        f"{_fmt(mem.get('peak_rss_mib'))} MiB (idle {_fmt(mem.get('idle_rss_mib'))} MiB; "
        f"anonymous memory {_fmt(mem.get('peak_anon_mib'))} MiB, the rest being file pages "
        f"mapped in: code and, on SQLite, the database)",
        f"- Errors: {errors['non_2xx']} non-2xx answers, {errors['failures']} failed requests, "
        f"{errors['server_5xx']} 5xx in the access log, {errors['server_error_lines']} error "
        f"lines in the server log",
        f"- Load: up to {result['load']['max_requests']} requests or "
        f"{result['load']['max_seconds']} s per scenario and concurrency, after "
        f"{result['load']['warmup']} warm-up requests",
        "",
        *([*targets_table(result), ""] if with_targets and not result.get("soak") else []),
        *(soak.markdown(result["soak"]) if result.get("soak") else scenario_table(result)),
        "",
    ]
    return "\n".join(lines)


def _run_label(result: dict[str, Any]) -> str:
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        result["database"]["vendor"], result["database"]["vendor"])
    return f"{vendor}, {result['size']} ({result['dataset']['customers']:,})"


def combined(results: list[dict[str, Any]]) -> str:
    """Several runs side by side (the targets), then each run in full: what
    docs/benchmarks.md keeps. `kehu bench --summarize A.json B.json` prints it."""
    labels = [_run_label(r) for r in results]
    lines = ["| Target | " + " | ".join(labels) + " |",
             "|---" * (len(labels) + 1) + "|"]
    for target in TARGETS:
        cells = []
        for r in results:
            v = next(t for t in r["targets"] if t["key"] == target["key"])
            cell = v["status"]
            if "worst_p95_ms" in v:
                cell += f": p95 {_fmt(v['worst_p95_ms'])} ms ({v['worst_scenario']})"
            cells.append(cell)
        lines.append(f"| {target['target']} | " + " | ".join(cells) + " |")
    lines.append("")
    for r in results:
        lines.append("#" + markdown(r, with_targets=False))
    return "\n".join(lines)

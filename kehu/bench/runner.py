"""One benchmark run, end to end: fresh dataset, `kehu serve`, load per scenario from a
separate process, memory of the server, then one JSON and one Markdown file.

Every step has a time limit and the whole run has a budget; scenarios that no longer fit in
the budget are reported as skipped, never left running.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kehu.bench import dataset as ds
from kehu.bench import machine, report, scenarios, soak
from kehu.bench.load import request_timeout
from kehu.bench.server import LOOPBACK, Server, free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Size:
    name: str
    customers: int
    max_requests: int      # per scenario and concurrency level
    max_seconds: float     # per scenario and concurrency level
    levels: tuple[int, ...]
    warmup: int
    budget_s: float        # the whole run, dataset included
    import_rows: int = 20_000


SIZES = {
    # for the tests of the benchmark itself
    "tiny": Size("tiny", 200, 12, 3, (1, 4), 2, 480, import_rows=300),
    "quick": Size("quick", 100_000, 300, 6, (1, 8, 32), 5, 600),
    "full": Size("full", 1_000_000, 2000, 30, (1, 8, 32), 20, 4 * 3600, import_rows=200_000),
}


def load_process(plan: dict[str, Any], max_seconds: float, label: str, *, levels: int,
                 log: Path) -> dict[str, Any]:
    """Run `python -m kehu.bench.load` on a plan, bounded in time; its figures."""
    plan = {"host": LOOPBACK, **plan}
    limit = (levels + 1) * (max_seconds + request_timeout(max_seconds) + 2) + 30
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kehu.bench.load"], input=json.dumps(plan), text=True,
            capture_output=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ds.BenchError(f"the load generator overran {limit:.0f} s on {label}") from exc
    if done.returncode != 0:
        with log.open("a") as out:
            out.write(done.stderr)
        raise ds.BenchError(f"the load generator failed on {label}: "
                            f"{done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def _load(port: int, headers: dict[str, str], scenario: scenarios.Scenario, size: Size,
          log: Path) -> dict[str, Any]:
    plan = {"port": port, "headers": headers, "paths": scenario.paths,
            "levels": list(size.levels), "max_requests": size.max_requests,
            "max_seconds": size.max_seconds, "warmup": size.warmup}
    return load_process(plan, size.max_seconds, scenario.name, levels=len(size.levels), log=log)


def _scenario_seconds(size: Size) -> float:
    return len(size.levels) * (size.max_seconds + 1) + 3


def run(*, size: str = "quick", database: str | None = None, out: str | Path | None = None,
        seed: int = 42, customers: int | None = None, port: int | None = None,
        reuse: bool = False, only: list[str] | None = None, soak_minutes: float | None = None,
        log: Callable[[str], None] = print) -> tuple[dict[str, Any], Path, Path]:
    """Run the benchmark; returns the result and the paths of its JSON and Markdown files."""
    spec = SIZES[size]
    if customers:
        spec = dataclasses.replace(spec, customers=customers)
    started_at = datetime.now(UTC)
    machine_info = machine.machine_info()  # the load average before the run adds its own
    started = time.monotonic()
    deadline = started + spec.budget_s
    out_dir = Path(out) if out else PROJECT_DIR / "var" / "bench"
    vendor = "sqlite" if not database or database.startswith("sqlite") else "postgresql"
    work = out_dir / f"work-{vendor}"
    work.mkdir(parents=True, exist_ok=True)
    steps_log = work / "steps.log"
    steps_log.write_text("")

    log(f"Benchmark {spec.name}: {spec.customers:,} customers on {vendor}")
    data = ds.prepare(database=database, out_dir=work, customers=spec.customers, seed=seed,
                      reuse=reuse, log=steps_log,
                      generate_timeout=max(120.0, 120 + spec.customers / 1000 * 1.5))
    log(f"  dataset: {data.rows} " + ("(reused)" if data.reused else
                                      f"in {data.timings.get('generate_s', 0):.1f} s"))
    token = ds.api_token(data, log=steps_log)

    server = Server(env=data.env, port=free_port(port), log_path=work / "server.log")
    server.log_path.write_text("")
    server.start()
    log(f"  kehu serve on {LOOPBACK}:{server.port}, idle RSS {server.idle_rss_mib} MiB")
    try:
        from kehu.demo.people import DEMO_PASSWORD

        try:
            cookie = scenarios.login_cookie(server.port, ds.ADMIN_EMAIL, DEMO_PASSWORD)
        except ds.BenchError as exc:
            log(f"  HTML pages not measured: {exc}")
            cookie = None
        items, api_headers, html_headers = scenarios.build(
            port=server.port, token=token, cookie=cookie, customers=spec.customers, seed=seed)
        for scenario in items:
            headers = api_headers if scenario.surface == "api" else html_headers
            if only and scenario.name not in only:
                scenario.available, scenario.reason = False, "not selected"
                continue
            if not soak_minutes and time.monotonic() + _scenario_seconds(spec) > deadline:
                scenario.available, scenario.reason = False, "skipped: time budget"
                continue
            scenarios.probe(server.port, headers, scenario)
            if not scenario.available:
                log(f"  {scenario.name}: {scenario.reason}")
                continue
            if soak_minutes:
                continue
            scenario.result = _load(server.port, headers, scenario, spec, steps_log)
            log(f"  {scenario.name}: " + ", ".join(
                f"c={lv['concurrency']} p95 {lv['p95_ms']} ms {lv['rps']} req/s"
                + (f" ({lv['non_2xx'] + lv['failures']} errors)"
                   if lv['non_2xx'] + lv['failures'] else "")
                for lv in scenario.result["levels"]))
        soaked = _soak(server, items, api_headers, html_headers, soak_minutes, steps_log,
                       log) if soak_minutes else None
    finally:
        code = server.stop()
    skip = soak_minutes or only
    assign = None if skip and "assign" not in (only or []) else _assign(data, steps_log, log)
    imported = (None if skip and "import" not in (only or [])
                else _import(data, spec.import_rows, steps_log, log))
    server_errors = server.log_errors()
    memory = server.memory()

    scenario_dicts = []
    for s in items:
        entry = {"name": s.name, "surface": s.surface, "kind": s.kind,
                 "description": s.description, "target_ms": report.target_for(s.kind),
                 "available": s.available, "reason": s.reason, "probe_status": s.probe_status,
                 "probe_items": s.probe_items,
                 "paths": len(s.paths), "example_path": s.paths[0] if s.paths else None,
                 "levels": s.result.get("levels", [])}
        scenario_dicts.append(entry)
    levels = [lv for s in scenario_dicts for lv in s["levels"]]
    probe_errors = sum(1 for s in items if s.probe_status and s.probe_status >= 500)
    result: dict[str, Any] = {
        "schema": 1,
        "size": spec.name,
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "machine": machine_info,
        "git": machine.git_info(),
        "database": machine.database_info(data.url),
        "dataset": data.summary(),
        "import": imported,
        "server": {"command": "kehu serve --host 127.0.0.1 --port P",
                   "workers": _workers(data.env), "exit_code": code, "memory": memory},
        "load": {"levels": list(spec.levels), "max_requests": spec.max_requests,
                 "max_seconds": spec.max_seconds, "warmup": spec.warmup,
                 "client": "python -m kehu.bench.load (threads, http.client keep-alive)"},
        "errors": {"non_2xx": sum(lv["non_2xx"] for lv in levels),
                   "failures": sum(lv["failures"] for lv in levels),
                   "probe_5xx": probe_errors,
                   "server_5xx": server_errors["status_5xx"],
                   "server_error_lines": server_errors["error_lines"],
                   "server_error_samples": server_errors["error_samples"],
                   "requests_logged": server_errors["requests_logged"]},
        "scenarios": scenario_dicts,
    }
    if data.vendor == "sqlite":
        result["database"].pop("name", None)  # a path on this machine
    result["assign"] = assign
    result["soak"] = soaked
    result["targets"] = report.verdicts(scenario_dicts, spec.customers, assign, imported)
    stamp = started_at.strftime("%Y%m%d-%H%M%S")
    kind = f"{spec.name}-soak" if soak_minutes else spec.name
    json_path = out_dir / f"bench-{stamp}-{vendor}-{kind}.json"
    md_path = json_path.with_suffix(".md")
    report.write_json(result, json_path)
    md_path.write_text(report.markdown(result))
    log(f"Done in {result['duration_s']:.0f} s: {json_path} and {md_path.name}")
    return result, json_path, md_path


ASSIGN_LEADS = 10_000


def _assign(data: ds.Dataset, steps_log: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Time the lead assignment engine on 10,000 new leads in the benchmark database (it adds
    them, and a rule, to the demo organization: benchmark databases only)."""
    try:
        out = ds.run_step(ds.kehu_command("leads_assign_benchmark", "--leads",
                                          str(ASSIGN_LEADS), "--org", ds.DEMO_SLUG),
                          env=data.env, timeout=300, log=steps_log)
        figures = json.loads(out.strip().splitlines()[-1])
    except (ds.BenchError, ValueError, IndexError) as exc:
        log(f"  lead assignment: {exc}")
        return {"error": str(exc)}
    log(f"  lead assignment: {figures['assigned']:,} leads in {figures['seconds']} s")
    return figures


def _import(data: ds.Dataset, rows: int, steps_log: Path,
            log: Callable[[str], None]) -> dict[str, Any]:
    """Time the real customer import (CSV and XLSX, each into a new organization) against the
    raw load of the same rows into a bare table, after the HTTP load (benchmark databases
    only: it adds two organizations)."""
    try:
        out = ds.run_step(ds.kehu_command("import_benchmark", "--rows", str(rows)),
                          env=data.env, timeout=120 + rows / 50, log=steps_log)
        figures = json.loads(out.strip().splitlines()[-1])
    except (ds.BenchError, ValueError, IndexError) as exc:
        log(f"  import: {exc}")
        return {"error": str(exc)}
    log(f"  import: {rows:,} rows, CSV {figures['csv']['rows_per_s']:,} rows/s, XLSX "
        f"{figures['xlsx']['rows_per_s']:,} rows/s, raw load {figures['raw']['rows_per_s']:,} "
        f"rows/s")
    return figures


SOAK_CLIENTS = 8


def _soak(server: Server, items: list[scenarios.Scenario], api_headers: dict[str, str],
          html_headers: dict[str, str], minutes: float, steps_log: Path,
          log: Callable[[str], None]) -> dict[str, Any]:
    window_s = min(30.0, max(2.0, minutes * 60 / 10))
    log(f"  soak: {minutes} min in windows of {window_s:.0f} s at {SOAK_CLIENTS} clients")

    def load(plan: dict[str, Any], max_seconds: float, label: str) -> dict[str, Any]:
        return load_process(plan, max_seconds, label, levels=1, log=steps_log)

    return soak.run(server=server, scenarios=items, api_headers=api_headers,
                    html_headers=html_headers, minutes=minutes, window_s=window_s,
                    concurrency=SOAK_CLIENTS, load=load, log=log)


def _workers(env: dict[str, str]) -> str:
    return (f"{env.get('KEHU_WORKERS', '2')} gunicorn workers × "
            f"{env.get('KEHU_THREADS', '4')} threads, plus the job consumer")

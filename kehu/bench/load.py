"""The load generator: a separate process that drives one scenario against a Kehu server on
127.0.0.1 and prints its figures as JSON.

    python -m kehu.bench.load < plan.json > result.json

The plan: {"host", "port", "headers", "paths", "levels": [1, 8, 32], "max_requests",
"max_seconds", "warmup"}; optionally "path_headers", parallel to "paths", naming for each path
an entry of "header_sets" sent instead of "headers" (a mixed API and HTML load).

For each concurrency level it opens that many keep-alive connections (one thread each,
`http.client`), sends requests round-robin over `paths` (a path is a GET, or
"POST <path> <json body>" for a write) until `max_requests` were sent or `max_seconds`
passed, and records each request's latency (first byte sent to last byte read) and status.
It only ever connects to 127.0.0.1 and always stops by itself.
Standard library only, so it starts in milliseconds and adds no dependency.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from typing import Any

from kehu.bench.stats import summarize

LOOPBACK = "127.0.0.1"


class _Shared:
    def __init__(self, paths: list[str], max_requests: int, deadline: float,
                 headers: list[dict[str, str]]):
        self.paths = paths
        self.headers = headers  # one entry per path
        self.max_requests = max_requests
        self.deadline = deadline
        self.issued = 0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures = 0
        self.nbytes = 0
        self.failure_samples: list[str] = []

    def next_path(self) -> tuple[str, dict[str, str]] | None:
        with self.lock:
            if self.issued >= self.max_requests or time.monotonic() >= self.deadline:
                return None
            index = self.issued % len(self.paths)
            self.issued += 1
            return self.paths[index], self.headers[index]

    def record(self, latency: float, status: int, body: bytes, path: str) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.nbytes += len(body)
            if not 200 <= status < 300 and len(self.failure_samples) < 5:
                answer = body[:200].decode("utf-8", "replace")
                self.failure_samples.append(f"{status} {path}: {answer}")

    def fail(self, path: str, exc: Exception) -> None:
        with self.lock:
            self.failures += 1
            if len(self.failure_samples) < 5:
                self.failure_samples.append(f"{type(exc).__name__}: {exc} ({path})")


def request(conn: http.client.HTTPConnection, path: str,
            headers: dict[str, str]) -> tuple[int, bytes]:
    if path.startswith("POST "):
        _method, target, body = path.split(" ", 2)
        conn.request("POST", target, body=body.encode(),
                     headers={**headers, "Content-Type": "application/json"})
    else:
        conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _client(port: int, shared: _Shared, timeout: float) -> None:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        while (item := shared.next_path()) is not None:
            path, headers = item
            started = time.perf_counter()
            try:
                status, body = request(conn, path, headers)
            except (OSError, http.client.HTTPException) as exc:
                shared.fail(path, exc)
                conn.close()
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
                continue
            shared.record(time.perf_counter() - started, status, body, path)
    finally:
        conn.close()


def request_timeout(max_seconds: float) -> float:
    """How long one request may take: slow answers are measured, not dropped, up to this."""
    return max(30.0, 2 * max_seconds)


def run_level(*, port: int, headers: list[dict[str, str]], paths: list[str], concurrency: int,
              max_requests: int, max_seconds: float) -> dict[str, Any]:
    shared = _Shared(paths, max_requests, time.monotonic() + max_seconds, headers)
    timeout = request_timeout(max_seconds)
    threads = [threading.Thread(target=_client, args=(port, shared, timeout),
                                daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        # a request still in flight at the deadline may finish within `timeout`
        thread.join(max_seconds + timeout + 1)
    elapsed = time.perf_counter() - started
    result = summarize(shared.latencies, elapsed_s=elapsed, statuses=shared.statuses,
                       failures=shared.failures, nbytes=shared.nbytes)
    return {"concurrency": concurrency, **result, "failure_samples": shared.failure_samples}


def run_plan(plan: dict[str, Any]) -> dict[str, Any]:
    if plan.get("host", LOOPBACK) != LOOPBACK:
        raise SystemExit("the load generator only targets 127.0.0.1")
    port, paths = int(plan["port"]), plan["paths"]
    if "path_headers" in plan:
        headers = [dict(plan["header_sets"][name]) for name in plan["path_headers"]]
    else:
        headers = [dict(plan.get("headers", {}))] * len(paths)
    warmup = int(plan.get("warmup", 0))
    if warmup:  # fill caches and open the database connections; not recorded
        run_level(port=port, headers=headers, paths=paths, concurrency=1,
                  max_requests=warmup, max_seconds=min(10.0, plan["max_seconds"]))
    levels = [run_level(port=port, headers=headers, paths=paths, concurrency=int(c),
                        max_requests=int(plan["max_requests"]),
                        max_seconds=float(plan["max_seconds"]))
              for c in plan["levels"]]
    return {"levels": levels}


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump(run_plan(plan), sys.stdout)


if __name__ == "__main__":
    main()

"""The load generator and its statistics, against a throwaway HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kehu.bench import load
from kehu.bench.stats import percentile, summarize


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers

    def do_GET(self):
        status = 404 if self.path.startswith("/missing") else 200
        for surface in ("api", "html"):  # a path of one surface must carry its header set
            if self.path.startswith(f"/{surface}") and self.headers["X-Surface"] != surface:
                status = 400
        if self.path.startswith("/slow"):
            time.sleep(0.05)
        body = b"ok" * 10
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None


def test_summary_in_milliseconds_with_non_2xx_counted():
    summary = summarize([0.010, 0.020, 0.030], elapsed_s=0.5, statuses={200: 2, 500: 1},
                        failures=0, nbytes=300)
    assert summary["p50_ms"] == 20.0
    assert summary["p99_ms"] == 30.0
    assert summary["rps"] == 6.0
    assert summary["non_2xx"] == 1
    assert summary["mean_bytes"] == 100


def test_load_stops_after_max_requests(http_port):
    result = load.run_plan({"port": http_port, "paths": ["/a", "/b", "/missing"],
                            "levels": [1, 4], "max_requests": 30, "max_seconds": 10})
    one, four = result["levels"]
    assert one["requests"] == 30 and four["requests"] == 30
    assert one["statuses"] == {"200": 20, "404": 10}
    assert one["non_2xx"] == 10 and one["failures"] == 0
    assert one["p95_ms"] is not None and one["rps"] > 0


def test_load_stops_at_its_time_limit(http_port):
    started = time.monotonic()
    result = load.run_plan({"port": http_port, "paths": ["/slow"], "levels": [2],
                            "max_requests": 100_000, "max_seconds": 0.5})
    assert time.monotonic() - started < 3
    assert 0 < result["levels"][0]["requests"] < 100


def test_load_only_targets_the_loopback_address():
    with pytest.raises(SystemExit):
        load.run_plan({"host": "10.0.0.1", "port": 80, "paths": ["/"], "levels": [1],
                       "max_requests": 1, "max_seconds": 1})


def test_each_path_can_carry_its_own_header_set(http_port):
    result = load.run_plan({"port": http_port, "paths": ["/api/x", "/html/y", "/api/z"],
                            "path_headers": ["api", "html", "api"],
                            "header_sets": {"api": {"X-Surface": "api"},
                                            "html": {"X-Surface": "html"}},
                            "levels": [2], "max_requests": 30, "max_seconds": 10})
    assert result["levels"][0]["statuses"] == {"200": 30}

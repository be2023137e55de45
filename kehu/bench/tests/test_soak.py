"""The soak mode's mix and its summary: errors, p99 drift and memory growth from the second
window (the first warms caches and connections)."""

from __future__ import annotations

from kehu.bench import soak
from kehu.bench.scenarios import Scenario


def _window(number, p99, rss, errors=0):
    return {"window": number, "requests": 100, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": p99,
            "rps": 50.0, "non_2xx": errors, "failures": 0, "rss_mib": rss,
            "failure_samples": []}


def test_drift_and_growth_are_measured_from_the_second_window_to_the_last():
    windows = [_window(1, 400.0, 300.0), _window(2, 20.0, 350.0, errors=1),
               _window(3, 22.0, 352.0), _window(4, 25.0, 356.5, errors=2)]
    result = soak.summary(windows, minutes=2, window_s=30, concurrency=8,
                          requests_per_window=40)
    assert result["errors"] == 3 and result["requests"] == 400
    assert result["p99_first_ms"] == 20.0 and result["p99_last_ms"] == 25.0
    assert result["p99_drift_percent"] == 25.0
    assert result["rss_growth_mib"] == 6.5
    assert "**3 errors**" in "\n".join(soak.markdown(result))


def test_the_mix_interleaves_surfaces_and_adds_task_writes():
    detail = Scenario("api_detail", "api", "detail", "", ["/api/v1/customers/7",
                                                          "/api/v1/customers/9"])
    page = Scenario("html_list_first", "html", "list", "", ["/customers/"])
    gone = Scenario("html_kanban", "html", "kanban", "", ["/sales/board/"])
    gone.available = False
    paths, headers = soak.mix([detail, page, gone], due_on="2026-12-01")
    assert paths[:3] == ["/api/v1/customers/7", "/customers/",
                         'POST /api/v1/tasks {"title": "soak", "due_on": "2026-12-01", '
                         '"customer_id": 7}']
    assert headers[:3] == ["api", "html", "api"]
    assert "/sales/board/" not in paths and len(paths) == len(headers) == 5

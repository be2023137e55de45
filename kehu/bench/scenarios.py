"""What is measured: each scenario is a set of GET paths of one kind (a list page, a search, a
detail page) with the headers to send them with, on the API and on the HTML pages.

Query values come from the data itself, read through the API: two Chinese characters out of
real names, the last four digits of real phone numbers, real email addresses, ids and cursors
spread over the whole table (a deep page is one far from the newest rows). A scenario whose page
does not exist yet (404) is reported as unavailable rather than measured.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlencode

from kehu.bench.dataset import BenchError

LOOPBACK = "127.0.0.1"
CJK = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class Scenario:
    name: str
    surface: str          # "api" | "html"
    kind: str             # "list" | "search" | "detail" | "kanban" | "stage_move"
    description: str
    paths: list[str]
    available: bool = True
    reason: str = ""
    probe_status: int | None = None
    probe_items: list[int] = field(default_factory=list)  # API: items in the first answers
    result: dict[str, Any] = field(default_factory=dict)


class Client:
    """A tiny keep-alive HTTP client for setting up (not for measuring)."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.port = port
        self.headers = dict(headers or {})
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes, http.client.HTTPResponse]:
        return self._send("GET", path, None, {})

    def _send(self, method: str, path: str, body: bytes | None,
              extra: dict[str, str]) -> tuple[int, bytes, http.client.HTTPResponse]:
        try:
            self.conn.request(method, path, body=body, headers={**self.headers, **extra})
            response = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=120)
            self.conn.request(method, path, body=body, headers={**self.headers, **extra})
            response = self.conn.getresponse()
        return response.status, response.read(), response

    def get_json(self, path: str) -> Any:
        status, body, _ = self.get(path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        self.conn.close()


def login_cookie(port: int, email: str, password: str) -> str:
    """Sign in through /login/ like a browser (CSRF cookie and token) and return the Cookie
    header that carries the session."""
    client = Client(port)
    try:
        status, body, response = client.get("/login/")
        if status != 200:
            raise BenchError(f"GET /login/ answered {status}")
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if "csrftoken" not in jar or not match:
            raise BenchError("the login page has no CSRF token")
        form = urlencode({"username": email, "password": password,
                          "csrfmiddlewaretoken": match.group(1).decode()}).encode()
        status, body, response = client._send(
            "POST", "/login/", form,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": f"csrftoken={jar['csrftoken'].value}",
             "Referer": f"http://{LOOPBACK}:{port}/login/"})
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        if status != 302 or "sessionid" not in jar:
            raise BenchError(f"signing in as {email} failed (HTTP {status})")
        return f"sessionid={jar['sessionid'].value}; csrftoken={jar['csrftoken'].value}"
    finally:
        client.close()


def api_cursor(customer_id: int) -> str:
    """The API list's cursor for "after this customer" (its ordering is newest id first).
    Cursors are opaque to clients; the benchmark builds them to jump deep into the list
    without paging through it."""
    return base64.urlsafe_b64encode(json.dumps([customer_id]).encode()).decode()


def _html_cursor_format(page: bytes) -> int | None:
    """How many sort values the HTML list's own next-page cursor carries, if it has one."""
    match = re.search(rb"[?&;]cursor=([A-Za-z0-9_\-=%]+)", page)
    if not match:
        return None
    raw = match.group(1).decode().replace("%3D", "=").replace("%3d", "=")
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        return None
    return len(values) if isinstance(values, list) else None


@dataclass
class Sample:
    max_id: int
    deep_ids: list[int]
    customers: list[dict[str, Any]]
    owners: list[int]


def sample_data(api: Client, *, customers: int, rng: random.Random) -> Sample:
    first = api.get_json("/api/v1/customers?limit=200")["items"]
    if not first:
        raise BenchError("the API lists no customers")
    max_id = first[0]["id"]
    low = max(1, max_id - customers + 1)
    # deep points between 30% and 95% of the way down the list
    deep_ids = sorted({max_id - int((max_id - low) * f) for f in
                       (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)}, reverse=True)
    rows = list(first)
    for point in deep_ids[::2]:
        rows += api.get_json(f"/api/v1/customers?limit=200&cursor={api_cursor(point)}")["items"]
    rng.shuffle(rows)
    owners = sorted({r["owner_id"] for r in rows if r.get("owner_id")})
    return Sample(max_id=max_id, deep_ids=deep_ids, customers=rows, owners=owners)


def _two_chars(rows: list[dict[str, Any]], rng: random.Random, n: int) -> list[str]:
    found = []
    for row in rows:
        runs = CJK.findall(row.get("name", ""))
        if runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - 1)
            found.append(run[start:start + 2])
        if len(found) >= n:
            break
    return found


def build(*, port: int, token: str, cookie: str | None, customers: int,
          seed: int) -> tuple[list[Scenario], dict[str, str], dict[str, str]]:
    """The scenarios, and the API and HTML headers to send with them."""
    rng = random.Random(seed)  # noqa: S311 - reproducible choice of query values
    api_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    html_headers = {"Cookie": cookie or "", "Accept": "text/html"}
    api = Client(port, api_headers)
    try:
        sample = sample_data(api, customers=customers, rng=rng)
    finally:
        api.close()
    rows = sample.customers
    chars = _two_chars(rows, rng, 20) or ["公司"]
    phones = [r["phone"][-4:] for r in rows if len(r.get("phone") or "") >= 4][:20] or ["1234"]
    emails = [r["email"] for r in rows if r.get("email")][:20] or ["nobody@example.com"]
    ids = [r["id"] for r in rows][:50]
    cursors = [api_cursor(i) for i in sample.deep_ids]
    owners = sample.owners or [0]
    statuses = ["active", "potential", "dormant", "lost"]
    filters = [(rng.choice(statuses), owners[i % len(owners)]) for i in range(8)]

    def api_list(**params: Any) -> str:
        return "/api/v1/customers?" + urlencode({"limit": 50, **params})

    def html_list(**params: Any) -> str:
        return "/customers/" + ("?" + urlencode(params) if params else "")

    scenarios = [
        Scenario("api_list_first", "api", "list", "API list, first page (50)", [api_list()]),
        Scenario("api_list_deep", "api", "list", "API list, a page 30-95% deep",
                 [api_list(cursor=c) for c in cursors]),
        Scenario("api_list_filtered", "api", "list", "API list filtered by status and owner",
                 [api_list(status=s, owner_id=o) for s, o in filters]),
        Scenario("api_list_filtered_deep", "api", "list", "API list, filtered, deep page",
                 [api_list(status=s, owner_id=o, cursor=c)
                  for (s, o), c in zip(filters, cursors, strict=False)]),
        Scenario("api_search_cjk", "api", "search", "API search, two Chinese characters",
                 [api_list(q=q) for q in chars]),
        Scenario("api_search_phone4", "api", "search", "API search, last 4 phone digits",
                 [api_list(q=q) for q in phones]),
        Scenario("api_search_email", "api", "search", "API search, an email address",
                 [api_list(q=q) for q in emails]),
        Scenario("api_detail", "api", "detail", "API customer detail",
                 [f"/api/v1/customers/{i}" for i in ids]),
        Scenario("html_list_first", "html", "list", "List page, first page", [html_list()]),
        Scenario("html_list_deep", "html", "list", "List page, a page 30-95% deep", []),
        Scenario("html_list_filtered", "html", "list", "List page filtered by status and owner",
                 [html_list(status=s, owner=o) for s, o in filters]),
        Scenario("html_search_cjk", "html", "search", "List page search, two Chinese characters",
                 [html_list(q=q) for q in chars]),
        Scenario("html_search_phone4", "html", "search", "List page search, last 4 digits",
                 [html_list(q=q) for q in phones]),
        Scenario("html_search_email", "html", "search", "List page search, an email address",
                 [html_list(q=q) for q in emails]),
        Scenario("html_detail", "html", "detail", "Customer 360° page",
                 [f"/customers/{i}/" for i in ids]),
        *sales_scenarios(port=port, headers=api_headers, rng=rng),
        *analytics_scenarios(),
    ]
    if cookie is None:
        for s in scenarios:
            if s.surface == "html":
                s.available, s.reason = False, "could not sign in"
    else:
        _deep_html(port, html_headers, scenarios, rows, sample.deep_ids)
    return scenarios, api_headers, html_headers


def sales_scenarios(*, port: int, headers: dict[str, str],
                    rng: random.Random) -> list[Scenario]:
    """The kanban board of the default pipeline (column totals and the first cards of every
    column), and stage moves of open opportunities back and forth between two open stages."""
    api = Client(port, headers)
    try:
        status, body, _ = api.get("/api/v1/sales/pipelines")
        pipelines = json.loads(body) if status == 200 else []
        deals = (api.get_json("/api/v1/sales/opportunities?limit=200&status=open")["items"]
                 if pipelines else [])
    finally:
        api.close()
    board = [Scenario("api_kanban", "api", "kanban", "API kanban board of a pipeline",
                      ["/api/v1/sales/board"]),
             Scenario("html_kanban", "html", "kanban", "Kanban board page", ["/sales/board/"])]
    pipeline = next((p for p in pipelines if p.get("is_default")), None)
    open_stages = [s["id"] for s in (pipeline or {}).get("stages", []) if s["kind"] == "open"]
    mine = [d for d in deals if d.get("pipeline_id") == (pipeline or {}).get("id")]
    rng.shuffle(mine)
    moves = []
    for deal in mine[:50]:  # each deal goes to the next open stage and back
        there = open_stages[(open_stages.index(deal["stage_id"]) + 1) % len(open_stages)] \
            if deal["stage_id"] in open_stages else open_stages[0]
        for stage in (there, deal["stage_id"]):
            moves.append(f"POST /api/v1/sales/opportunities/{deal['id']}/move "
                         + json.dumps({"stage_id": stage}))
    move = Scenario("api_stage_move", "api", "stage_move",
                    "API stage move of an open opportunity (and back)", moves)
    if len(open_stages) < 2 or not moves:
        move.available, move.reason = False, "no open opportunities in two open stages"
    return [*board, move]


def analytics_scenarios() -> list[Scenario]:
    """The manager's home dashboard (its team figures are cached for a minute, so most
    requests read the cache) and the figures behind it computed afresh on every request: the
    funnel of each period and the forecast with its backtest; and a report over all
    opportunities grouped by owner and month."""
    fresh = [f"/api/v1/analytics/funnel?period={p}" for p in ("month", "quarter", "year")]
    return [
        Scenario("html_dashboard", "html", "dashboard", "Home dashboard of a manager (cached)",
                 ["/"]),
        Scenario("api_dashboard", "api", "dashboard", "API dashboard figures (cached)",
                 ["/api/v1/analytics/dashboard"]),
        Scenario("api_funnel", "api", "dashboard",
                 "API funnel, month/quarter/year (not cached)", fresh),
        Scenario("api_forecast", "api", "dashboard",
                 "API forecast with its backtest (not cached)", ["/api/v1/analytics/forecast"]),
        Scenario("api_report", "api", "report",
                 "API report: opportunities by owner and month, count and amount",
                 ["POST /api/v1/reports/run " + json.dumps(
                     {"object": "opportunities", "chart": "bar",
                      "group_by": [{"field": "owner"}, {"field": "created_at", "bucket": "month"}],
                      "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]})]),
    ]


def _deep_html(port: int, headers: dict[str, str], scenarios: list[Scenario],
               rows: list[dict[str, Any]], deep_ids: list[int]) -> None:
    """Deep pages of the HTML list, by a keyset cursor in the format of the page's own
    next-page link: `[id]` (newest id first) or `[created_at, id]` (newest first)."""
    deep = next(s for s in scenarios if s.name == "html_list_deep")
    client = Client(port, headers)
    try:
        status, body, _ = client.get("/customers/")
    finally:
        client.close()
    width = _html_cursor_format(body) if status == 200 else None
    if width not in (1, 2):
        deep.available, deep.reason = False, "the list page has no id or (created_at, id) cursor"
        return
    # the nearest sampled customer at or below each deep point (the samples are pages read
    # from those points downwards)
    points = [max((r for r in rows if r["id"] <= i), key=lambda r: r["id"],
                  default=min(rows, key=lambda r: r["id"])) for i in deep_ids]
    deep.paths = ["/customers/?cursor=" + quote(base64.urlsafe_b64encode(json.dumps(
        [r["id"]] if width == 1 else [r["created_at"], r["id"]]).encode()).decode())
        for r in points]


def probe(port: int, headers: dict[str, str], scenario: Scenario, checks: int = 5) -> None:
    """Requests before measuring: a page that does not exist yet (404/405) makes the scenario
    unavailable; anything else but 200 is an error the run reports. On the API, the number of
    items the first few paths answer is kept: a search that finds nothing measures nothing."""
    if not scenario.available or not scenario.paths:
        if scenario.available:
            scenario.available, scenario.reason = False, "no paths"
        return
    if scenario.paths[0].startswith("POST "):  # a write: its first measured request checks it
        return
    client = Client(port, headers)
    try:
        status, body, _ = client.get(scenario.paths[0])
        scenario.probe_status = status
        if status in (404, 405):
            scenario.available, scenario.reason = False, f"HTTP {status}: not built yet"
        elif status != 200:
            scenario.available = False
            scenario.reason = f"HTTP {status} on {scenario.paths[0]}: {body[:200]!r}"
        elif scenario.surface == "api":
            for path in scenario.paths[:checks]:
                status, body, _ = client.get(path)
                items = json.loads(body).get("items") if status == 200 else None
                scenario.probe_items.append(len(items) if isinstance(items, list) else 1)
    finally:
        client.close()

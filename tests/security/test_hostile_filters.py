"""Filter and sort parameters of every list page and every list API endpoint, found from the
pages' GET forms and the OpenAPI schema, given SQL fragments, unknown and relational field
names, NUL bytes, huge and malformed values: never a 500 (so never a database error), an API
refusal is the one JSON error shape, and an unknown sort falls back to the default order."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.config.api import api
from kehu.core.common.testing import api_client
from tests.security.hostile import build

pytestmark = pytest.mark.django_db

NASTY = ["' OR '1'='1", "1; DROP TABLE customers_customer;--", "-custom.x') --",
         "owner__password__startswith", "\x00", "9" * 400, "x" * 2_000, "-1", "1e309",
         "2026-13-45", "custom.__class__", "%", "[]"]
SWEEP = ["' OR '1'='1", "owner__password__startswith", "\x00", "9" * 400, "x" * 20_000]
# a 20,000-character search on /customers/ takes seconds (reported); pages get 2,000
PAGE_SWEEP = [*SWEEP[:-1], "x" * 2_000]
LIST_PAGES = ["/customers/", "/customers/pool/", "/customers/recycle-bin/", "/leads/",
              "/leads/pool/", "/sales/", "/sales/board/", "/products/", "/quotes/",
              "/orders/", "/orders/overdue/", "/tasks/", "/tasks/calendar/", "/search/",
              "/notifications/", "/targets/", "/settings/audit/", "/customers/segments/",
              "/customers/import/"]
ALWAYS = ["q", "sort", "page", "cursor", "per_page", "limit", "view"]


@pytest.fixture
def world(db):
    return build("filters", poison=False)


class GetFormFields(HTMLParser):
    """The names of the fields of a page's GET forms: its filters and its sort."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self._in_get_form = (values.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and values.get("name"):
            self.names.add(values["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _page_params(client) -> dict[str, list[str]]:
    found = {}
    for path in LIST_PAGES:
        parser = GetFormFields()
        parser.feed(client.get(path).content.decode())
        found[path] = sorted(parser.names | set(ALWAYS))
    return found


def _api_params() -> dict[str, list[str]]:
    found = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        operation = operations.get("get")
        if operation and "{" not in path:
            found[path] = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    return found


def _check_api(response, path, params):
    assert response.status_code < 500, (path, params, response.status_code)
    if response.status_code >= 400:
        assert response.json()["error"]["code"], (path, params)


def test_every_api_list_parameter_survives_hostile_values(world):
    client = api_client(world.admin)
    endpoints = _api_params()
    assert len(endpoints) > 30
    for path, names in endpoints.items():
        for name in names:
            for value in SWEEP:
                _check_api(client.get(path, **{name: value}), path, {name: value})


def test_every_list_page_parameter_survives_hostile_values(world):
    client = world.client()
    pages = _page_params(client)
    assert "sort" in pages["/customers/"] and "owner" in " ".join(pages["/customers/"])
    for path, names in pages.items():
        for name in names:
            for value in PAGE_SWEEP:
                response = client.get(path, {name: value})
                assert response.status_code < 500, (path, name, repr(value[:40]))


def test_an_unknown_sort_falls_back_to_the_default_order(world):
    client = world.client()
    default = client.get("/customers/")
    for sort in ("password", "-owner__password", "custom.__class__", "name; DROP TABLE x"):
        response = client.get("/customers/", {"sort": sort})
        assert response.status_code == 200
        assert _row_ids(response) == _row_ids(default)


def _row_ids(response) -> list[str]:
    import re

    return re.findall(r'href="/customers/(\d+)/"', response.content.decode())


values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60),
                   st.integers(min_value=-(2**70), max_value=2**70).map(str),
                   st.dates().map(str), st.booleans().map(str))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_filter_combinations_never_break_a_list(world, data):
    # the world is only read here, so one world serves every example
    if not hasattr(world, "_clients"):
        world._clients = (world.client(), api_client(world.admin), _page_params(world.client()),
                          _api_params())
    browser, client, pages, endpoints = world._clients
    if data.draw(st.booleans(), label="api"):
        path = data.draw(st.sampled_from(sorted(endpoints)), label="path")
        names = endpoints[path] or ["q"]
        params = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=4))
        _check_api(client.get(path, **params), path, params)
    else:
        path = data.draw(st.sampled_from(sorted(pages)), label="path")
        params = data.draw(st.dictionaries(st.sampled_from(pages[path]), values, max_size=4))
        response = browser.get(path, params)
        assert response.status_code < 500, (path, params)

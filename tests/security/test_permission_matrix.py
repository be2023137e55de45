"""Walks the permission matrix (permission_matrix.py) with real requests: the API with each
role's Bearer token, the HTML views with each role's signed-in session. And fails when an API
operation or a URL pattern is missing from the matrix."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kehu.config.api import api
from kehu.core.common.testing import ApiClient
from tests.security import permission_matrix as matrix
from tests.security import scene

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from scene.seeded(django_db_blocker)


@pytest.fixture(scope="module")
def api_clients(world):
    return {role: ApiClient(world.members[role]) for role in matrix.ROLES}


def rows_for(world, role: str, relation: str) -> dict:
    """Path parameter name -> row, for a request of `role` on a record of `relation`."""
    bundle = {matrix.OWN: world.own[role], matrix.MATE: world.mate_bundle,
              matrix.OTHER_TEAM: world.other_team, matrix.OTHER_ORG: world.other_org}[relation]
    shared = world.foreign_shared if relation == matrix.OTHER_ORG else world.shared
    return {**shared, **bundle.rows}


def fill(path: str, endpoint: matrix.Endpoint, rows: dict) -> str:
    return re.sub(r"\{(\w+)\}",
                  lambda m: str(rows[endpoint.params.get(m[1], m[1])].pk), path)


def upload(path: str) -> dict:
    if "attachments" in path:
        return {"files": SimpleUploadedFile("scan.png", scene.PNG, content_type="image/png")}
    if "import" in path:
        return {"file": SimpleUploadedFile("list.csv", "名称,电话\n华为,13800000000\n".encode(),
                                           content_type="text/csv")}
    return {}


def send_api(client: ApiClient, endpoint: matrix.Endpoint, rows: dict):
    path = fill(endpoint.target, endpoint, rows)
    body = endpoint.body(rows) if callable(endpoint.body) else endpoint.body
    if endpoint.multipart:
        return client.client.post(path, {**(body or {}), **upload(path)})
    if endpoint.method == "GET":
        return client.get(path)
    if endpoint.method == "DELETE":
        return client.delete(path)
    return getattr(client, endpoint.method.lower())(path, body if body is not None else {})


def outcome(status: int, *, html: bool = False) -> str | int:
    if status in (403, 404):
        return status
    if 200 <= status < 300 or status in (409, 422) or (html and status == 302):
        return matrix.OK
    return status


def walk(endpoint: matrix.Endpoint, send) -> list[str]:
    """Every role on every relation the rule cares about; each request in a savepoint that
    is rolled back, so a delete does not take the record away from the next request."""
    wrong = []
    for role in matrix.ROLES:
        for relation in endpoint.rule.relations:
            expected = endpoint.rule.expect(role, relation)
            with transaction.atomic():
                response = send(role, relation)
                transaction.set_rollback(True)
            got = outcome(response.status_code, html=not endpoint.target.startswith("/api/"))
            if got != expected:
                body = b"" if response.streaming else response.content[:200]
                wrong.append(f"{role} on {relation}'s: expected {expected}, got "
                             f"{response.status_code} {body!r}")
    return wrong


@pytest.mark.parametrize("endpoint", matrix.API, ids=lambda e: e.id)
def test_api_operation_answers_each_role_as_the_matrix_says(endpoint, world, api_clients):
    wrong = walk(endpoint, lambda role, relation: send_api(
        api_clients[role], endpoint, rows_for(world, role, relation)))
    assert not wrong, "\n".join(wrong)


def api_operations() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items()
            for method in methods}


def test_every_api_operation_is_in_the_matrix():
    listed = [e.id for e in matrix.API]
    assert len(listed) == len(set(listed)), "an API operation is listed twice"
    assert sorted(api_operations() - set(listed)) == []
    assert sorted(set(listed) - api_operations()) == [], "the matrix lists a removed operation"


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(URL name, route) of every pattern, through every include."""
    from django.urls import URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, (namespace, pattern.namespace)))
            yield from url_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif not (prefix + str(pattern.pattern)).startswith("api/"):
            name = ":".join(filter(None, (namespace, pattern.name))) if pattern.name else None
            yield name, prefix + str(pattern.pattern)


ROUTES = dict(url_patterns())


@pytest.fixture(scope="module")
def web_clients(world):
    from kehu.core.common.testing import web_client

    return {role: web_client(world.members[role]) for role in matrix.ROLES}


def send_html(client, endpoint: matrix.Endpoint, rows: dict):
    from django.urls import reverse

    kwargs = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", ROUTES[endpoint.target]):
        source = endpoint.params.get(name, name)
        kwargs[name] = source[1:] if source.startswith("=") else rows[source].pk
    url = reverse(endpoint.target, kwargs=kwargs)
    data = endpoint.body(rows) if callable(endpoint.body) else (endpoint.body or {})
    if endpoint.method == "GET":
        return client.get(url, data)  # the query string
    return client.post(url, data)


@pytest.mark.parametrize("endpoint", matrix.HTML, ids=lambda e: e.id)
def test_html_view_answers_each_role_as_the_matrix_says(endpoint, world, web_clients):
    wrong = walk(endpoint, lambda role, relation: send_html(
        web_clients[role], endpoint, rows_for(world, role, relation)))
    assert not wrong, "\n".join(wrong)


def test_every_url_pattern_is_in_the_matrix_or_excluded_with_a_reason():
    listed = [e.target for e in matrix.HTML]
    assert len(listed) == len(set(listed)), "a view is listed twice"
    names = set(ROUTES) - {None}
    assert None not in ROUTES, "a URL pattern without a name cannot be listed"
    assert sorted(names - set(listed) - set(matrix.NOT_IN_MATRIX)) == []
    assert sorted(set(listed) - names) == [], "the matrix lists a removed view"

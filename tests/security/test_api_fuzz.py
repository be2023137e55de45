"""Property-based requests against every operation of the OpenAPI schema (schemathesis),
in-process over WSGI, as members of three roles with different data scopes.

For any generated input (valid and invalid): no server error, the status code is documented,
the body matches the documented schema, and errors have the house shape
`{"error": {"code", "message", "fields"?}}`. Path parameters are replaced by ids of rows the
caller owns, so generated bodies and queries reach the handlers instead of a 404. Every example
runs in a savepoint that is rolled back, so examples cannot see each other's writes.
"""

import json
import sys

import ninja
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kehu.config.api import api
from kehu.core.accounts import services as account_services
from kehu.core.common.testing import actor_for
from tests.security import scene

ROLES = ("admin", "sales_rep")  # every data scope is walked by the permission matrix
MAX_EXAMPLES = 4
pytestmark = pytest.mark.django_db  # also what makes pytest-django create the test database


class _App:
    """Django's WSGI handler, but without closing the connection at the start and end of a
    request: the test's transaction lives on it (Django's test client does the same)."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self.handler(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = _App()
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)


def house_error_shape(ctx, response, case):
    """Every 4xx answer carries `{"error": {"code": str, "message": str, ...}}`."""
    if not 400 <= response.status_code < 500:
        return None
    body = json.loads(response.content)
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"not the house error shape: {body!r}"
    assert isinstance(error.get("code"), str), f"error without a code: {body!r}"
    assert isinstance(error.get("message"), str), f"error without a message: {body!r}"
    assert isinstance(error.get("fields", {}), dict), f"fields is not an object: {body!r}"
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, house_error_shape]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from scene.seeded(django_db_blocker)


@pytest.fixture(scope="module")
def tokens(world):
    return {role: account_services.api_token_create(actor=actor_for(world.members[role]),
                                                    name="fuzz")[1]
            for role in ROLES}


def real_ids(world, role: str, path: str) -> dict[str, int]:
    """Path parameter name -> id of a row the caller owns (or of the organization)."""
    ids = {name: row.pk for name, row in world.shared.items() if hasattr(row, "pk")}
    own = world.own[role].ids()
    ids.update(own)
    if path.startswith("/api/v1/quotes/"):
        ids["line_id"] = own["quote_line_id"]
    if path.startswith("/api/v1/orders/attachments/"):
        ids["attachment_id"] = own["order_attachment_id"]
    return ids


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case, role, world, tokens):
    ids = real_ids(world, role, case.path)
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    with transaction.atomic():
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"},
                                   checks=CHECKS)
        finally:
            transaction.set_rollback(True)


def test_schema_names_are_unique_so_the_openapi_components_are_right():
    """ninja files every schema under its class name: two classes with one name make one of
    them document the other's operations."""
    seen: dict[str, set[str]] = {}
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not name.startswith("kehu.") or not any(p in name for p in ("api", "schemas")):
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, ninja.Schema)
                    and value.__module__ == name):
                seen.setdefault(value.__name__, set()).add(name)
    assert {n: sorted(m) for n, m in seen.items() if len(m) > 1} == {}

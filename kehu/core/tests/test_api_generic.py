"""Checks every API operation gets, found by walking the OpenAPI schema, so a new endpoint
cannot forget them."""

import re

import pytest
from django.test import Client

from kehu.config.api import api

pytestmark = pytest.mark.django_db


def operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize(("method", "path"), list(operations()))
def test_anonymous_callers_get_401_in_the_error_shape(method, path):
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401, (method, path, response.status_code)
    assert response.json()["error"]["code"] == "unauthenticated"

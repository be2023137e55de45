"""The API's contract: authentication, one error shape, versions, keyset pagination."""

import pytest
from django.test import Client

from kehu.core.accounts import services as accounts
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


def test_no_token_or_a_bad_token_is_401_in_the_error_shape(org):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer kehu_nope_nope"}):
        response = Client(**headers).get("/api/v1/customers")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revoked_token_stops_working(org):
    actor = actor_for(admin_of(org))
    token, secret = accounts.api_token_create(actor=actor, name="integration")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/me").status_code == 200
    accounts.api_token_revoke(actor=actor, token=token)
    assert client.get("/api/v1/me").status_code == 401


def test_tokens_are_stored_hashed(org):
    _token, secret = accounts.api_token_create(actor=actor_for(admin_of(org)), name="x")
    from kehu.core.accounts.models import ApiToken

    stored = ApiToken.objects.get()
    assert secret not in (stored.key_hash, stored.key_prefix)
    assert stored.key_hash == ApiToken.hash_secret(secret)


def test_session_auth_works_for_the_web_ui_and_needs_csrf_for_writes(org):
    from kehu.core.common.testing import web_client

    client = web_client(admin_of(org))
    assert client.get("/api/v1/me").json()["is_admin"] is True
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_of(org).user)
    response = strict.post("/api/v1/customers", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_validation_errors_name_the_field(org):
    client = api_client(admin_of(org))
    response = client.post("/api/v1/customers", {"name": "甲", "email": "bad", "phone": "123"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) >= {"phone"}
    missing = client.post("/api/v1/customers", {"city": "深圳"})
    assert missing.status_code == 422
    assert "name" in missing.json()["error"]["fields"]


def test_stale_version_is_409_and_does_not_overwrite(org):
    client = api_client(admin_of(org))
    created = client.post("/api/v1/customers", {"name": "甲"}).json()
    url = f"/api/v1/customers/{created['id']}"
    assert client.patch(url, {"city": "深圳", "version": 1}).json()["version"] == 2
    stale = client.patch(url, {"city": "北京", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert stale.json()["error"]["current_version"] == 2
    assert client.get(url).json()["city"] == "深圳"


def test_if_match_header_carries_the_version(org):
    client = api_client(admin_of(org))
    created = client.post("/api/v1/customers", {"name": "甲"}).json()
    url = f"/api/v1/customers/{created['id']}"
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, {"city": "深圳"}, **{"If-Match": etag}).status_code == 200
    assert client.patch(url, {"city": "北京"}, **{"If-Match": etag}).status_code == 409


def test_an_update_without_a_version_is_refused(org):
    client = api_client(admin_of(org))
    created = client.post("/api/v1/customers", {"name": "甲"}).json()
    response = client.patch(f"/api/v1/customers/{created['id']}", {"city": "深圳"})
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "version_required"


def test_cursor_pagination_walks_every_row_once(org):
    for i in range(23):
        CustomerFactory(organization=org, name=f"客户{i:02d}")
    client = api_client(admin_of(org))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/customers", **params).json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert seen == sorted(seen, reverse=True)


def test_a_garbled_cursor_is_400(org):
    response = api_client(admin_of(org)).get("/api/v1/customers", cursor="!!!")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_openapi_schema_and_docs_are_served(org):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/customers" in schema["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_me_describes_role_and_scope(org):
    me = api_client(admin_of(org)).get("/api/v1/me").json()
    assert me["organization"] == org.name
    assert me["data_scope"] == "org"
    assert "create" in me["grants"]["customers.customer"]

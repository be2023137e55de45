"""Guessing is slow: sign-in is locked after repeated wrong passwords (django-axes), whatever
way the login name is spelled, and an address that keeps sending bad API tokens gets 429."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from kehu.core.common.testing import PASSWORD, OrganizationFactory, admin_of, api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(db):
    membership = admin_of(OrganizationFactory())
    membership.user.phone = "13800138000"
    membership.user.save(update_fields=["phone"])
    return membership.user


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(person):
    client = Client()
    for _attempt in range(4):
        assert _login(client, person.email, "wrong-one").status_code == 200
    _login(client, person.email, "wrong-one")
    client.cookies["django_language"] = "en"
    response = _login(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in (
        response.content.decode())


def test_spelling_the_login_differently_does_not_reset_the_count(person):
    client = Client()
    spellings = [person.email.upper(), f"  {person.email} ", person.email.title(),
                 person.email.swapcase(), person.email]
    for spelling in spellings:
        _login(client, spelling, "wrong-one")
    assert _login(client, person.email.capitalize(), PASSWORD).status_code == 429


def test_phone_spellings_count_as_one_login(person):
    client = Client()
    for spelling in ("13800138000", "+86 138 0013 8000", "138-0013-8000", "8613800138000",
                     "138 0013 8000"):
        _login(client, spelling, "wrong-one")
    assert _login(client, "13800138000", PASSWORD).status_code == 429


def test_a_lock_is_for_that_account_from_that_address_only(person):
    client = Client()
    for _attempt in range(5):
        _login(client, person.email, "wrong-one", address="10.0.0.1")
    assert _login(client, person.email, PASSWORD, address="10.0.0.2").status_code == 302


def _api_get(secret: str, address: str = "10.0.0.9"):
    return Client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {secret}",
                        REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


@override_settings(KEHU_API_AUTH_FAILURE_LIMIT=3, KEHU_API_AUTH_FAILURE_WINDOW=600)
def test_repeated_bad_api_tokens_from_one_address_get_429(person):
    good = api_client(admin_of(person.memberships.first().organization))
    secret = good.client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    assert _api_get(secret).status_code == 200
    for attempt in range(3):
        assert _api_get(f"kehu_guess{attempt}_nothing").status_code == 401
    refused = _api_get("kehu_guess9_nothing")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Try again in 10 minutes" in refused.json()["error"]["message"]
    # the good token waits too (or guessing would go on between two good requests) …
    assert _api_get(secret).status_code == 429
    # … but other addresses are not affected
    assert _api_get(secret, address="10.0.0.10").status_code == 200


@override_settings(KEHU_API_AUTH_FAILURE_LIMIT=3, KEHU_API_AUTH_FAILURE_WINDOW=600)
def test_good_tokens_do_not_count_as_failures(person):
    good = api_client(admin_of(person.memberships.first().organization))
    secret = good.client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    for _request in range(6):
        assert _api_get(secret).status_code == 200

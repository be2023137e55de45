"""Security headers on every page, a Content-Security-Policy that the pages really live within
(no inline scripts or on* attributes), framing only for the public lead form, and CSRF on
every POST."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from kehu.core.common.testing import web_client
from kehu.leads.models import WebForm
from kehu.web import headers
from tests.security.hostile import build, fill, routes

pytestmark = pytest.mark.django_db

NOT_PAGES = {"web:logout", "healthz", "set_language", "javascript-catalog",
             "customers:customer-export", "customers:customer-export-selected",
             "customers:segment-export", "customers:import-sample", "customers:import-report",
             "customers:attachment", "orders:attachment", "quotes:quote-pdf",
             "leads:lead-import-rejected", "web:notification-open"}
CSRF_EXEMPT = {"leads:public-form"}  # embedded on other sites; see leads/views/public.py


@pytest.fixture
def world(db):
    return build("headers", poison=False)


class InlineScripts(HTMLParser):
    """Script the CSP would block: <script> without src (JSON data blocks are not run) and
    on* event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append("<script> without src")
        self.found += [f"<{tag} {name}=…>" for name in names
                       if name.startswith("on") and name.isalpha()]


def _html_pages(world):
    client = web_client(world.admin)
    for route in routes():
        if route.name in NOT_PAGES:
            continue
        path = fill(route, world.organization)
        if path is None:
            continue
        response = client.get(path)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            yield route.name, response


def test_every_page_sends_the_security_headers_and_has_no_inline_script(world):
    problems, pages = [], 0
    for name, response in _html_pages(world):
        pages += 1
        csp = response.get("Content-Security-Policy", "")
        expected = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": None,  # any value: the public form sends no-referrer
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        for header, value in expected.items():
            if header not in response or (value and response[header] != value):
                problems.append((name, header, response.get(header)))
        framed = name in CSRF_EXEMPT
        if framed:
            if "X-Frame-Options" in response or "frame-ancestors *" not in csp:
                problems.append((name, "framing", response.get("X-Frame-Options"), csp))
        elif response.get("X-Frame-Options") != "DENY" or "frame-ancestors 'none'" not in csp:
            problems.append((name, "framing", response.get("X-Frame-Options"), csp))
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        if "'unsafe-inline'" in script_src or "*" in script_src:
            problems.append((name, "script-src", script_src))
        parser = InlineScripts()
        parser.feed(response.content.decode())
        if parser.found:
            problems.append((name, "inline script", sorted(set(parser.found))))
    assert not problems
    assert pages > 50


def test_the_public_lead_form_may_be_framed_and_a_signed_in_page_may_not(world):
    token = WebForm.objects.get(organization=world.organization).token
    public = Client().get(f"/leads/f/{token}/")
    assert public.status_code == 200
    assert "X-Frame-Options" not in public
    assert public["Content-Security-Policy"] == headers.FRAMEABLE
    home = web_client(world.admin).get("/")
    assert home["X-Frame-Options"] == "DENY"
    assert home["Content-Security-Policy"] == headers.STRICT


def test_every_post_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin.user)
    session = client.session
    session["kehu_organization_id"] = world.organization.pk
    session.save()
    accepted, tried = [], 0
    for route in routes():
        path = fill(route, world.organization)
        if path is None or route.name in CSRF_EXEMPT:
            continue
        tried += 1
        response = client.post(path, {"name": "x"})
        if response.status_code != 403:
            accepted.append((route.name, path, response.status_code))
    assert not accepted
    assert tried > 100


def test_the_login_form_needs_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post(
        "/login/", {"username": "a@b.test", "password": "x"})
    assert response.status_code == 403

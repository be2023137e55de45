"""Stored script payloads in every free-text column and custom field are shown as text: every
page that can be reached with a GET (found by walking the URL patterns), its HTMX partial, the
quote PDF and the notification email."""

from __future__ import annotations

import pytest
from django.core import mail

from kehu.core.notifications import tasks as notification_tasks
from kehu.core.notifications.models import Notification
from kehu.customers.models import Customer
from kehu.quotes import pdf, selectors
from kehu.quotes.models import Quote, QuoteSettings
from kehu.quotes.tests.test_api import _pdf_text
from tests.security.hostile import (
    FULL,
    JS_URL,
    SCRIPT,
    build,
    fill,
    javascript_hrefs,
    routes,
    unescaped_markers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_world(db):
    return build()

# GETs that are not pages: they change state (GET-safe as they are, but not worth walking),
# stream files (covered by the export tests) or leave the app.
SKIP = {"web:logout", "healthz", "set_language", "javascript-catalog",
        "customers:customer-export", "customers:customer-export-selected",
        "customers:segment-export", "customers:import-sample", "customers:import-report",
        "customers:attachment", "orders:attachment", "quotes:quote-pdf",
        "leads:lead-import-rejected", "web:notification-open"}


def _pages(world):
    for route in routes():
        if route.name in SKIP:
            continue
        path = fill(route, world.organization)
        if path is not None:
            yield route.name, path


def test_no_page_shows_a_stored_payload_unescaped(hostile_world):
    client = hostile_world.client()
    problems, checked = [], 0
    for name, path in _pages(hostile_world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert response.status_code < 500, (name, path, response.status_code)
            if "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            checked += 1
            if found := unescaped_markers(html) + javascript_hrefs(html):
                problems.append((name, path, headers, found))
    assert not problems
    assert checked > 60  # the walk really reached the pages


def test_a_stored_payload_is_shown_as_text(hostile_world):
    customer = Customer.objects.filter(organization=hostile_world.organization).first()
    response = hostile_world.client().get(f"/customers/{customer.pk}/")
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{7*7}}" in html  # shown as typed, never evaluated as a template
    assert f'href="{JS_URL}"' not in html


def test_quote_pdf_prints_markup_as_text(hostile_world):
    quote = Quote.objects.filter(organization=hostile_world.organization).first()
    markup = '<font color="red">big</font><a href="https://evil.example">x</a>'
    Quote.objects.filter(pk=quote.pk).update(title=markup)
    QuoteSettings.objects.update_or_create(organization=hostile_world.organization,
                                           defaults={"company_name": SCRIPT})
    assert hostile_world.client().get(f"/quotes/{quote.pk}/pdf/").status_code == 200
    quote.refresh_from_db()
    text = _pdf_text(pdf.build_pdf(
        quote=quote, settings=selectors.settings_get(organization=hostile_world.organization),
        compress=False))
    compact = "".join(text.split())  # reportlab splits wrapped lines into pieces
    assert "".join(markup.split()) in compact  # printed, not read as reportlab markup
    assert "".join(FULL.split()) in compact
    assert "&lt;" not in text  # escaped once, not twice


def test_notification_email_is_plain_text_and_one_line_subject(hostile_world):
    notification = Notification.objects.filter(
        organization=hostile_world.organization).first()
    Notification.objects.filter(pk=notification.pk).update(title=f"{FULL}\nBcc: x@evil.test")
    mail.outbox.clear()
    notification_tasks.send_notification_email.call_local(notification.pk)
    [message] = mail.outbox
    assert not getattr(message, "alternatives", [])  # no HTML part to inject into
    assert "\n" not in message.subject
    assert message.recipients() == [notification.recipient.email]

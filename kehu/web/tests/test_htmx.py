"""The htmx helpers in kehu.core.common.htmx."""

import json

from django.http import HttpResponse
from django.test import RequestFactory

from kehu.core.common import htmx


def test_is_htmx_ignores_boosted_navigation():
    rf = RequestFactory()
    assert htmx.is_htmx(rf.get("/", headers={"HX-Request": "true"}))
    assert not htmx.is_htmx(rf.get("/"))
    assert not htmx.is_htmx(rf.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"}))


def test_trigger_merges_events():
    response = htmx.trigger(HttpResponse(), "saved")
    assert response["HX-Trigger"] == "saved"
    htmx.trigger(response, "closed")
    assert response["HX-Trigger"] == "saved, closed"
    htmx.trigger(response, toast={"text": "ok"})
    assert json.loads(response["HX-Trigger"]) == {"saved": None, "closed": None,
                                                  "toast": {"text": "ok"}}


def test_redirect_uses_hx_redirect_for_htmx():
    rf = RequestFactory()
    plain = htmx.redirect(rf.get("/"), "/elsewhere/")
    assert (plain.status_code, plain["Location"]) == (302, "/elsewhere/")
    partial = htmx.redirect(rf.get("/", headers={"HX-Request": "true"}), "/elsewhere/")
    assert (partial.status_code, partial["HX-Redirect"]) == (204, "/elsewhere/")

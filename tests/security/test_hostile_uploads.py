"""Uploads: every path that stores a user's file (follow-up and order attachments, through the
browser and the API) refuses active content, disguised files and oversized files, and every
stored file comes back through a permission-checked view that never lets a browser render it
as a page. There is no public /media/ URL."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import Resolver404, resolve

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member, web_client
from kehu.customers.models import Attachment
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders.models import OrderAttachment
from kehu.orders.tests.factories import order_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PAGE = b"<html><script>alert(document.cookie)</script></html>"
REFUSED = [
    ("evil.html", PAGE), ("evil.htm", PAGE), ("evil.svg", b"<svg onload=alert(1)></svg>"),
    ("evil.js", b"alert(1)"), ("evil.xhtml", PAGE), ("evil.exe", b"MZ\x90\x00"),
    ("photo.png", PAGE),  # a page renamed to look like a photo
    ("scan.pdf", PAGE),
    ("noextension", PAGE),
]


@pytest.fixture
def admin(db):
    return admin_of(OrganizationFactory())


def _upload_paths(admin):
    """(name, function that uploads one file and returns the status code, attachment model)"""
    customer = CustomerFactory(organization=admin.organization, owner=admin.user)
    order = order_for(admin, signed=False)
    browser, api = web_client(admin), api_client(admin)

    def followup_html(upload):
        return browser.post(f"/customers/{customer.pk}/follow-ups/new/",
                            {"kind": "call", "content": "x", "files": [upload]},
                            headers={"HX-Request": "true"}).status_code

    def followup_api(upload):
        return api.client.post(f"/api/v1/customers/{customer.pk}/follow-ups",
                               {"content": "x", "files": [upload]}).status_code

    def order_html(upload):
        return browser.post(f"/orders/{order.pk}/attachments/", {"files": [upload]},
                            headers={"HX-Request": "true"}).status_code

    def order_api(upload):
        return api.client.post(f"/api/v1/orders/{order.pk}/attachments",
                               {"files": [upload]}).status_code

    return [("follow-up page", followup_html, Attachment),
            ("follow-up API", followup_api, Attachment),
            ("order page", order_html, OrderAttachment),
            ("order API", order_api, OrderAttachment)]


def test_active_and_disguised_files_are_refused_on_every_upload_path(admin):
    stored = []
    for path, upload, model in _upload_paths(admin):
        for name, content in REFUSED:
            status = upload(SimpleUploadedFile(name, content, content_type="image/png"))
            if model.objects.filter(original_name=name).exists() or status < 400:
                stored.append((path, name, status))
    assert not stored


@override_settings(KEHU_UPLOAD_MAX_BYTES=1024)
def test_oversized_files_are_refused_on_every_upload_path(admin):
    for path, upload, model in _upload_paths(admin):
        status = upload(SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048))
        assert status == 422, path
        assert not model.objects.exists(), path


def test_a_good_file_is_accepted_on_every_upload_path(admin):
    for path, upload, model in _upload_paths(admin):
        status = upload(SimpleUploadedFile(f"{path}.png", PNG))
        assert status in (200, 201, 302), path
        assert model.objects.filter(original_name=f"{path}.png").exists(), path


def _stored_downloads(admin):
    """(download URL, is the file an image) for a .txt holding HTML and a real PNG on a
    follow-up and on an order, through the pages and the API."""
    for _path, upload, _model in _upload_paths(admin)[::2]:  # one browser path per model
        upload(SimpleUploadedFile("notes.txt", PAGE))
        upload(SimpleUploadedFile("photo.png", PNG))
    for attachment in Attachment.objects.all():
        yield f"/customers/attachments/{attachment.pk}/", attachment.is_image, "web"
        yield f"/api/v1/follow-ups/attachments/{attachment.pk}", attachment.is_image, "api"
    for attachment in OrderAttachment.objects.all():
        yield f"/orders/attachments/{attachment.pk}/", attachment.is_image, "web"
        yield f"/api/v1/orders/attachments/{attachment.pk}", attachment.is_image, "api"


def test_stored_files_are_never_served_as_a_page(admin):
    browser, api = web_client(admin), api_client(admin)
    seen = 0
    for url, is_image, surface in _stored_downloads(admin):
        response = (browser if surface == "web" else api.client).get(url)
        assert response.status_code == 200, url
        seen += 1
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "html" not in response["Content-Type"]
        if is_image:
            assert response["Content-Type"] == "image/png"
        else:
            assert response["Content-Type"].startswith("text/plain")
            assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert seen == 8


def test_a_stored_file_needs_permission_to_see_its_record(admin):
    for _path, upload, _model in _upload_paths(admin)[::2]:
        upload(SimpleUploadedFile("photo.png", PNG))
    outsider = web_client(admin_of(OrganizationFactory()))
    rep = web_client(member(admin.organization, "sales_rep"))  # owns neither record
    anonymous_urls = [f"/customers/attachments/{a.pk}/" for a in Attachment.objects.all()]
    anonymous_urls += [f"/orders/attachments/{a.pk}/" for a in OrderAttachment.objects.all()]
    for url in anonymous_urls:
        assert outsider.get(url).status_code == 404
        assert rep.get(url).status_code in (403, 404)


def test_media_files_have_no_public_url_even_with_debug():
    from kehu.config import urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(urls)
            with pytest.raises(Resolver404):
                resolve("/media/attachments/1/2026/01/contract.pdf", urlconf=urls)
    finally:
        importlib.reload(urls)

"""A sales rep's day on the customer pages, in a real browser against `kehu serve`: take a
customer from the pool, then log a visit with a photo on its 360° page and see the photo."""

import re
import struct
import zlib

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _png(width: int = 64, height: int = 48) -> bytes:
    """A small gradient PNG, like a photo from a phone camera (but tiny)."""
    rows = b"".join(b"\x00" + b"".join(struct.pack("BBB", x * 4, y * 5, 160)
                                       for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def test_rep_claims_a_pool_customer_and_logs_a_visit_with_a_photo(page):
    login(page, "east.rep@demo.kehu.local")

    # the pool: claim the first customer
    page.goto("/customers/pool/")
    first_row = page.locator("#customer-results tbody tr").first
    link = first_row.locator("td.name-cell a")
    name = link.inner_text()
    detail_url = link.get_attribute("href")
    first_row.locator("button[data-testid=claim]").click()
    page.locator("#list-message .alert-success").wait_for()
    # the rows reload without it
    page.locator(f"#customer-results td.name-cell a[href='{detail_url}']").wait_for(
        state="detached")

    # its 360° page: the rep now owns it and logs a visit with a photo
    page.goto(detail_url)
    assert page.locator("h1").inner_text() == name
    assert page.locator("[data-testid=claim]").count() == 0
    form = page.locator("[data-testid=followup-form]")
    form.locator("label.kind-option:has(input[value=visit])").click()
    form.locator("textarea[name=content]").fill("上门拜访，拍了门头照片，客户有意向下月采购。")
    form.locator("input[name=location]").fill("深圳市南山区")
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": "门头.png", "mimeType": "image/png", "buffer": _png()}])
    form.locator("button[type=submit]").click()

    entry = page.locator(".timeline-item").filter(has_text="拍了门头照片").first
    thumbnail = entry.locator(".attachments .thumb img")
    thumbnail.scroll_into_view_if_needed()  # thumbnails load lazily
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64
    src = thumbnail.get_attribute("src")
    assert re.fullmatch(r"/customers/attachments/\d+/", src)
    # the key figures refreshed themselves: contacted today
    page.locator("[data-figure=days_since_contact] .stat-value").filter(
        has_text=re.compile(r"^0$")).wait_for()

    # the photo is served to the rep, and to nobody signed out
    assert page.request.get(src).status == 200
    anonymous = page.context.browser.new_context(base_url=page.url.split("/customers")[0])
    try:
        response = anonymous.request.get(src, max_redirects=0)
        assert response.status == 302
    finally:
        anonymous.close()

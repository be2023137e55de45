"""A new user's first minutes with Kehu, in a real browser against `kehu serve`:
sign in, find a customer, add a custom field, create a customer with it, switch language,
and use the API with a token made by `kehu token`."""

import json
import re
import urllib.request

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_admin_signs_in_and_finds_customers(page):
    login(page, "admin@demo.kehu.local")
    assert page.locator(".brand-org").inner_text() == "示例科技有限公司"
    page.locator("nav a[href='/customers/']").click()
    page.wait_for_url("**/customers/")
    rows = page.locator("table tbody tr")
    assert rows.count() > 10
    page.fill("#global-search", "科技")
    page.press("#global-search", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator("main").get_by_text(re.compile("科技")).first.is_visible()


def test_admin_adds_a_custom_field_and_uses_it_on_a_new_customer(page):
    login(page, "admin@demo.kehu.local")
    page.goto("/settings/fields/new/")
    page.select_option("select[name=object_type]", "customers.customer")
    page.fill("input[name=key]", "tax_no")
    page.fill("input[name=label]", "税号")
    page.select_option("select[name=kind]", "text")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/settings/fields/")
    assert page.get_by_text("税号").first.is_visible()

    page.goto("/customers/new/")
    page.fill("input[name=name]", "端到端测试有限公司")
    page.fill("input[name=phone]", "13700001234")
    page.fill("input[name=custom__tax_no]", "91440300MA5")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    main = page.locator("main")
    assert main.get_by_text("端到端测试有限公司").first.is_visible()
    assert main.get_by_text("91440300MA5").first.is_visible()

    page.fill("#global-search", "1234")
    page.press("#global-search", "Enter")
    assert page.locator("main").get_by_text("端到端测试有限公司").first.is_visible()


def test_language_switch_and_rep_scope(page):
    login(page, "east.rep@demo.kehu.local")
    with page.expect_navigation():
        page.locator("form.lang button[value=en]").first.click()
    assert page.locator("nav").get_by_text("Customers").is_visible()
    assert page.locator("nav").get_by_text("Settings").count() == 0  # not an admin
    with page.expect_navigation():
        page.locator("form.lang button[value=zh-hans]").first.click()
    assert page.locator("nav").get_by_text("客户").first.is_visible()


def test_wrong_password_is_refused_with_a_message(page):
    page.goto("/login/")
    page.fill("input[name=username]", "admin@demo.kehu.local")
    page.fill("input[name=password]", "not-the-password")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    assert "/login/" in page.url
    assert page.locator(".errorlist, .alert, .form-error").first.is_visible()


def test_api_token_from_the_command_line_works_against_the_server(live_kehu):
    token = live_kehu.kehu("token", "admin@demo.kehu.local").strip()
    request = urllib.request.Request(f"{live_kehu.url}/api/v1/customers?limit=5",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    assert len(body["items"]) == 5
    assert body["next_cursor"]

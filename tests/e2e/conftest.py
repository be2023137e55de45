"""A real Kehu for browser tests: `kehu serve` (gunicorn + job consumer) on a free loopback
port, over its own database (SQLite in a temp dir, or a fresh PostgreSQL database when the
suite runs on PostgreSQL), with the demo data; and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "kehu-demo-2026"
# A failed browser test leaves a screenshot of its page here (var/ is not in git).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"


@dataclass
class LiveKehu:
    url: str
    env: dict[str, str]

    def kehu(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "kehu", *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=120).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp: Path) -> str:
    base = os.environ.get("KEHU_DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    name = "kehu_e2e"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def live_kehu(tmp_path_factory) -> Iterator[LiveKehu]:
    tmp = tmp_path_factory.mktemp("kehu-e2e")
    env = {**os.environ, "KEHU_VAR_DIR": str(tmp / "var"), "KEHU_DATABASE_URL": _database_url(tmp),
           "DJANGO_SETTINGS_MODULE": "kehu.config.settings.base"}
    env.pop("PYTEST_CURRENT_TEST", None)
    live = LiveKehu(url="", env=env)
    live.kehu("migrate", "--no-input")
    live.kehu("demo", "--customers", "60")
    port = _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "kehu", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    live.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(live.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "server.log").read_text()) from None
            time.sleep(0.3)
    yield live
    server.terminate()
    server.wait(timeout=30)
    log.close()
    server_log = (tmp / "server.log").read_text()
    assert "Traceback" not in server_log, server_log[-4000:]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(request, browser, live_kehu):
    context = browser.new_context(base_url=live_kehu.url, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the failed page ({page.url}): {shot}")
    context.close()


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)

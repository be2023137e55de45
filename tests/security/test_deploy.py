"""The production settings pass `kehu check --deploy` without a warning, refuse to start
without the values a server must be given, and the laptop settings still work over plain
http://127.0.0.1:8000 (no secure-only cookies, no HTTPS redirect)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROD = "kehu.config.settings.prod"
KEY = "k" * 10 + "3Xf9_-pQ7rT2vW8yZ1aB4cD6eF0gH5jK9mN2sU7wX3zA8bC1dE"


def _kehu(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("KEHU_") or k in ("KEHU_DATABASE_URL", "KEHU_VAR_DIR")}
    return subprocess.run([sys.executable, "-m", "kehu", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_passes_with_production_settings():
    result = _kehu("check", "--deploy", "--fail-level", "WARNING",
                   DJANGO_SETTINGS_MODULE=PROD, KEHU_SECRET_KEY=KEY,
                   KEHU_ALLOWED_HOSTS="crm.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["KEHU_SECRET_KEY", "KEHU_ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_a_required_value(missing):
    env = {"KEHU_SECRET_KEY": KEY, "KEHU_ALLOWED_HOSTS": "crm.example.com"}
    del env[missing]
    result = _kehu("check", DJANGO_SETTINGS_MODULE=PROD, **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_laptop_settings_keep_plain_http_working():
    code = ("from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.DEBUG, s.SECURE_HSTS_SECONDS)")
    result = _kehu("shell", "-c", code, DJANGO_SETTINGS_MODULE="kehu.config.settings.base")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["False", "False", "False", "False", "0"]


def test_production_settings_are_https_only():
    code = ("from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.DEBUG, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)")
    result = _kehu("shell", "-c", code, DJANGO_SETTINGS_MODULE=PROD, KEHU_SECRET_KEY=KEY,
                   KEHU_ALLOWED_HOSTS="crm.example.com,kehu.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "False", "True",
                                     "['crm.example.com',", "'kehu.example.com']"]

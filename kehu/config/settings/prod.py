"""Production settings: `DJANGO_SETTINGS_MODULE=kehu.config.settings.prod kehu serve`.

base.py keeps the defaults a laptop needs (plain http://127.0.0.1:8000, a generated secret
key); this module refuses to start without the values a public deployment must choose and
turns on HTTPS-only cookies, HSTS and the HTTPS redirect. Each flag can still be relaxed with a
KEHU_* variable (docs/operations.md, "Production settings").
"""

import os

from django.core.exceptions import ImproperlyConfigured

from kehu.config import env
from kehu.config.settings.base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set with the production settings.")
    return value


DEBUG = False
# A generated key in var/ is fine on a laptop; a server must be given one (and keep it).
SECRET_KEY = _required("KEHU_SECRET_KEY")
ALLOWED_HOSTS = env.csv_list("KEHU_ALLOWED_HOSTS", _required("KEHU_ALLOWED_HOSTS"))

SESSION_COOKIE_SECURE = env.flag("KEHU_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.flag("KEHU_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("KEHU_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("KEHU_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.flag("KEHU_HSTS_PRELOAD")
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise to browsers that cannot be taken back quickly; an operator opts
    # in with KEHU_HSTS_PRELOAD=true, so its absence is not a finding.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env.flag("KEHU_BEHIND_PROXY", True):
    # gunicorn listens on 127.0.0.1 behind nginx/Caddy, which terminates TLS and must set
    # (not pass through) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

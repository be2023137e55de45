"""Settings shared by every environment. Everything a deployment changes comes from KEHU_*."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kehu.config import env

BASE_DIR = Path(__file__).resolve().parents[2]  # the kehu package
VAR_DIR = env.var_dir()

SECRET_KEY = env.secret_key()
DEBUG = env.flag("KEHU_DEBUG")
ALLOWED_HOSTS = env.csv_list("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env.csv_list("KEHU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "axes",
    "kehu.core.tenancy",
    "kehu.core.accounts",
    "kehu.core.permissions",
    "kehu.core.audit",
    "kehu.core.customfields",
    "kehu.core.notifications",
    "kehu.core.search",
    "kehu.core.savedviews",
    "kehu.core.numbering",
    "kehu.core.rls",
    "kehu.customers",
    "kehu.tasks",
    "kehu.catalog",
    "kehu.sales",
    "kehu.leads",
    "kehu.quotes",
    "kehu.orders",
    "kehu.targets",
    "kehu.analytics",
    "kehu.reports",
    "kehu.bi",
    "kehu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kehu.web.headers.ContentSecurityPolicyMiddleware",
    "kehu.web.inputs.StripNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kehu.core.tenancy.middleware.OrganizationMiddleware",
    "kehu.core.rls.middleware.RowLevelSecurityMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kehu.config.urls"
WSGI_APPLICATION = "kehu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kehu.web.context_processors.shell",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between two writers.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-32768;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database(env.database_url())}
# PostgreSQL row-level security between organizations (kehu/core/rls; SQLite ignores it)
KEHU_RLS = env.flag("KEHU_RLS", True)
KEHU_RLS_ROLE = os.environ.get("KEHU_RLS_ROLE", "kehu_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kehu.core.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Brute-force protection: 5 failures for one account from one address locks it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("KEHU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kehu.core.accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "web/auth/locked.html"
AXES_VERBOSE = False
# Bad API tokens: this many from one address within the window (seconds) → 429 until it ends.
KEHU_API_AUTH_FAILURE_LIMIT = int(os.environ.get("KEHU_API_AUTH_FAILURE_LIMIT", "20"))
KEHU_API_AUTH_FAILURE_WINDOW = int(os.environ.get("KEHU_API_AUTH_FAILURE_WINDOW", "900"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KEHU_MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.flag("KEHU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "KEHU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KEHU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEHU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEHU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEHU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.flag("KEHU_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("KEHU_EMAIL_FROM", "kehu@localhost")

REDIS_URL = os.environ.get("KEHU_REDIS_URL", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "kehu", "url": REDIS_URL, "immediate": False}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "kehu",
            "filename": str(VAR_DIR / "huey.sqlite3"), "immediate": False}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEHU_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

KEHU_UPLOAD_MAX_BYTES = int(os.environ.get("KEHU_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

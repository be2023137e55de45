"""Configuration read from the environment (KEHU_*), with the defaults a laptop needs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    path = Path(os.environ.get("KEHU_VAR_DIR", PROJECT_DIR / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def csv_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key() -> str:
    """KEHU_SECRET_KEY, or a key generated once and kept in var/ so sessions survive restarts."""
    if key := os.environ.get("KEHU_SECRET_KEY"):
        return key
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url() -> str:
    return os.environ.get("KEHU_DATABASE_URL") or f"sqlite:///{var_dir() / 'kehu.sqlite3'}"

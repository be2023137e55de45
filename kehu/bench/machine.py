"""What a run was measured on: machine, database server, code version."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    cpu_model = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                      if line.startswith("model name")), platform.processor() or "")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": usable,
        "cpu_model": cpu_model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        # other work on the machine skews the figures: this shows whether there was any
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def git_info() -> dict[str, Any]:
    """The commit and whether the tree had changes; read-only git commands only."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - fixed arguments
                ["git", "--no-optional-locks", *args], cwd=PROJECT_DIR, capture_output=True,  # noqa: S607
                text=True, timeout=20, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else ""
    return {"commit": commit or None, "dirty": bool(status)}


def database_info(url: str) -> dict[str, Any]:
    """Vendor and server version for `url` (with any password left out)."""
    import dj_database_url

    config = dj_database_url.parse(url)
    engine = config["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return {"vendor": "sqlite", "version": sqlite3.sqlite_version, "name": config["NAME"]}
    info: dict[str, Any] = {"vendor": engine, "name": config["NAME"],
                            "host": config.get("HOST"), "port": config.get("PORT")}
    if engine.startswith("postgresql"):
        import psycopg

        try:
            with psycopg.connect(_pg_dsn(config), connect_timeout=10) as conn:
                info["version"] = conn.execute("SHOW server_version").fetchone()[0]
                info["settings"] = dict(conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections',"
                    " 'random_page_cost', 'jit')").fetchall())
        except psycopg.Error as exc:
            info["version"] = f"unknown ({exc})"
    info["vendor"] = "postgresql" if engine.startswith("postgresql") else engine
    return info


def _pg_dsn(config: dict[str, Any], dbname: str | None = None) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dbname=dbname or config["NAME"], user=config.get("USER") or None,
                         password=config.get("PASSWORD") or None,
                         host=config.get("HOST") or None, port=config.get("PORT") or None)

"""A fresh database for one run: created (SQLite file, or a PostgreSQL database whose name
contains "bench"), migrated and filled by `kehu demo`, each step a subprocess with a time limit,
exactly as an operator would run them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url

from kehu.bench.machine import _pg_dsn

DEMO_SLUG = "demo"
ADMIN_EMAIL = f"admin@{DEMO_SLUG}.kehu.local"
COUNTED_TABLES = {"customers": "customers_customer", "contacts": "customers_contact",
                  "follow_ups": "customers_followup", "opportunities": "sales_opportunity"}


class BenchError(RuntimeError):
    pass


@dataclass
class Dataset:
    url: str
    vendor: str
    env: dict[str, str]
    customers: int
    seed: int
    timings: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    reused: bool = False

    def summary(self) -> dict[str, Any]:
        generate = self.timings.get("generate_s")
        total_rows = sum(self.rows.values())
        return {
            "customers": self.customers, "seed": self.seed, "rows": self.rows,
            "reused": self.reused, **{k: round(v, 2) for k, v in self.timings.items()},
            "generate_rows_per_s": round(total_rows / generate) if generate else None,
            "generate_customers_per_s": (round(self.rows.get("customers", 0) / generate)
                                         if generate else None),
        }


def kehu_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kehu", *args]


def server_env(*, url: str, var_dir: Path) -> dict[str, str]:
    """The environment `kehu serve` and the other commands run with: the operator's, with the
    benchmark's database and var/ directory, production settings, no debug."""
    env = {k: v for k, v in os.environ.items() if k not in ("KEHU_DEBUG", "PYTEST_CURRENT_TEST")}
    env.update({"KEHU_DATABASE_URL": url, "KEHU_VAR_DIR": str(var_dir),
                "DJANGO_SETTINGS_MODULE": "kehu.config.settings.base",
                "PYTHONUNBUFFERED": "1"})
    return env


def run_step(args: list[str], *, env: dict[str, str], timeout: float, log: Path) -> str:
    """Run a kehu command; its output goes to `log` (appended) and is returned."""
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True,  # noqa: S603
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`{' '.join(args[2:])}` took longer than {timeout:.0f} s") from exc
    with log.open("a") as out:
        out.write(f"$ {' '.join(args[2:])}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise BenchError(f"`{' '.join(args[2:])}` failed:\n" + "\n".join(tail))
    return done.stdout


def _recreate_postgres(config: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    name = config["NAME"]
    if "bench" not in name:
        raise BenchError(f"Refusing to drop PostgreSQL database {name!r}: a benchmark database's "
                         "name must contain 'bench' (e.g. kehu_bench).")
    with psycopg.connect(_pg_dsn(config, "postgres"), autocommit=True,
                         connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _postgres_exists(config: dict[str, Any]) -> bool:
    import psycopg

    with psycopg.connect(_pg_dsn(config, "postgres"), connect_timeout=10) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [config["NAME"]]).fetchone() is not None


def count_rows(url: str) -> dict[str, int]:
    config = dj_database_url.parse(url)
    counts: dict[str, int] = {}
    if config["ENGINE"].endswith("sqlite3"):
        conn = sqlite3.connect(config["NAME"])
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            for key, table in COUNTED_TABLES.items():
                if table in tables:
                    counts[key] = conn.execute(
                        f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
        finally:
            conn.close()
        return counts
    import psycopg

    with psycopg.connect(_pg_dsn(config), connect_timeout=10) as conn:
        for key, table in COUNTED_TABLES.items():
            if conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]:
                counts[key] = conn.execute(
                    f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
    return counts


def prepare(*, database: str | None, out_dir: Path, customers: int, seed: int,
            reuse: bool = False, log: Path, generate_timeout: float) -> Dataset:
    """Create, migrate and fill the benchmark database. With `reuse`, an existing database
    that already holds the demo organization with `customers` customers is kept as it is."""
    url = database or f"sqlite:///{(out_dir / 'bench.sqlite3').resolve()}"
    config = dj_database_url.parse(url)
    vendor = "sqlite" if config["ENGINE"].endswith("sqlite3") else "postgresql"
    if vendor == "postgresql" and not config["ENGINE"].endswith(("postgresql",
                                                                  "postgresql_psycopg2")):
        raise BenchError(f"Unsupported database {config['ENGINE']}")
    env = server_env(url=url, var_dir=out_dir / "var")
    dataset = Dataset(url=url, vendor=vendor, env=env, customers=customers, seed=seed)
    if reuse:
        exists = (Path(config["NAME"]).exists() if vendor == "sqlite"
                  else _postgres_exists(config))
        if exists and count_rows(url).get("customers") == customers:
            dataset.reused = True
            dataset.rows = count_rows(url)
            return dataset
    if vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
    else:
        _recreate_postgres(config)
    started = time.perf_counter()
    run_step(kehu_command("migrate", "--no-input", "-v", "0"), env=env, timeout=600, log=log)
    dataset.timings["migrate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    run_step(kehu_command("demo", "--customers", str(customers), "--seed", str(seed)),
             env=env, timeout=generate_timeout, log=log)
    dataset.timings["generate_s"] = time.perf_counter() - started
    dataset.rows = count_rows(url)
    if dataset.rows.get("customers") != customers:
        raise BenchError(f"kehu demo wrote {dataset.rows.get('customers')} customers, "
                         f"not {customers}")
    return dataset


def api_token(dataset: Dataset, *, log: Path) -> str:
    out = run_step(kehu_command("token", ADMIN_EMAIL, "--org", DEMO_SLUG, "--name", "bench"),
                   env=dataset.env, timeout=120, log=log)
    return out.strip().splitlines()[-1].strip()

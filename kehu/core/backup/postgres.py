"""pg_dump / pg_restore command lines built from a Django database settings dict.

The password travels in PGPASSWORD (never on the command line, where `ps` shows it); SSL
options from DATABASES[...]["OPTIONS"] become their libpq environment variables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.backup.errors import BackupError

LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "passfile": "PGPASSFILE", "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "connect_timeout": "PGCONNECT_TIMEOUT",
}


def connection_arguments(settings_dict: dict[str, Any]) -> list[str]:
    """--host/--port/--username/--dbname; never the password."""
    args = ["--no-password"]  # fail instead of waiting for a prompt nobody answers
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if value := settings_dict.get(key):
            args += [option, str(value)]
    args += ["--dbname", str(settings_dict["NAME"])]
    return args


def environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if password := settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(password)
    for option, variable in LIBPQ_OPTIONS.items():
        if (value := (settings_dict.get("OPTIONS") or {}).get(option)) is not None:
            env[variable] = str(value)
    return env


def dump_command(settings_dict: dict[str, Any], target: Path, *,
                 snapshot: str | None = None) -> list[str]:
    args = [_tool("pg_dump"), "--format=custom", "--file", str(target)]
    if snapshot:
        args += ["--snapshot", snapshot]
    return args + connection_arguments(settings_dict)


def restore_command(settings_dict: dict[str, Any], dump: Path) -> list[str]:
    return [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error",
            *connection_arguments(settings_dict), str(dump)]


def run(args: list[str], settings_dict: dict[str, Any]) -> None:
    result = subprocess.run(args, env=environment(settings_dict), capture_output=True,  # noqa: S603
                            text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(tool)s failed (exit code %(code)d):\n%(output)s") % {
            "tool": Path(args[0]).name, "code": result.returncode,
            "output": (result.stderr or result.stdout).strip()[-4000:]})


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(_("%(tool)s was not found. Install the PostgreSQL client tools "
                            "(the same major version as the server or newer).") % {"tool": name})
    return path

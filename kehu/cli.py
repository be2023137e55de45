"""The `kehu` command: Django's management commands with Kehu's settings.

    kehu serve | migrate | demo | createuser | token EMAIL | worker | backup FILE | ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.config.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["kehu", *argv])
    args[0] = "kehu"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")  # `kehu export-organization` = export_organization
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

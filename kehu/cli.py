"""The `kehu` command: Django's management commands with Kehu's settings.

    kehu serve | migrate | demo | createuser | token EMAIL | worker | ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.config.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["kehu", *argv])
    args[0] = "kehu"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

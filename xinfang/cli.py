"""The ``xinfang`` console script: a thin wrapper around ``manage.py``.

``xinfang serve``, ``xinfang demo``, ``xinfang token create USERNAME``, ``xinfang report …`` (the
statistics paragraph, 台账, annual report and ranking as batch jobs) and every Django management
command (``xinfang migrate``, ``xinfang sweep`` …) go through here.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"serve": ["runserver", "--noreload"], "demo": ["load_demo"]}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    execute_from_command_line(["xinfang", *args])


if __name__ == "__main__":
    main()

"""The ``xinfang`` console script: a thin wrapper around ``manage.py``.

``xinfang serve``, ``xinfang demo``, ``xinfang token create USERNAME``, ``xinfang report …`` (the
statistics paragraph, 台账, annual report and ranking as batch jobs) and every Django management
command (``xinfang migrate``, ``xinfang sweep`` …) go through here.
"""

from __future__ import annotations

import argparse
import os
import sys

ALIASES = {"demo": ["load_demo"]}


def default_workers(database_url: str | None = None) -> int:
    """Worker processes of ``xinfang serve``: one per CPU on SQLite, whose one writer every
    transition queues for (a third process on two cores only added contention: 69–81 → 52–62
    lifecycles/s at 1M); two per CPU on PostgreSQL, where a process waits for the database
    server's answers (38 → 51 per s). docs/benchmarks.md, session 5."""
    url = os.environ.get("DATABASE_URL", "") if database_url is None else database_url
    cpus = os.cpu_count() or 1
    return 2 * cpus if url.startswith(("postgres://", "postgresql://")) else cpus


def serve(args: list[str]) -> None:
    """``xinfang serve``: the application under granian (a WSGI server written in Rust), one
    process per worker; Django's runserver stays available as ``xinfang runserver``."""
    parser = argparse.ArgumentParser(
        prog="xinfang serve",
        description="Serve xinfang over HTTP with granian (WSGI, one process per worker).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes (default: one per CPU on SQLite, two per CPU on PostgreSQL)",
    )
    options = parser.parse_args(args)
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "xinfang.wsgi:application",
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=max(1, options.workers),
        blocking_threads=1,  # Django's work is CPU-bound under the GIL: processes, not threads
        websockets=False,
    ).serve()


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        serve(args[1:])
        return
    from django.core.management import execute_from_command_line

    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    execute_from_command_line(["xinfang", *args])


if __name__ == "__main__":
    main()

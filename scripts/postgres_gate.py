"""Whether `make test` runs the PostgreSQL suite: exit 0 when PostgreSQL answers, 10 (skip) when it
does not on a laptop, 1 when it does not and CI=true (CI promises both databases).

XINFANG_PG_HOST / XINFANG_PG_PORT (default 127.0.0.1:5432) say where to look."""

from __future__ import annotations

import os
import socket
import sys

SKIP = 10


def main() -> int:
    host = os.environ.get("XINFANG_PG_HOST", "127.0.0.1")
    port = int(os.environ.get("XINFANG_PG_PORT", "5432"))
    try:
        socket.create_connection((host, port), 2).close()
    except OSError:
        if os.environ.get("CI", "").lower() == "true":
            print(
                f"PostgreSQL is not reachable on {host}:{port} and CI=true: the PostgreSQL run is required",
                file=sys.stderr,
            )
            return 1
        print(f"PostgreSQL is not reachable on {host}:{port}: skipped the PostgreSQL run (SQLite only)")
        return SKIP
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

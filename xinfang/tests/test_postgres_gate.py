"""`make test` runs the PostgreSQL suite when PostgreSQL answers; CI fails instead of skipping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

GATE = Path(__file__).resolve().parents[2] / "scripts" / "postgres_gate.py"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is


def _gate(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "CI"} | env
    return subprocess.run(  # noqa: S603 - our own script with this interpreter
        [sys.executable, str(GATE)], env=environ, capture_output=True, text=True, check=False
    )


def test_it_fails_when_postgresql_is_unreachable_under_ci():
    run = _gate(CI="true", XINFANG_PG_PORT=str(_closed_port()))
    assert run.returncode == 1
    assert "CI=true" in run.stderr


def test_it_skips_with_a_message_on_a_laptop_without_postgresql():
    run = _gate(XINFANG_PG_PORT=str(_closed_port()))
    assert run.returncode == 10
    assert "skipped the PostgreSQL run" in run.stdout


def test_it_runs_the_postgresql_suite_when_postgresql_answers():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        run = _gate(CI="true", XINFANG_PG_PORT=str(server.getsockname()[1]))
    assert run.returncode == 0

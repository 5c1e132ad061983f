"""``xinfang serve``: the application under granian, one process per worker."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_it_serves_the_application_with_two_workers(tmp_path):
    port = _free_port()
    env = dict(os.environ, XINFANG_VAR_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as errors:
        server = subprocess.Popen(  # noqa: S603 - our own console script
            [sys.executable, "-m", "xinfang.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(port, "/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, "xinfang serve did not answer within 60 s"
                time.sleep(0.2)
        assert (status, body) == (200, b"ok")
        status, body = _get(port, "/api/v1/openapi.json")
        assert status == 200 and b'"/api/v1/cases/{case_id}/accept"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_it_names_a_bad_option():
    done = subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "xinfang.cli", "serve", "--workers", "many"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--workers" in done.stderr


def test_it_runs_one_worker_per_cpu_on_sqlite_and_two_on_postgresql(monkeypatch):
    from xinfang.cli import default_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_workers("sqlite:////srv/xinfang/xinfang.sqlite3") == 4
    assert default_workers("") == 4  # no DATABASE_URL: the embedded SQLite
    assert default_workers("postgres://xinfang@db.example/xinfang") == 8
    assert default_workers("postgresql://xinfang@db.example/xinfang") == 8

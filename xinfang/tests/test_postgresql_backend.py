"""``xinfang.postgresql``: a kept connection is health-checked without a round trip, and one the
server ended is found unusable (so Django opens a new one instead of failing the request)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


def _observer() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


def _last_statement(observer: psycopg.Connection, pid: int) -> str:
    row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def test_the_engine_is_the_projects():
    assert type(connections["default"]).__module__ == "xinfang.postgresql.base"


def test_a_healthy_idle_connection_is_usable_without_sending_a_statement():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'before the health check'")
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with _observer() as observer:
        assert _last_statement(observer, pid) == "SELECT pg_backend_pid()"
        assert connection.is_usable()
        assert _last_statement(observer, pid) == "SELECT pg_backend_pid()"  # no SELECT 1 was sent


def test_a_connection_the_server_terminated_is_unusable_and_replaced():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with _observer() as observer:
        observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.02)  # the server's message arrives right after the call returns
    assert not connection.is_usable()
    # What Django does at the start of a request with health checks on: close it, open a new one.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid

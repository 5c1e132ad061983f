"""``xinfang.sqlite``: write transactions of several processes queue on a file lock."""

from __future__ import annotations

import fcntl
import threading
import time

import pytest
from django.db import connection

from xinfang.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    # These tests open their own database files, not the test database.
    with django_db_blocker.unblock():
        yield


def _wrapper(path) -> DatabaseWrapper:
    params = dict(connection.settings_dict, NAME=str(path), TEST={})
    wrapper = DatabaseWrapper(params, alias="writer-lock-test")
    wrapper.ensure_connection()
    return wrapper


def _table(path) -> None:
    setup = _wrapper(path)
    setup.cursor().execute("CREATE TABLE t (n INTEGER)")
    setup.close()


def test_it_queues_a_second_writer_until_the_first_commits(tmp_path):
    path = tmp_path / "db.sqlite3"
    _table(path)
    first = _wrapper(path)
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    took: list[float] = []

    def second_writer() -> None:
        second = _wrapper(path)
        started = time.monotonic()
        second._start_transaction_under_autocommit()  # waits for the first writer's commit
        took.append(time.monotonic() - started)
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second._commit()
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert not took  # still queued behind the open write transaction
    first._commit()
    thread.join(timeout=10)
    assert took and took[0] >= 0.3
    rows = first.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()
    assert [n for (n,) in rows] == [1, 2]
    first.close()


def _held(path) -> bool:
    with open(f"{path}.writer-lock", "ab") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False


def test_the_lock_is_held_exactly_while_a_write_transaction_is_open(tmp_path):
    path = tmp_path / "db.sqlite3"
    _table(path)
    writer = _wrapper(path)
    assert not _held(path)
    writer._start_transaction_under_autocommit()
    assert _held(path)
    writer._commit()
    assert not _held(path)
    writer.cursor().execute("INSERT INTO t VALUES (3)")  # a single autocommit statement: not queued
    assert not _held(path)
    writer.close()


def test_a_rolled_back_or_closed_writer_lets_the_next_one_in(tmp_path):
    path = tmp_path / "db.sqlite3"
    _table(path)
    first = _wrapper(path)
    first._start_transaction_under_autocommit()
    first._rollback()
    first._start_transaction_under_autocommit()
    first.close()  # closing mid-transaction releases the lock too
    second = _wrapper(path)
    started = time.monotonic()
    second._start_transaction_under_autocommit()
    assert time.monotonic() - started < 1
    second._commit()
    second.close()


def test_an_in_memory_database_has_no_lock_file():
    memory = _wrapper(":memory:")
    assert memory._writer_lock is None
    memory.close()

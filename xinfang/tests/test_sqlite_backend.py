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
        second._start_transaction_under_autocommit()
        second.cursor().execute("INSERT INTO t VALUES (2)")  # waits for the first writer's commit
        took.append(time.monotonic() - started)
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
    writer.cursor().execute("SELECT count(*) FROM t")  # reading first does not queue the others
    assert not _held(path)
    writer.cursor().execute("INSERT INTO t VALUES (0)")  # the first write begins the transaction
    assert _held(path)
    assert writer.connection.in_transaction
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
    first.cursor().execute("INSERT INTO t VALUES (1)")
    first._rollback()
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (2)")
    first.close()  # closing mid-transaction releases the lock too
    second = _wrapper(path)
    started = time.monotonic()
    second._start_transaction_under_autocommit()
    second.cursor().execute("INSERT INTO t VALUES (3)")
    assert time.monotonic() - started < 1
    second._commit()
    second.close()


def test_an_in_memory_database_has_no_lock_file():
    memory = _wrapper(":memory:")
    assert memory._writer_lock is None
    memory.close()


def test_reads_before_the_first_write_see_a_commit_made_meanwhile_and_the_write_sees_it_too(tmp_path):
    # As under PostgreSQL's READ COMMITTED: what a service reads before it writes is the latest
    # committed state, and the write transaction starts from the state after the other commit.
    path = tmp_path / "db.sqlite3"
    _table(path)
    reader, other = _wrapper(path), _wrapper(path)
    reader._start_transaction_under_autocommit()
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone() == (0,)
    other.cursor().execute("INSERT INTO t VALUES (7)")  # committed by another connection
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone() == (1,)
    reader.cursor().execute("INSERT INTO t SELECT n + 1 FROM t")
    reader._commit()
    rows = other.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()
    assert [n for (n,) in rows] == [7, 8]
    reader.close()
    other.close()


def test_a_transaction_that_only_reads_never_takes_the_writer(tmp_path):
    path = tmp_path / "db.sqlite3"
    _table(path)
    reader = _wrapper(path)
    reader._start_transaction_under_autocommit()
    reader.cursor().execute("SELECT count(*) FROM t")
    assert not _held(path) and not reader.connection.in_transaction
    reader._commit()
    reader.close()


@pytest.mark.django_db(transaction=True)
def test_select_for_update_begins_the_write_transaction_and_a_plain_select_does_not():
    from django.db import transaction

    from xinfang.orgs.models import Unit

    with transaction.atomic():
        list(Unit.objects.filter(pk=0))
        assert not connection.connection.in_transaction
        list(Unit.objects.select_for_update().filter(pk=0))
        assert connection.connection.in_transaction


def test_the_log_is_checkpointed_every_few_commits_after_the_writer_lock_is_released(tmp_path, monkeypatch):
    from xinfang.sqlite import base as backend

    path = tmp_path / "db.sqlite3"
    _table(path)
    writer = _wrapper(path)
    assert writer.cursor().execute("PRAGMA wal_autocheckpoint").fetchone() == (backend.AUTOCHECKPOINT_PAGES,)
    seen: list[bool] = []
    checkpoint = backend.DatabaseWrapper._checkpoint

    def spy(self):
        seen.append(_held(path))
        checkpoint(self)

    monkeypatch.setattr(backend.DatabaseWrapper, "_checkpoint", spy)
    for n in range(backend.CHECKPOINT_EVERY * 2):
        writer._start_transaction_under_autocommit()
        writer.cursor().execute("INSERT INTO t VALUES (%s)", [n])
        writer._commit()
    writer._start_transaction_under_autocommit()  # a transaction that wrote nothing is not counted
    writer._commit()
    assert seen == [False, False]
    reader = _wrapper(path)
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone() == (backend.CHECKPOINT_EVERY * 2,)
    reader.close()
    writer.close()

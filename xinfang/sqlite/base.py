"""Django's SQLite backend with writers queued on a file lock (``ENGINE: xinfang.sqlite``).

SQLite lets one writer in at a time. A second ``BEGIN IMMEDIATE`` gets "busy" and SQLite's busy
handler sleeps 1, 2, 5, 10 … 100 ms between tries, although the first writer's transaction (a
transition: a few statements) is over after a millisecond or two: with several server processes,
requests sleep while the CPU idles. Here a write transaction first takes an exclusive ``flock`` on
``<database>.writer-lock``, which the kernel hands to the next waiting process the moment it is
released, then begins; the lock is released at commit, rollback or close. Writes outside a
transaction (single autocommit statements) and readers are not queued: WAL lets readers run during
a write, and the busy handler still covers the rest. In-memory databases (tests) have one process
and no lock.

The transaction begins at its first statement that is not a plain ``SELECT``, not at
``atomic()``: what a service reads and computes before it writes (guards, deadlines, a notice's
text) does not hold the one writer. Those reads see the latest committed data, each statement its
own, as under PostgreSQL's READ COMMITTED, where the same code runs; the compare-and-swap on the
case's version (``workflow.services._move``) turns a change made meanwhile into a conflict. From the
first write to the commit the transaction is SQLite's, serializable. ``select_for_update()``
begins it as well (here the only "row lock" is the writer lock).

Checkpoints (copying the write-ahead log back into the database file, with an fsync each side)
run after the writer lock is released: every ``CHECKPOINT_EVERY`` commits of a connection, a
PASSIVE checkpoint, which waits for no reader or writer. SQLite's own automatic checkpoint runs
inside a commit, so while the lock is held (5–40 ms, every ~60 commits of a lifecycle at its
default of 1,000 pages); it stays as a backstop at ``AUTOCHECKPOINT_PAGES``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from types import SimpleNamespace
from typing import IO, Any

from django.db.backends.sqlite3 import base, features, operations

CHECKPOINT_EVERY = 32  # commits of one connection between its checkpoints
AUTOCHECKPOINT_PAGES = 4000  # SQLite's own, inside a commit, should ours not keep up (16 MB of log)

# Ends a SELECT that was asked with select_for_update(): a comment SQLite ignores and the cursor
# below sees.
FOR_UPDATE = "/* for update */"


def _reads_only(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT" and not query.endswith(FOR_UPDATE)


class DatabaseFeatures(features.DatabaseFeatures):
    # So that select_for_update() reaches the SQL (as FOR_UPDATE) instead of being dropped.
    has_select_for_update = True


class DatabaseOperations(operations.DatabaseOperations):
    def for_update_sql(
        self, nowait: bool = False, skip_locked: bool = False, of: Any = (), no_key: bool = False
    ) -> str:
        return FOR_UPDATE


class Cursor(base.SQLiteCursorWrapper):
    """Begins the connection's pending transaction before the first statement that may write."""

    owner: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        if self.owner._begin_pending and not _reads_only(query):
            self.owner._begin()
        return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.owner._begin_pending:
            self.owner._begin()
        return super().executemany(query, param_list)


# Set by the test suite only (conftest.py), so that Django can empty the database between tests.
maintenance = SimpleNamespace(flush_allowed=False)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
    _writer_lock: IO[bytes] | None = None
    _holding = False
    _begin_pending = False
    _commits = 0

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # The append-only tables' DELETE trigger asks this (audit migration 0004): 0 unless a test
        # run flushes its database. A connection without it (the sqlite3 shell) cannot delete.
        connection.create_function("xinfang_may_delete", 0, lambda: int(maintenance.flush_allowed))
        name = str(self.settings_dict["NAME"])
        if not self.is_in_memory_db() and self._writer_lock is None:
            self._writer_lock = open(f"{name}.writer-lock", "ab")  # noqa: SIM115 - kept with the connection
            os.chmod(self._writer_lock.name, 0o600)
            connection.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        return connection

    def create_cursor(self, name: str | None = None) -> Cursor:
        cursor = self.connection.cursor(factory=Cursor)
        cursor.owner = self
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        self._begin_pending = True  # begun by the first statement that writes (Cursor)

    def _begin(self) -> None:
        self._begin_pending = False
        self._acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's private method, not in django-stubs
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        self._begin_pending = False
        wrote = self._holding
        try:
            super()._commit()  # type: ignore[misc]  # Django's private method, not in django-stubs
        finally:
            self._release()
        if wrote:
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0:
                self._checkpoint()

    def _checkpoint(self) -> None:
        """Outside the writer lock; a checkpoint that cannot finish now is finished by a later one."""
        with contextlib.suppress(sqlite3.OperationalError):
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self) -> None:
        self._begin_pending = False
        try:
            super()._rollback()  # type: ignore[misc]  # Django's private method, not in django-stubs
        finally:
            self._release()

    def _set_autocommit(self, autocommit: bool) -> None:
        if autocommit:
            self._begin_pending = False
        super()._set_autocommit(autocommit)  # type: ignore[misc]  # Django's private method, not in django-stubs

    def _close(self) -> None:
        self._begin_pending = False
        try:
            super()._close()  # type: ignore[misc]  # Django's private method, not in django-stubs
        finally:
            self._release()
            if self._writer_lock is not None:
                self._writer_lock.close()
                self._writer_lock = None

    def _acquire(self) -> None:
        if self._writer_lock is not None and not self._holding:
            fcntl.flock(self._writer_lock, fcntl.LOCK_EX)
            self._holding = True

    def _release(self) -> None:
        if self._writer_lock is not None and self._holding:
            self._holding = False
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)

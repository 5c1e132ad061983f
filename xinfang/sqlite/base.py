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
"""

from __future__ import annotations

import fcntl
import os
from typing import IO, Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: IO[bytes] | None = None
    _holding = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        if not self.is_in_memory_db() and self._writer_lock is None:
            self._writer_lock = open(f"{name}.writer-lock", "ab")  # noqa: SIM115 - kept with the connection
            os.chmod(self._writer_lock.name, 0o600)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()
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

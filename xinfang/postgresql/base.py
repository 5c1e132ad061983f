"""Django's PostgreSQL backend whose health check of a kept connection costs no round trip
(``ENGINE: xinfang.postgresql``).

With persistent connections and ``CONN_HEALTH_CHECKS``, Django checks a connection before a request
reuses it by sending ``SELECT 1`` and waiting for the answer: one more statement per request, for
the server and for the worker (each lifecycle action is one request). A connection the server
ended, because it restarted, an administrator terminated the backend or an idle timeout struck,
has something to read: the server's last message, or the end of the stream. Between requests a
healthy idle connection has nothing to read. So: a closed or broken connection is unusable; an idle
one with nothing to read is usable without asking; anything else gets Django's ``SELECT 1``. A
connection whose network path died silently (no message, no end of stream) is not caught here, as
``SELECT 1`` would only catch it after the TCP timeout; the request then fails and Django closes
the connection at its end, as without health checks.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == pq.TransactionStatus.IDLE and not _readable(
            connection.fileno()
        ):
            return True
        return bool(super().is_usable())


def _readable(fd: int) -> bool:
    """Whether the socket has data or its end of stream waiting (an error counts as readable)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True

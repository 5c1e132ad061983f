"""Keeps the SQLite triggers of the statistics rollups in place after every ``migrate``.

SQLite rebuilds a table to alter it and loses its triggers (PostgreSQL alters in place). Run from a
post_migrate hook, this re-creates missing triggers from ``stats.triggers`` and, since changes made while
they were missing went unnoticed, marks every rollup stale.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from xinfang.stats import triggers


def ensure_rollup_triggers(using: str = "default", **_: Any) -> bool:
    """Re-create missing triggers; True when something was repaired."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        names = {row[0] for row in cursor.fetchall()}
        if "stats_rollupdirty" not in names:
            return False  # not migrated this far yet
        missing = [name for name in triggers.SQLITE_TRIGGERS if name not in names]
        if not missing:
            return False
        for sql in triggers.SQLITE_CREATE:
            cursor.execute(sql)
        cursor.execute(triggers.MARK_EVERYTHING, [False])
    return True

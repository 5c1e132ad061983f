"""Keeps the SQLite triggers of the statistics rollups in place after every ``migrate``.

SQLite rebuilds a table to alter it and loses its triggers (PostgreSQL alters in place). Run from a
post_migrate hook, this re-creates missing triggers of migrations 0003, 0005 and 0009 and, since changes made while
they were missing went unnoticed, marks every rollup stale.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import connections


def _migration() -> Any:
    return import_module("xinfang.stats.migrations.0009_rollup_assignment_triggers")


def ensure_rollup_triggers(using: str = "default", **_: Any) -> bool:
    """Re-create missing triggers; True when something was repaired."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    migration = _migration()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        names = {row[0] for row in cursor.fetchall()}
        if "stats_rollupdirty" not in names:
            return False  # not migrated this far yet
        missing = [name for name in migration.SQLITE_TRIGGERS if name not in names]
        if not missing:
            return False
        for sql in migration.SQLITE_UP:
            cursor.execute(sql)
        cursor.execute(migration.base.START[0], [False])
    return True

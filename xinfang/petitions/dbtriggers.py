"""Keeps the SQLite keyword-index triggers in place after every ``migrate``.

SQLite rebuilds a table to alter it and loses its triggers; PostgreSQL alters in place. Run from a
post_migrate hook, this makes a future migration that alters ``petitions_petition`` unable to
silently stop the keyword index (see migration 0007).
"""

from __future__ import annotations

from typing import Any

from django.db import connections

TRIGGER_NAMES = ("petitions_fts_ai", "petitions_fts_ad", "petitions_fts_au")


def ensure_keyword_triggers(using: str = "default", **_: Any) -> bool:
    """Re-create missing triggers and rebuild the index; True when something was repaired."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        names = {row[0] for row in cursor.fetchall()}
        if "petitions_fts" not in names or all(t in names for t in TRIGGER_NAMES):
            return False
        from importlib import import_module

        migration = import_module("xinfang.petitions.migrations.0007_restore_keyword_triggers")
        for sql in migration.TRIGGERS:
            cursor.execute(sql)
    return True

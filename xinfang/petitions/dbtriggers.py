"""Keeps the SQLite keyword-index triggers in place after every ``migrate``.

SQLite rebuilds a table to alter it and loses its triggers; PostgreSQL alters in place. Run from a
post_migrate hook, this makes a future migration that alters ``petitions_petition`` unable to
silently stop the keyword index (see migration 0007). This module is the app's one home of the
keyword triggers' SQL; migrations 0002 and 0007 carry frozen copies.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

TRIGGER_NAMES = ("petitions_fts_ai", "petitions_fts_ad", "petitions_fts_au")
CREATE = [
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_ai AFTER INSERT ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_ad AFTER DELETE ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_au AFTER UPDATE OF search_text ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    # The index missed every change while a trigger was gone: rebuild it from the table.
    "INSERT INTO petitions_fts(petitions_fts) VALUES ('rebuild')",
]


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
        for sql in CREATE:
            cursor.execute(sql)
    return True

"""The triggers that mark stale rollup days watch every column the rollups read (a rollup reading a
column its trigger ignores would keep a stale figure), on the database as ``migrate`` left it, and
the app's copy of the SQLite set (``stats.triggers``) is what the migrations installed."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from xinfang.stats import rollups, triggers

pytestmark = pytest.mark.django_db

PETITION_ALIASES = ("p", "r", "q")  # the petition and the petitions that repeat it / run parallel


def _read_columns(aliases: tuple[str, ...]) -> set[str]:
    """Columns of the given table aliases that any rollup's building SQL reads."""
    sql = " ".join(rollups._insert_sql(cube, "1 = 1") for cube in rollups.ALL_CUBES)
    found = set()
    for alias in aliases:
        found |= set(re.findall(rf"\b{alias}\.([a-z_]+)\b", sql))
    return found - {"id"}  # a row's id never changes


def _watched(trigger: str) -> set[str]:
    """The columns an installed UPDATE trigger fires on."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger])
            sql = cursor.fetchone()[0]
            watched = re.search(r"UPDATE OF (.*?) ON ", sql)
            assert watched is not None, sql
            return {c.strip() for c in watched.group(1).split(",")}
        cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s", [trigger])
        sql = cursor.fetchone()[0]
        return set(re.findall(r"\bold\.([a-z_]+)\b", sql, flags=re.IGNORECASE))


def _update_trigger(table: str) -> str:
    return f"stats_dirty_{table}_au" if connection.vendor == "sqlite" else f"stats_dirty_{table}_upd_row"


def test_the_petition_update_trigger_watches_every_petition_column_the_rollups_read():
    read = _read_columns(PETITION_ALIASES)
    assert {"received_at", "due_at", "status", "category_id", "repeat_of_id"} <= read  # the parse works
    assert read <= set(triggers.PETITION_COLUMNS), read - set(triggers.PETITION_COLUMNS)
    watched = _watched(_update_trigger("petition"))
    assert read <= watched, f"rollups read columns the trigger ignores: {sorted(read - watched)}"


def test_the_assignment_update_trigger_watches_every_assignment_column_the_rollups_read():
    read = _read_columns(("a",))
    assert {"unit_id", "accepted_on", "ack_due"} <= read
    assert read <= set(triggers.ASSIGNMENT_COLUMNS), read - set(triggers.ASSIGNMENT_COLUMNS)
    watched = _watched(_update_trigger("assignment"))
    assert read <= watched, f"rollups read columns the trigger ignores: {sorted(read - watched)}"


def test_the_sqlite_triggers_the_app_restores_are_those_the_migrations_installed():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its triggers across ALTER TABLE; nothing restores them")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats_dirty_%'"
        )
        installed = dict(cursor.fetchall())
    expected = {
        name: f"CREATE TRIGGER {name} {body}".replace("CREATE TRIGGER IF NOT EXISTS", "CREATE TRIGGER")
        for name, body in triggers.SQLITE_TRIGGERS.items()
    }
    assert set(installed) == set(expected)
    for name, sql in installed.items():
        assert " ".join(sql.split()) == " ".join(expected[name].split()), name

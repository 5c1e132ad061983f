"""The petition triggers of 0003 also mark the deadline days (old and new ``due_at``) for the
open-case rollups of 0004 kept by deadline (``RollupOpenByDue``), and a changed deadline marks the
received day. ``SQLITE_TRIGGERS`` / ``SQLITE_UP`` here are the complete current SQLite set, which
``stats.dbtriggers`` restores after a table rebuild."""

from importlib import import_module

from django.db import migrations

base = import_module("xinfang.stats.migrations.0003_rollup_triggers")
DIRTY, PETITION = base.DIRTY, base.PETITION
COLUMNS = (*base.COLUMNS, "due_at")


def _mark_due(day: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (due_day, units_only) SELECT {day}, 0 WHERE {day} IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE due_day = {day});"
    )


def _sqlite_petition(row: str) -> str:
    return base._sqlite_petition(row) + _mark_due(f"{row}.due_at")


def _mark_all(units_only: int) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, due_day, units_only) SELECT NULL, NULL, {units_only} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {DIRTY} WHERE day IS NULL AND due_day IS NULL AND units_only = {units_only});"
    )


CHANGED_TRIGGERS = {
    "stats_dirty_petition_ai": f"AFTER INSERT ON {PETITION} BEGIN {_sqlite_petition('new')} END",
    "stats_dirty_petition_ad": f"AFTER DELETE ON {PETITION} BEGIN {_sqlite_petition('old')} END",
    "stats_dirty_petition_au": f"AFTER UPDATE OF {', '.join(COLUMNS)} ON {PETITION} BEGIN "
    f"{_sqlite_petition('old')} {_sqlite_petition('new')} END",
    # A deadline mark has no received day: "everything" is now both days NULL.
    "stats_dirty_unit_ai": f"AFTER INSERT ON orgs_unit BEGIN {_mark_all(1)} END",
    "stats_dirty_unit_ad": f"AFTER DELETE ON orgs_unit BEGIN {_mark_all(1)} END",
    "stats_dirty_unit_au": "AFTER UPDATE OF path, parent_id ON orgs_unit "
    f"WHEN old.path IS NOT new.path OR old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
    "stats_dirty_category_au": "AFTER UPDATE OF parent_id ON petitions_category "
    f"WHEN old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
}
SQLITE_TRIGGERS = {**base.SQLITE_TRIGGERS, **CHANGED_TRIGGERS}
SQLITE_UP = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
SQLITE_FORWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in CHANGED_TRIGGERS] + [
    f"CREATE TRIGGER {name} {body}" for name, body in CHANGED_TRIGGERS.items()
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in CHANGED_TRIGGERS] + [
    f"CREATE TRIGGER {name} {base.SQLITE_TRIGGERS[name]}" for name in CHANGED_TRIGGERS
]


def _pg_rows(rows: str) -> str:
    return base._pg_rows(rows) + (
        f" INSERT INTO {DIRTY} (due_day, units_only) SELECT DISTINCT due_at, false FROM {rows} "
        "WHERE due_at IS NOT NULL;"
    )


_OLD = ", ".join(f"o.{c}" for c in COLUMNS)
_NEW = ", ".join(f"n.{c}" for c in COLUMNS)
_CHANGED = (
    "WITH changed AS (SELECT o.received_at AS d1, n.received_at AS d2, o.due_at AS e1, n.due_at AS e2, "
    "o.repeat_of_id AS r1, n.repeat_of_id AS r2, o.parallel_of_id AS q1, n.parallel_of_id AS q2 "
    f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})) "
)
PG_UP = [
    base._pg_function("stats_dirty_petition_ins", _pg_rows("new_rows")),
    base._pg_function("stats_dirty_petition_del", _pg_rows("old_rows")),
    base._pg_function(
        "stats_dirty_petition_upd",
        f"INSERT INTO {DIRTY} (day, due_day, units_only) {_CHANGED}"
        "SELECT DISTINCT d, NULL::date, false FROM (SELECT d1 AS d FROM changed UNION ALL SELECT d2 FROM changed "
        f"UNION ALL SELECT p.received_at FROM {PETITION} p WHERE p.id = ANY (ARRAY("
        "SELECT r1 FROM changed UNION SELECT r2 FROM changed UNION SELECT q1 FROM changed "
        "UNION SELECT q2 FROM changed))) t "
        "UNION SELECT NULL::date, e, false FROM (SELECT e1 AS e FROM changed UNION SELECT e2 FROM changed) u "
        "WHERE e IS NOT NULL;",
    ),
]
PG_DOWN = [sql for sql in base.PG_UP if sql.startswith("CREATE OR REPLACE FUNCTION stats_dirty_petition_")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
        # The new rollups are empty: everything is stale.
        schema_editor.execute(base.START[0], [False])

    return run


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_rollup_open")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_DOWN}),
        ),
    ]

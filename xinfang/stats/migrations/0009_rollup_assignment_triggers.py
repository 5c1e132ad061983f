"""Triggers on ``cases_assignment`` for the assignment rollup of 0008 (``RollupAssignments``): every
INSERT, DELETE and UPDATE of an assignment marks the received day of its petition (old and new),
so ``QuerySet.update()``s (the case services write assignments that way) reach the rollup. The
petition triggers of 0003/0005 already mark a petition's days when its own columns change.
``SQLITE_TRIGGERS`` / ``SQLITE_UP`` here are the complete current SQLite set, which
``stats.dbtriggers`` restores after a table rebuild."""

from importlib import import_module

from django.db import migrations

base = import_module("xinfang.stats.migrations.0003_rollup_triggers")
previous = import_module("xinfang.stats.migrations.0005_rollup_deadline_triggers")
ASSIGNMENT = "cases_assignment"
# The assignment columns the rollup reads; other updates (report text, objection reason) mark nothing.
COLUMNS = (
    "petition_id", "unit_id", "kind", "duty", "is_lead", "status", "report_required", "reported_on",
    "accepted_on", "ack_due",
)  # fmt: skip

NEW_TRIGGERS = {
    "stats_dirty_assignment_ai": f"AFTER INSERT ON {ASSIGNMENT} BEGIN {base._mark_petitions('new.petition_id')} END",
    "stats_dirty_assignment_ad": f"AFTER DELETE ON {ASSIGNMENT} BEGIN {base._mark_petitions('old.petition_id')} END",
    "stats_dirty_assignment_au": f"AFTER UPDATE OF {', '.join(COLUMNS)} ON {ASSIGNMENT} BEGIN "
    f"{base._mark_petitions('old.petition_id, new.petition_id')} END",
}
SQLITE_TRIGGERS = {**previous.SQLITE_TRIGGERS, **NEW_TRIGGERS}
SQLITE_UP = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
SQLITE_FORWARD = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in NEW_TRIGGERS.items()]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in NEW_TRIGGERS]

# PostgreSQL: statement triggers with transition tables; inserts and deletes use the function of
# the fact tables (0003), updates mark only the rows whose rollup columns changed.
_OLD = ", ".join(f"o.{c}" for c in COLUMNS)
_NEW = ", ".join(f"n.{c}" for c in COLUMNS)
_CHANGED = f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})"
PG_UP = [
    base._pg_function(
        "stats_dirty_assignment_upd",
        f"INSERT INTO {base.DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false "
        f"FROM {base.PETITION} p WHERE p.id = ANY (ARRAY(SELECT o.petition_id {_CHANGED} "
        f"UNION SELECT n.petition_id {_CHANGED}));",
    ),
    f"CREATE TRIGGER stats_dirty_assignment_ins AFTER INSERT ON {ASSIGNMENT} REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()",
    f"CREATE TRIGGER stats_dirty_assignment_upd AFTER UPDATE ON {ASSIGNMENT} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_assignment_upd()",
    f"CREATE TRIGGER stats_dirty_assignment_del AFTER DELETE ON {ASSIGNMENT} REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()",
]
PG_DOWN = [
    f"DROP TRIGGER IF EXISTS stats_dirty_assignment_{op} ON {ASSIGNMENT}" for op in ("ins", "upd", "del")
] + ["DROP FUNCTION IF EXISTS stats_dirty_assignment_upd()"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
        # The new rollup is empty: everything is stale.
        schema_editor.execute(base.START[0], [False])

    return run


class Migration(migrations.Migration):
    dependencies = [("stats", "0008_rollup_assignments"), ("cases", "0004_evaluation")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_DOWN}),
        ),
    ]

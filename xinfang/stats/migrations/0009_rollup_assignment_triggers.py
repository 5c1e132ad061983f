"""Triggers on ``cases_assignment`` for the assignment rollup of 0008 (``RollupAssignments``): every
INSERT, DELETE and UPDATE of an assignment marks the received day of its petition (old and new),
so ``QuerySet.update()``s (the case services write assignments that way) reach the rollup. The
petition triggers of 0003/0005 already mark a petition's days when its own columns change.

Frozen: the SQL as this migration applies it, written out in full; it imports nothing but Django.
The current SQLite set, which the app restores after a table rebuild, is ``xinfang.stats.triggers``.
"""

from django.db import migrations

START = 'INSERT INTO stats_rollupdirty (day, units_only) VALUES (NULL, %s)'
SQLITE_FORWARD = [
    'CREATE TRIGGER IF NOT EXISTS stats_dirty_assignment_ai AFTER INSERT ON cases_assignment BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (new.petition_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
    'CREATE TRIGGER IF NOT EXISTS stats_dirty_assignment_ad AFTER DELETE ON cases_assignment BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.petition_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
    'CREATE TRIGGER IF NOT EXISTS stats_dirty_assignment_au AFTER UPDATE OF petition_id, unit_id, kind, duty, is_lead, status, report_required, reported_on, accepted_on, ack_due ON cases_assignment BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.petition_id, new.petition_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
]
SQLITE_BACKWARD = [
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_ai',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_ad',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_au',
]
PG_UP = [
    'CREATE OR REPLACE FUNCTION stats_dirty_assignment_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT o.petition_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.petition_id, o.unit_id, o.kind, o.duty, o.is_lead, o.status, o.report_required, o.reported_on, o.accepted_on, o.ack_due) IS DISTINCT FROM (n.petition_id, n.unit_id, n.kind, n.duty, n.is_lead, n.status, n.report_required, n.reported_on, n.accepted_on, n.ack_due) UNION SELECT n.petition_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.petition_id, o.unit_id, o.kind, o.duty, o.is_lead, o.status, o.report_required, o.reported_on, o.accepted_on, o.ack_due) IS DISTINCT FROM (n.petition_id, n.unit_id, n.kind, n.duty, n.is_lead, n.status, n.report_required, n.reported_on, n.accepted_on, n.ack_due))); RETURN NULL; END $$',
    'CREATE TRIGGER stats_dirty_assignment_ins AFTER INSERT ON cases_assignment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
    'CREATE TRIGGER stats_dirty_assignment_upd AFTER UPDATE ON cases_assignment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_assignment_upd()',
    'CREATE TRIGGER stats_dirty_assignment_del AFTER DELETE ON cases_assignment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
]
PG_DOWN = [
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_ins ON cases_assignment',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_upd ON cases_assignment',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_del ON cases_assignment',
    'DROP FUNCTION IF EXISTS stats_dirty_assignment_upd()',
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
        # The new rollups are empty: everything is stale.
        schema_editor.execute(START, [False])

    return run


class Migration(migrations.Migration):
    dependencies = [('stats', '0008_rollup_assignments'), ('cases', '0004_evaluation')]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_DOWN}),
        ),
    ]

"""The petition triggers of 0003 also mark the deadline days (old and new ``due_at``) for the
open-case rollups of 0004 kept by deadline (``RollupOpenByDue``), and a changed deadline marks the
received day.

Frozen: the SQL as this migration applies it, written out in full; it imports nothing but Django.
The current SQLite set, which the app restores after a table rebuild, is ``xinfang.stats.triggers``.
"""

from django.db import migrations

START = 'INSERT INTO stats_rollupdirty (day, units_only) VALUES (NULL, %s)'
SQLITE_FORWARD = [
    'DROP TRIGGER IF EXISTS stats_dirty_petition_ai',
    'DROP TRIGGER IF EXISTS stats_dirty_petition_ad',
    'DROP TRIGGER IF EXISTS stats_dirty_petition_au',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_ai',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_ad',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_au',
    'DROP TRIGGER IF EXISTS stats_dirty_category_au',
    'CREATE TRIGGER stats_dirty_petition_ai AFTER INSERT ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT new.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = new.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (new.repeat_of_id, new.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at);INSERT INTO stats_rollupdirty (due_day, units_only) SELECT new.due_at, 0 WHERE new.due_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE due_day = new.due_at); END',
    'CREATE TRIGGER stats_dirty_petition_ad AFTER DELETE ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT old.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = old.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.repeat_of_id, old.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at);INSERT INTO stats_rollupdirty (due_day, units_only) SELECT old.due_at, 0 WHERE old.due_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE due_day = old.due_at); END',
    'CREATE TRIGGER stats_dirty_petition_au AFTER UPDATE OF received_at, registering_unit_id, handling_unit_id, channel, persons, visit_level, is_collective, category_id, status, is_open, is_repeat, is_skip_level, is_legitimate, repeat_of_id, parallel_of_id, due_at ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT old.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = old.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.repeat_of_id, old.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at);INSERT INTO stats_rollupdirty (due_day, units_only) SELECT old.due_at, 0 WHERE old.due_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE due_day = old.due_at); INSERT INTO stats_rollupdirty (day, units_only) SELECT new.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = new.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (new.repeat_of_id, new.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at);INSERT INTO stats_rollupdirty (due_day, units_only) SELECT new.due_at, 0 WHERE new.due_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE due_day = new.due_at); END',
    'CREATE TRIGGER stats_dirty_unit_ai AFTER INSERT ON orgs_unit BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) SELECT NULL, NULL, 1 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND due_day IS NULL AND units_only = 1); END',
    'CREATE TRIGGER stats_dirty_unit_ad AFTER DELETE ON orgs_unit BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) SELECT NULL, NULL, 1 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND due_day IS NULL AND units_only = 1); END',
    'CREATE TRIGGER stats_dirty_unit_au AFTER UPDATE OF path, parent_id ON orgs_unit WHEN old.path IS NOT new.path OR old.parent_id IS NOT new.parent_id BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) SELECT NULL, NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND due_day IS NULL AND units_only = 0); END',
    'CREATE TRIGGER stats_dirty_category_au AFTER UPDATE OF parent_id ON petitions_category WHEN old.parent_id IS NOT new.parent_id BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) SELECT NULL, NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND due_day IS NULL AND units_only = 0); END',
]
SQLITE_BACKWARD = [
    'DROP TRIGGER IF EXISTS stats_dirty_petition_ai',
    'DROP TRIGGER IF EXISTS stats_dirty_petition_ad',
    'DROP TRIGGER IF EXISTS stats_dirty_petition_au',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_ai',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_ad',
    'DROP TRIGGER IF EXISTS stats_dirty_unit_au',
    'DROP TRIGGER IF EXISTS stats_dirty_category_au',
    'CREATE TRIGGER stats_dirty_petition_ai AFTER INSERT ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT new.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = new.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (new.repeat_of_id, new.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
    'CREATE TRIGGER stats_dirty_petition_ad AFTER DELETE ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT old.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = old.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.repeat_of_id, old.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
    'CREATE TRIGGER stats_dirty_petition_au AFTER UPDATE OF received_at, registering_unit_id, handling_unit_id, channel, persons, visit_level, is_collective, category_id, status, is_open, is_repeat, is_skip_level, is_legitimate, repeat_of_id, parallel_of_id ON petitions_petition BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT old.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = old.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (old.repeat_of_id, old.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); INSERT INTO stats_rollupdirty (day, units_only) SELECT new.received_at, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day = new.received_at);INSERT INTO stats_rollupdirty (day, units_only) SELECT p.received_at, 0 FROM petitions_petition p WHERE p.id IN (new.repeat_of_id, new.parallel_of_id) AND NOT EXISTS (SELECT 1 FROM stats_rollupdirty d WHERE d.day = p.received_at); END',
    'CREATE TRIGGER stats_dirty_unit_ai AFTER INSERT ON orgs_unit BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT NULL, 1 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND units_only = 1); END',
    'CREATE TRIGGER stats_dirty_unit_ad AFTER DELETE ON orgs_unit BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT NULL, 1 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND units_only = 1); END',
    'CREATE TRIGGER stats_dirty_unit_au AFTER UPDATE OF path, parent_id ON orgs_unit WHEN old.path IS NOT new.path OR old.parent_id IS NOT new.parent_id BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND units_only = 0); END',
    'CREATE TRIGGER stats_dirty_category_au AFTER UPDATE OF parent_id ON petitions_category WHEN old.parent_id IS NOT new.parent_id BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM stats_rollupdirty WHERE day IS NULL AND units_only = 0); END',
]
PG_UP = [
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT received_at, false FROM new_rows; IF EXISTS (SELECT 1 FROM new_rows WHERE repeat_of_id IS NOT NULL OR parallel_of_id IS NOT NULL) THEN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT repeat_of_id FROM new_rows UNION SELECT parallel_of_id FROM new_rows)); END IF; INSERT INTO stats_rollupdirty (due_day, units_only) SELECT DISTINCT due_at, false FROM new_rows WHERE due_at IS NOT NULL; RETURN NULL; END $$',
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_del() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT received_at, false FROM old_rows; IF EXISTS (SELECT 1 FROM old_rows WHERE repeat_of_id IS NOT NULL OR parallel_of_id IS NOT NULL) THEN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT repeat_of_id FROM old_rows UNION SELECT parallel_of_id FROM old_rows)); END IF; INSERT INTO stats_rollupdirty (due_day, units_only) SELECT DISTINCT due_at, false FROM old_rows WHERE due_at IS NOT NULL; RETURN NULL; END $$',
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) WITH changed AS (SELECT o.received_at AS d1, n.received_at AS d2, o.due_at AS e1, n.due_at AS e2, o.repeat_of_id AS r1, n.repeat_of_id AS r2, o.parallel_of_id AS q1, n.parallel_of_id AS q2 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.received_at, o.registering_unit_id, o.handling_unit_id, o.channel, o.persons, o.visit_level, o.is_collective, o.category_id, o.status, o.is_open, o.is_repeat, o.is_skip_level, o.is_legitimate, o.repeat_of_id, o.parallel_of_id, o.due_at) IS DISTINCT FROM (n.received_at, n.registering_unit_id, n.handling_unit_id, n.channel, n.persons, n.visit_level, n.is_collective, n.category_id, n.status, n.is_open, n.is_repeat, n.is_skip_level, n.is_legitimate, n.repeat_of_id, n.parallel_of_id, n.due_at)) SELECT DISTINCT d, NULL::date, false FROM (SELECT d1 AS d FROM changed UNION ALL SELECT d2 FROM changed UNION ALL SELECT p.received_at FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT r1 FROM changed UNION SELECT r2 FROM changed UNION SELECT q1 FROM changed UNION SELECT q2 FROM changed))) t UNION SELECT NULL::date, e, false FROM (SELECT e1 AS e FROM changed UNION SELECT e2 FROM changed) u WHERE e IS NOT NULL; RETURN NULL; END $$',
]
PG_DOWN = [
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT received_at, false FROM new_rows; IF EXISTS (SELECT 1 FROM new_rows WHERE repeat_of_id IS NOT NULL OR parallel_of_id IS NOT NULL) THEN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT repeat_of_id FROM new_rows UNION SELECT parallel_of_id FROM new_rows)); END IF; RETURN NULL; END $$',
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_del() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT received_at, false FROM old_rows; IF EXISTS (SELECT 1 FROM old_rows WHERE repeat_of_id IS NOT NULL OR parallel_of_id IS NOT NULL) THEN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT repeat_of_id FROM old_rows UNION SELECT parallel_of_id FROM old_rows)); END IF; RETURN NULL; END $$',
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) WITH changed AS (SELECT o.received_at AS d1, n.received_at AS d2, o.repeat_of_id AS r1, n.repeat_of_id AS r2, o.parallel_of_id AS q1, n.parallel_of_id AS q2 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.received_at, o.registering_unit_id, o.handling_unit_id, o.channel, o.persons, o.visit_level, o.is_collective, o.category_id, o.status, o.is_open, o.is_repeat, o.is_skip_level, o.is_legitimate, o.repeat_of_id, o.parallel_of_id) IS DISTINCT FROM (n.received_at, n.registering_unit_id, n.handling_unit_id, n.channel, n.persons, n.visit_level, n.is_collective, n.category_id, n.status, n.is_open, n.is_repeat, n.is_skip_level, n.is_legitimate, n.repeat_of_id, n.parallel_of_id)) SELECT DISTINCT d, false FROM (SELECT d1 AS d FROM changed UNION ALL SELECT d2 FROM changed UNION ALL SELECT p.received_at FROM petitions_petition p WHERE p.id = ANY (ARRAY(SELECT r1 FROM changed UNION SELECT r2 FROM changed UNION SELECT q1 FROM changed UNION SELECT q2 FROM changed))) t; RETURN NULL; END $$',
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
        # The new rollups are empty: everything is stale.
        schema_editor.execute(START, [False])

    return run


class Migration(migrations.Migration):
    dependencies = [('stats', '0004_rollup_open')]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_DOWN}),
        ),
    ]

"""PostgreSQL: the UPDATE triggers that mark stale rollup days become row triggers with a ``WHEN``.

The statement triggers of 0003/0005/0009 build transition tables and join them for every UPDATE,
which the case lifecycle runs one row at a time (each transition updates the petition, often an
assignment or a decision): about 0.2 ms of the database's CPU per statement, half the cost of a
transition's write. A row trigger whose ``WHEN`` compares the rollup columns in the executor costs
nothing when they did not change (deadline warnings, versions, texts) and a small insert when they
did. It marks exactly what the statement triggers marked for the row: its received day and
deadline day, old and new, and the received days of the petitions it repeats or runs parallel to,
old and new. INSERT and DELETE keep their statement triggers, so a bulk load marks each day once.
SQLite's triggers were row triggers already and do not change.

Frozen: the SQL as this migration applies it, written out in full; it imports nothing but Django.
The current SQLite set, which the app restores after a table rebuild, is ``xinfang.stats.triggers``.
"""

from django.db import migrations

PG_UP = [
    'CREATE OR REPLACE FUNCTION stats_dirty_petition_upd_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, due_day, units_only) SELECT DISTINCT v.d, v.e, false FROM (VALUES (OLD.received_at, NULL::date), (NEW.received_at, NULL::date), (NULL::date, OLD.due_at), (NULL::date, NEW.due_at)) v(d, e) WHERE v.d IS NOT NULL OR v.e IS NOT NULL; IF num_nonnulls(OLD.repeat_of_id, NEW.repeat_of_id, OLD.parallel_of_id, NEW.parallel_of_id) > 0 THEN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id IN (OLD.repeat_of_id, NEW.repeat_of_id, OLD.parallel_of_id, NEW.parallel_of_id); END IF; RETURN NULL; END $$',
    'CREATE OR REPLACE FUNCTION stats_dirty_facts_upd_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO stats_rollupdirty (day, units_only) SELECT DISTINCT p.received_at, false FROM petitions_petition p WHERE p.id IN (OLD.petition_id, NEW.petition_id); RETURN NULL; END $$',
    'DROP TRIGGER IF EXISTS stats_dirty_petition_upd ON petitions_petition',
    'CREATE TRIGGER stats_dirty_petition_upd_row AFTER UPDATE ON petitions_petition FOR EACH ROW WHEN ((OLD.received_at, OLD.registering_unit_id, OLD.handling_unit_id, OLD.channel, OLD.persons, OLD.visit_level, OLD.is_collective, OLD.category_id, OLD.status, OLD.is_open, OLD.is_repeat, OLD.is_skip_level, OLD.is_legitimate, OLD.repeat_of_id, OLD.parallel_of_id, OLD.due_at) IS DISTINCT FROM (NEW.received_at, NEW.registering_unit_id, NEW.handling_unit_id, NEW.channel, NEW.persons, NEW.visit_level, NEW.is_collective, NEW.category_id, NEW.status, NEW.is_open, NEW.is_repeat, NEW.is_skip_level, NEW.is_legitimate, NEW.repeat_of_id, NEW.parallel_of_id, NEW.due_at)) EXECUTE FUNCTION stats_dirty_petition_upd_row()',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_upd ON cases_assignment',
    'CREATE TRIGGER stats_dirty_assignment_upd_row AFTER UPDATE ON cases_assignment FOR EACH ROW WHEN ((OLD.petition_id, OLD.unit_id, OLD.kind, OLD.duty, OLD.is_lead, OLD.status, OLD.report_required, OLD.reported_on, OLD.accepted_on, OLD.ack_due) IS DISTINCT FROM (NEW.petition_id, NEW.unit_id, NEW.kind, NEW.duty, NEW.is_lead, NEW.status, NEW.report_required, NEW.reported_on, NEW.accepted_on, NEW.ack_due)) EXECUTE FUNCTION stats_dirty_facts_upd_row()',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_decision_upd ON cases_decision',
    'CREATE TRIGGER stats_dirty_cases_decision_upd_row AFTER UPDATE ON cases_decision FOR EACH ROW EXECUTE FUNCTION stats_dirty_facts_upd_row()',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_reviewrequest_upd ON cases_reviewrequest',
    'CREATE TRIGGER stats_dirty_cases_reviewrequest_upd_row AFTER UPDATE ON cases_reviewrequest FOR EACH ROW EXECUTE FUNCTION stats_dirty_facts_upd_row()',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_supervision_upd ON cases_supervision',
    'CREATE TRIGGER stats_dirty_cases_supervision_upd_row AFTER UPDATE ON cases_supervision FOR EACH ROW EXECUTE FUNCTION stats_dirty_facts_upd_row()',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_evaluation_upd ON cases_evaluation',
    'CREATE TRIGGER stats_dirty_cases_evaluation_upd_row AFTER UPDATE ON cases_evaluation FOR EACH ROW EXECUTE FUNCTION stats_dirty_facts_upd_row()',
]
PG_DOWN = [
    'DROP TRIGGER IF EXISTS stats_dirty_petition_upd_row ON petitions_petition',
    'DROP TRIGGER IF EXISTS stats_dirty_assignment_upd_row ON cases_assignment',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_decision_upd_row ON cases_decision',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_reviewrequest_upd_row ON cases_reviewrequest',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_supervision_upd_row ON cases_supervision',
    'DROP TRIGGER IF EXISTS stats_dirty_cases_evaluation_upd_row ON cases_evaluation',
    'CREATE TRIGGER stats_dirty_petition_upd AFTER UPDATE ON petitions_petition REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_petition_upd()',
    'CREATE TRIGGER stats_dirty_assignment_upd AFTER UPDATE ON cases_assignment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_assignment_upd()',
    'CREATE TRIGGER stats_dirty_cases_decision_upd AFTER UPDATE ON cases_decision REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
    'CREATE TRIGGER stats_dirty_cases_reviewrequest_upd AFTER UPDATE ON cases_reviewrequest REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
    'CREATE TRIGGER stats_dirty_cases_supervision_upd AFTER UPDATE ON cases_supervision REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
    'CREATE TRIGGER stats_dirty_cases_evaluation_upd AFTER UPDATE ON cases_evaluation REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()',
    'DROP FUNCTION IF EXISTS stats_dirty_petition_upd_row()',
    'DROP FUNCTION IF EXISTS stats_dirty_facts_upd_row()',
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [('stats', '0009_rollup_assignment_triggers')]

    operations = [
        migrations.RunPython(_run(PG_UP), _run(PG_DOWN)),
    ]

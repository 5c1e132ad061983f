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
"""

from importlib import import_module

from django.db import migrations

base = import_module("xinfang.stats.migrations.0003_rollup_triggers")
deadlines = import_module("xinfang.stats.migrations.0005_rollup_deadline_triggers")
assignments = import_module("xinfang.stats.migrations.0009_rollup_assignment_triggers")

DIRTY, PETITION = base.DIRTY, base.PETITION


def _changed(columns: tuple[str, ...]) -> str:
    old = ", ".join(f"OLD.{c}" for c in columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    return f"(({old}) IS DISTINCT FROM ({new}))"


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )


_PETITION_ROW = _function(
    "stats_dirty_petition_upd_row",
    f"INSERT INTO {DIRTY} (day, due_day, units_only) SELECT DISTINCT v.d, v.e, false FROM (VALUES "
    "(OLD.received_at, NULL::date), (NEW.received_at, NULL::date), (NULL::date, OLD.due_at), "
    "(NULL::date, NEW.due_at)) v(d, e) WHERE v.d IS NOT NULL OR v.e IS NOT NULL; "
    "IF num_nonnulls(OLD.repeat_of_id, NEW.repeat_of_id, OLD.parallel_of_id, NEW.parallel_of_id) > 0 THEN "
    f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false FROM {PETITION} p "
    "WHERE p.id IN (OLD.repeat_of_id, NEW.repeat_of_id, OLD.parallel_of_id, NEW.parallel_of_id); "
    "END IF;",
)
_FACT_ROW = _function(
    "stats_dirty_facts_upd_row",
    f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false FROM {PETITION} p "
    "WHERE p.id IN (OLD.petition_id, NEW.petition_id);",
)

# (table, the statement trigger replaced, the row trigger, its WHEN, its function); the statement
# triggers' functions stay (the INSERT and DELETE triggers of the fact tables share theirs).
_REPLACED = [
    (
        PETITION,
        "stats_dirty_petition_upd",
        "stats_dirty_petition_upd_row",
        _changed(deadlines.COLUMNS),
        "stats_dirty_petition_upd_row",
    ),
    (
        assignments.ASSIGNMENT,
        "stats_dirty_assignment_upd",
        "stats_dirty_assignment_upd_row",
        _changed(assignments.COLUMNS),
        "stats_dirty_facts_upd_row",
    ),
] + [
    (table, f"stats_dirty_{table}_upd", f"stats_dirty_{table}_upd_row", "", "stats_dirty_facts_upd_row")
    for table in base.FACT_TABLES
]

PG_UP = [_PETITION_ROW, _FACT_ROW]
for _table, _old, _new, _when, _function_name in _REPLACED:
    PG_UP += [
        f"DROP TRIGGER IF EXISTS {_old} ON {_table}",
        f"CREATE TRIGGER {_new} AFTER UPDATE ON {_table} FOR EACH ROW "
        + (f"WHEN {_when} " if _when else "")
        + f"EXECUTE FUNCTION {_function_name}()",
    ]

_OLD_TRIGGERS = {
    sql.split()[2]: sql
    for sql in base.PG_UP + assignments.PG_UP
    if sql.startswith("CREATE TRIGGER") and " AFTER UPDATE " in sql
}
PG_DOWN = [f"DROP TRIGGER IF EXISTS {new} ON {table}" for table, _old, new, _w, _fn in _REPLACED] + [
    _OLD_TRIGGERS[old] for _t, old, _new, _w, _fn in _REPLACED
]
PG_DOWN += [
    "DROP FUNCTION IF EXISTS stats_dirty_petition_upd_row()",
    "DROP FUNCTION IF EXISTS stats_dirty_facts_upd_row()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("stats", "0009_rollup_assignment_triggers")]

    operations = [migrations.RunPython(_run(PG_UP), _run(PG_DOWN))]

"""Triggers that note which received days the statistics rollups must recompute (stats.rollups).

Every INSERT, UPDATE and DELETE of a petition marks its received day (old and new) and the day of
the petition it repeats or runs parallel to (their 息诉 and 并行 facts change); replies, review
requests, supervision and ratings mark their petition's day. Triggers see ``QuerySet.update()``
and bulk loads, which Django signals miss. A moved unit or category marks everything; an added or
removed unit marks the scope members only (it holds no petition).

SQLite: row triggers, one mark per day (the refresh holds the write lock, so a mark cannot slip in
between its read and its delete). SQLite drops a table's triggers when a migration rebuilds the
table: ``stats.dbtriggers.ensure_rollup_triggers`` re-creates them after every ``migrate``.
PostgreSQL: statement triggers with transition tables, so a bulk COPY marks each day once.
"""

from django.db import migrations

DIRTY = "stats_rollupdirty"
PETITION = "petitions_petition"
FACT_TABLES = ("cases_decision", "cases_reviewrequest", "cases_supervision", "cases_evaluation")
# The petition columns the rollups read; other updates (deadline alerts, versions) mark nothing.
COLUMNS = (
    "received_at", "registering_unit_id", "handling_unit_id", "channel", "persons", "visit_level",
    "is_collective", "category_id", "status", "is_open", "is_repeat", "is_skip_level", "is_legitimate",
    "repeat_of_id", "parallel_of_id",
)  # fmt: skip


def _mark(day: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT {day}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE day = {day});"
    )


def _mark_petitions(ids: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT p.received_at, 0 FROM {PETITION} p "
        f"WHERE p.id IN ({ids}) AND NOT EXISTS (SELECT 1 FROM {DIRTY} d WHERE d.day = p.received_at);"
    )


def _mark_all(units_only: int) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT NULL, {units_only} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE day IS NULL AND units_only = {units_only});"
    )


def _sqlite_petition(row: str) -> str:
    return _mark(f"{row}.received_at") + _mark_petitions(f"{row}.repeat_of_id, {row}.parallel_of_id")


SQLITE_TRIGGERS = {
    "stats_dirty_petition_ai": f"AFTER INSERT ON {PETITION} BEGIN {_sqlite_petition('new')} END",
    "stats_dirty_petition_ad": f"AFTER DELETE ON {PETITION} BEGIN {_sqlite_petition('old')} END",
    "stats_dirty_petition_au": f"AFTER UPDATE OF {', '.join(COLUMNS)} ON {PETITION} BEGIN "
    f"{_sqlite_petition('old')} {_sqlite_petition('new')} END",
    "stats_dirty_unit_ai": f"AFTER INSERT ON orgs_unit BEGIN {_mark_all(1)} END",
    "stats_dirty_unit_ad": f"AFTER DELETE ON orgs_unit BEGIN {_mark_all(1)} END",
    "stats_dirty_unit_au": "AFTER UPDATE OF path, parent_id ON orgs_unit "
    f"WHEN old.path IS NOT new.path OR old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
    "stats_dirty_category_au": "AFTER UPDATE OF parent_id ON petitions_category "
    f"WHEN old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
}
for _table in FACT_TABLES:
    SQLITE_TRIGGERS[f"stats_dirty_{_table}_ai"] = (
        f"AFTER INSERT ON {_table} BEGIN {_mark_petitions('new.petition_id')} END"
    )
    SQLITE_TRIGGERS[f"stats_dirty_{_table}_ad"] = (
        f"AFTER DELETE ON {_table} BEGIN {_mark_petitions('old.petition_id')} END"
    )
    SQLITE_TRIGGERS[f"stats_dirty_{_table}_au"] = (
        f"AFTER UPDATE ON {_table} BEGIN {_mark_petitions('old.petition_id, new.petition_id')} END"
    )

SQLITE_UP = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )


def _pg_rows(rows: str) -> str:
    """Mark the days of the petitions in transition table ``rows`` and of those they point at
    (``= ANY(ARRAY(…))``: an index lookup per id, whatever the planner guesses of ``rows``)."""
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT received_at, false FROM {rows}; "
        f"IF EXISTS (SELECT 1 FROM {rows} WHERE repeat_of_id IS NOT NULL OR parallel_of_id IS NOT NULL) THEN "
        f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false FROM {PETITION} p "
        f"WHERE p.id = ANY (ARRAY(SELECT repeat_of_id FROM {rows} UNION SELECT parallel_of_id FROM {rows})); "
        "END IF;"
    )


_OLD = ", ".join(f"o.{c}" for c in COLUMNS)
_NEW = ", ".join(f"n.{c}" for c in COLUMNS)
_CHANGED = (
    "WITH changed AS (SELECT o.received_at AS d1, n.received_at AS d2, o.repeat_of_id AS r1, "
    "n.repeat_of_id AS r2, o.parallel_of_id AS q1, n.parallel_of_id AS q2 "
    f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})) "
)
PG_UP = [
    _pg_function("stats_dirty_petition_ins", _pg_rows("new_rows")),
    _pg_function("stats_dirty_petition_del", _pg_rows("old_rows")),
    _pg_function(
        "stats_dirty_petition_upd",
        f"INSERT INTO {DIRTY} (day, units_only) {_CHANGED}"
        "SELECT DISTINCT d, false FROM (SELECT d1 AS d FROM changed UNION ALL SELECT d2 FROM changed "
        f"UNION ALL SELECT p.received_at FROM {PETITION} p WHERE p.id = ANY (ARRAY("
        "SELECT r1 FROM changed UNION SELECT r2 FROM changed UNION SELECT q1 FROM changed "
        "UNION SELECT q2 FROM changed))) t;",
    ),
    _pg_function(
        "stats_dirty_facts",
        "IF TG_OP <> 'DELETE' THEN "
        f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false FROM {PETITION} p "
        "WHERE p.id = ANY (ARRAY(SELECT petition_id FROM new_rows)); END IF; "
        "IF TG_OP <> 'INSERT' THEN "
        f"INSERT INTO {DIRTY} (day, units_only) SELECT DISTINCT p.received_at, false FROM {PETITION} p "
        "WHERE p.id = ANY (ARRAY(SELECT petition_id FROM old_rows)); END IF;",
    ),
    _pg_function("stats_dirty_all", f"INSERT INTO {DIRTY} (day, units_only) VALUES (NULL, false);"),
    _pg_function("stats_dirty_units", f"INSERT INTO {DIRTY} (day, units_only) VALUES (NULL, true);"),
    f"CREATE TRIGGER stats_dirty_petition_ins AFTER INSERT ON {PETITION} REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_petition_ins()",
    f"CREATE TRIGGER stats_dirty_petition_del AFTER DELETE ON {PETITION} REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_petition_del()",
    f"CREATE TRIGGER stats_dirty_petition_upd AFTER UPDATE ON {PETITION} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_petition_upd()",
    "CREATE TRIGGER stats_dirty_unit_ins AFTER INSERT OR DELETE ON orgs_unit "
    "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_units()",
    "CREATE TRIGGER stats_dirty_unit_upd AFTER UPDATE ON orgs_unit FOR EACH ROW "
    "WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.parent_id IS DISTINCT FROM NEW.parent_id) "
    "EXECUTE FUNCTION stats_dirty_all()",
    "CREATE TRIGGER stats_dirty_category_upd AFTER UPDATE ON petitions_category FOR EACH ROW "
    "WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) EXECUTE FUNCTION stats_dirty_all()",
]
for _table in FACT_TABLES:
    PG_UP += [
        f"CREATE TRIGGER stats_dirty_{_table}_ins AFTER INSERT ON {_table} REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()",
        f"CREATE TRIGGER stats_dirty_{_table}_upd AFTER UPDATE ON {_table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()",
        f"CREATE TRIGGER stats_dirty_{_table}_del AFTER DELETE ON {_table} REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_facts()",
    ]
_PG_TRIGGERS = [
    (sql.split()[2], sql.split(" ON ")[1].split()[0]) for sql in PG_UP if sql.startswith("CREATE TRIGGER")
]
PG_DOWN = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in _PG_TRIGGERS] + [
    f"DROP FUNCTION IF EXISTS {name}()"
    for name in (
        "stats_dirty_petition_ins",
        "stats_dirty_petition_del",
        "stats_dirty_petition_upd",
        "stats_dirty_facts",
        "stats_dirty_all",
        "stats_dirty_units",
    )
]
# Everything starts stale: the first reader (or ``stats_refresh --all``) builds the rollups.
START = ["INSERT INTO stats_rollupdirty (day, units_only) VALUES (NULL, %s)"]


def _run(statements_by_vendor, start=False):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
        if start:
            schema_editor.execute(START[0], [False])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_rollups"),
        ("petitions", "0008_detection_blocking_index"),
        ("cases", "0004_evaluation"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}, start=True),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]

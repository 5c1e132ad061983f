"""The SQL of the triggers that mark which days the statistics rollups must recompute (stats.rollups),
as the database holds it after ``migrate``.

Every INSERT, UPDATE and DELETE of a petition marks its received day and its deadline day (old and
new) and the received day of the petition it repeats or runs parallel to; an assignment, reply,
review request, supervision or rating marks its petition's day; a moved unit or category marks
everything, an added or removed unit the scope members only. An UPDATE marks something only when a
column the rollups read changed: ``PETITION_COLUMNS`` and ``ASSIGNMENT_COLUMNS`` (a test holds them
to the columns ``stats.rollups`` reads).

This module is the one home of that SQL for the app: ``stats.dbtriggers`` restores the SQLite set
from it after a table rebuild. Migrations carry frozen copies of what they install (0003, 0005,
0009, 0010); a migration that changes a trigger copies its new SQL from here and changes this
module with it. On PostgreSQL, UPDATEs are row triggers with a ``WHEN`` over the same columns
(migration 0010) and INSERT/DELETE statement triggers; PostgreSQL keeps triggers across ALTER TABLE,
so nothing restores them at run time.
"""

from __future__ import annotations

DIRTY = "stats_rollupdirty"
PETITION = "petitions_petition"
ASSIGNMENT = "cases_assignment"
# Tables of facts about a petition (replies, review requests, supervision, ratings): any change
# marks the petition's day.
FACT_TABLES = ("cases_decision", "cases_reviewrequest", "cases_supervision", "cases_evaluation")
# The petition columns the rollups read; other updates (deadline alerts, versions, texts) mark nothing.
PETITION_COLUMNS = (
    "received_at", "registering_unit_id", "handling_unit_id", "channel", "persons", "visit_level",
    "is_collective", "category_id", "status", "is_open", "is_repeat", "is_skip_level", "is_legitimate",
    "repeat_of_id", "parallel_of_id", "due_at",
)  # fmt: skip
# The assignment columns the rollup of assignments reads.
ASSIGNMENT_COLUMNS = (
    "petition_id", "unit_id", "kind", "duty", "is_lead", "status", "report_required", "reported_on",
    "accepted_on", "ack_due",
)  # fmt: skip
# Everything stale: the first reader (or ``stats_refresh --all``) rebuilds the rollups.
MARK_EVERYTHING = f"INSERT INTO {DIRTY} (day, units_only) VALUES (NULL, %s)"  # noqa: S608 - constant names


def _mark(day: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT {day}, 0 "  # noqa: S608 - constant names
        f"WHERE NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE day = {day});"
    )


def _mark_due(day: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (due_day, units_only) SELECT {day}, 0 WHERE {day} IS NOT NULL "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE due_day = {day});"
    )


def _mark_petitions(ids: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, units_only) SELECT p.received_at, 0 FROM {PETITION} p "  # noqa: S608
        f"WHERE p.id IN ({ids}) AND NOT EXISTS (SELECT 1 FROM {DIRTY} d WHERE d.day = p.received_at);"
    )


def _mark_all(units_only: int) -> str:
    return (
        f"INSERT INTO {DIRTY} (day, due_day, units_only) SELECT NULL, NULL, {units_only} "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {DIRTY} WHERE day IS NULL AND due_day IS NULL "
        f"AND units_only = {units_only});"
    )


def _petition_row(row: str) -> str:
    return (
        _mark(f"{row}.received_at")
        + _mark_petitions(f"{row}.repeat_of_id, {row}.parallel_of_id")
        + _mark_due(f"{row}.due_at")
    )


def _sqlite_triggers() -> dict[str, str]:
    triggers = {
        "stats_dirty_petition_ai": f"AFTER INSERT ON {PETITION} BEGIN {_petition_row('new')} END",
        "stats_dirty_petition_ad": f"AFTER DELETE ON {PETITION} BEGIN {_petition_row('old')} END",
        "stats_dirty_petition_au": f"AFTER UPDATE OF {', '.join(PETITION_COLUMNS)} ON {PETITION} BEGIN "
        f"{_petition_row('old')} {_petition_row('new')} END",
        "stats_dirty_unit_ai": f"AFTER INSERT ON orgs_unit BEGIN {_mark_all(1)} END",
        "stats_dirty_unit_ad": f"AFTER DELETE ON orgs_unit BEGIN {_mark_all(1)} END",
        "stats_dirty_unit_au": "AFTER UPDATE OF path, parent_id ON orgs_unit "
        f"WHEN old.path IS NOT new.path OR old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
        "stats_dirty_category_au": "AFTER UPDATE OF parent_id ON petitions_category "
        f"WHEN old.parent_id IS NOT new.parent_id BEGIN {_mark_all(0)} END",
    }
    for table in FACT_TABLES:
        triggers[f"stats_dirty_{table}_ai"] = (
            f"AFTER INSERT ON {table} BEGIN {_mark_petitions('new.petition_id')} END"
        )
        triggers[f"stats_dirty_{table}_ad"] = (
            f"AFTER DELETE ON {table} BEGIN {_mark_petitions('old.petition_id')} END"
        )
        triggers[f"stats_dirty_{table}_au"] = (
            f"AFTER UPDATE ON {table} BEGIN {_mark_petitions('old.petition_id, new.petition_id')} END"
        )
    triggers["stats_dirty_assignment_ai"] = (
        f"AFTER INSERT ON {ASSIGNMENT} BEGIN {_mark_petitions('new.petition_id')} END"
    )
    triggers["stats_dirty_assignment_ad"] = (
        f"AFTER DELETE ON {ASSIGNMENT} BEGIN {_mark_petitions('old.petition_id')} END"
    )
    triggers["stats_dirty_assignment_au"] = (
        f"AFTER UPDATE OF {', '.join(ASSIGNMENT_COLUMNS)} ON {ASSIGNMENT} BEGIN "
        f"{_mark_petitions('old.petition_id, new.petition_id')} END"
    )
    return triggers


# name -> everything after ``CREATE TRIGGER name``
SQLITE_TRIGGERS = _sqlite_triggers()
SQLITE_CREATE = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]

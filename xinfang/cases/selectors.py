"""Readers of one case's records: its assignments, extensions, decisions, reviews, execution tasks,
supervisions and notices. The transitions and the API's answer read them on every request: the
transitions' look-ups are compiled to SQL once per process (``xinfang.prepared``), the answer reads
all seven lists in one statement (``case_records``). The caller has reached the case through
``cases.access.access_petition``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.db import connection

from xinfang.cases.models import ACTIVE_ASSIGNMENT, Assignment, Decision
from xinfang.petitions.models import Petition
from xinfang.prepared import Prepared

_ASSIGNMENTS = Prepared(
    lambda petition: Assignment.objects.filter(petition_id=petition).select_related("unit"), petition=int
)
_LEAD = Prepared(
    lambda petition: Assignment.objects.filter(
        petition_id=petition, is_lead=True, status__in=ACTIVE_ASSIGNMENT
    )[:1],
    petition=int,
)
_ACTIVE = Prepared(
    lambda petition: Assignment.objects.filter(
        petition_id=petition, status__in=ACTIVE_ASSIGNMENT
    ).select_related("unit"),
    petition=int,
)
_LATEST_DECISION = Prepared(
    lambda petition, kind: Decision.objects.filter(petition_id=petition, kind=kind).order_by(
        "-issued_on", "-id"
    )[:1],
    petition=int,
    kind=str,
)


def assignments_of(petition: Petition) -> list[Assignment]:
    """Every unit the case went to, lead first, with the unit."""
    return _ASSIGNMENTS.all(petition=petition.pk)


def lead_assignment(petition: Petition) -> Assignment | None:
    """The open 主办 (or the one unit of a 转送)."""
    return _LEAD.first(petition=petition.pk)


def active_assignments(petition: Petition) -> list[Assignment]:
    """The open assignments, the lead's first (``Assignment.Meta.ordering``), with their units."""
    return _ACTIVE.all(petition=petition.pk)


def latest_decision(petition: Petition, kind: str) -> Decision | None:
    return _LATEST_DECISION.first(petition=petition.pk, kind=kind)


# --- the case's records for the API's answer, in one statement ---------------------------------

# (key, table, {output key: column; "u.code" is the unit's code}, boolean keys, order)
_RECORDS: tuple[tuple[str, str, dict[str, str], tuple[str, ...], Callable[[dict[str, Any]], Any]], ...] = (
    (
        "assignments",
        "cases_assignment",
        {
            "id": "r.id", "unit": "u.code", "kind": "r.kind", "duty": "r.duty", "is_lead": "r.is_lead",
            "status": "r.status", "sent_on": "r.sent_on", "ack_due": "r.ack_due",
            "objection_due": "r.objection_due", "due_at": "r.due_at", "accepted_on": "r.accepted_on",
            "reported_on": "r.reported_on", "share": "r.share",
        },
        ("is_lead",),
        lambda r: (not r["is_lead"], r["id"]),  # Assignment.Meta.ordering
    ),
    (
        "extensions",
        "cases_extension",
        {
            "id": "r.id", "days": "r.days", "reason": "r.reason", "status": "r.status",
            "old_due": "r.old_due", "new_due": "r.new_due",
        },
        (),
        lambda r: r["id"],
    ),
    (
        "decisions",
        "cases_decision",
        {
            "id": "r.id", "kind": "r.kind", "unit": "u.code", "outcome": "r.outcome",
            "issued_on": "r.issued_on", "delivered_on": "r.delivered_on",
        },
        (),
        lambda r: (r["issued_on"], r["id"]),
    ),
    (
        "review_requests",
        "cases_reviewrequest",
        {
            "id": "r.id", "level": "r.level", "unit": "u.code", "requested_on": "r.requested_on",
            "due_at": "r.due_at", "hearing_days": "r.hearing_days", "decided": "r.decided",
        },
        ("decided",),
        lambda r: (r["requested_on"], r["id"]),
    ),
    (
        "execution_tasks",
        "cases_executiontask",
        {"id": "r.id", "description": "r.description", "due_at": "r.due_at", "done_on": "r.done_on"},
        (),
        lambda r: r["id"],
    ),
    (
        "supervisions",
        "cases_supervision",
        {
            "id": "r.id", "unit": "u.code", "level": "r.level", "automatic": "r.automatic",
            "issued_on": "r.issued_on", "reply_due": "r.reply_due", "replied_on": "r.replied_on",
        },
        ("automatic",),
        lambda r: (r["issued_on"], r["id"]),  # newest first (Supervision.Meta.ordering), reversed below
    ),
    (
        "notices",
        "cases_notice",
        {"id": "r.id", "kind": "r.kind", "number": "r.number", "created_at": "r.created_at"},
        (),
        lambda r: (r["created_at"], r["id"]),
    ),
)  # fmt: skip
_NEWEST_FIRST = {"supervisions"}


@functools.cache
def _records_sql(vendor: str) -> str:
    build = "json_build_object" if vendor == "postgresql" else "json_object"
    parts = []
    # The unit's code by its key, row by row (every unit key here is NOT NULL), not a join: with
    # a case's one or two rows a join's plan followed the tables' statistics into hashing all
    # 2,410 units (PostgreSQL, 0.4 ms of a 0.8 ms statement).
    unit_code = "(SELECT u.code FROM orgs_unit u WHERE u.id = r.unit_id)"
    for key, table, columns, _bools, _order in _RECORDS:
        pairs = ", ".join(
            f"'{name}', {unit_code if expr == 'u.code' else expr}" for name, expr in columns.items()
        )
        sql = f"SELECT '{key}', {build}({pairs}) FROM {table} r WHERE r.petition_id = %s"  # noqa: S608 - constants
        parts.append(sql)
    return " UNION ALL ".join(parts)


def case_records(petition: Petition) -> dict[str, list[dict[str, Any]]]:
    """The case's assignments, extensions, decisions, reviews, execution tasks, supervisions and
    notices as the API shows them (dates as YYYY-MM-DD), in each model's order: one statement
    instead of seven, which on PostgreSQL is a quarter of a lifecycle's time (docs/benchmarks.md).
    Held to the ORM's records by cases/tests/test_selectors.py."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key, *_ in _RECORDS}
    with connection.cursor() as cursor:
        cursor.execute(_records_sql(connection.vendor), [petition.pk] * len(_RECORDS))
        for key, value in cursor.fetchall():
            out[key].append(json.loads(value) if isinstance(value, str) else value)
    for key, _table, _columns, bools, order in _RECORDS:
        rows = out[key]
        for row in rows:
            for name in bools:
                row[name] = bool(row[name])
        rows.sort(key=order, reverse=key in _NEWEST_FIRST)
    return out

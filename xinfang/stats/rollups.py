# SQL here is built from our own table and column names; every value is a parameter.
# ruff: noqa: S608
"""Pre-aggregated figures (rollups) that keep the dashboard and the paragraph fast at a million
petitions, exactly (issue 5).

A rollup row counts the petitions of one received day, seen from one *scope* unit, per combination
of a few dimensions (``CUBES``; ``items`` = 批次/件, ``persons`` = the sum of ``persons``). The scopes
are the units at most ``MAX_DEPTH`` levels deep (the province and its cities, or a county and its
townships): their figures are the ones read often and the ones a scan of the petition table makes
slow. A petition is in a scope's figures when it was registered or is held within the scope's
subtree (``unit_basis`` "either"; a root scope sees every petition), and it is attributed to the
scope's child that holds it (``child``, for the split by unit).

The engine (``stats.selectors.compute``) evaluates a metric on a rollup when every column its
filters, split and measures read is one of the rollup's dimensions — the *same* ``Q`` objects as on
the petition table, facts from other tables being columns here (``metrics.ROLLUP``); anything else
(deadlines, the split by every unit, other unit bases, a sub-category filter) reads the petition
table. So the two cannot drift apart, and ``tests/test_rollups.py`` checks every metric both ways.

Freshness: database triggers (migration 0003) note every changed received day in ``RollupDirty``;
``refresh()`` recomputes those days in one transaction before the rollups are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db import connections, models, transaction

from xinfang.cases.models import (
    Assignment,
    Decision,
    DecisionKind,
    Evaluation,
    EvaluationTarget,
    ReviewRequest,
    Supervision,
)
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import ORGAN_OWES_ACTION
from xinfang.stats.models import (
    RollupAssignments,
    RollupCategories,
    RollupCategoriesMonth,
    RollupCounts,
    RollupDirty,
    RollupMember,
    RollupOpen,
    RollupOpenByDue,
    RollupOutcomes,
    RollupOutcomesMonth,
    RollupUnits,
    RollupUnitsMonth,
)

# Units at most this deep (``/1/`` is 1, ``/1/5/`` is 2) get their figures pre-aggregated.
MAX_DEPTH = 2
# Past this many stale days a refresh rebuilds everything (one pass is cheaper than many days).
FULL_REBUILD_DAYS = 400
_LOCK_KEY = 5_0001  # PostgreSQL advisory lock: one refresh at a time


@dataclass(frozen=True)
class Cube:
    model: type[models.Model]
    columns: tuple[str, ...]  # dimensions besides scope and the key
    key: str = "received_at"  # the day its rows belong to (kept fresh by that day)
    # Only open matters on which the organ owes the next step and that have a deadline
    # (``OPEN_SQL``): usable for a measure only when its filter implies that (``implies_open``).
    open_only: bool = False
    # The same rows summed by calendar month, for the whole months of a period.
    monthly: type[models.Model] | None = None
    # Its rows count petitions (persons too) or assignments (by their petition's day and scope).
    source: str = "petition"

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(("scope", self.key, *self.columns))


COMMON = ("channel", "visit_level", "is_legitimate")
FLAGS = ("is_collective", "is_skip_level", "is_repeat")
FACTS = (
    "has_later_repeat",
    "has_review",
    "has_opinion",
    "missed_deadline",
    "supervised",
    "is_parallel",
    *(f"eval_{target}" for target in EvaluationTarget.values),
)
# Smallest first: a query reads the first rollup that has every column it needs.
CUBES = (
    Cube(RollupCounts, (*COMMON, *FLAGS)),
    Cube(RollupCategories, (*COMMON, "category"), monthly=RollupCategoriesMonth),
    Cube(RollupOpen, (*COMMON, "due_at", "status", "is_open"), open_only=True),
    Cube(RollupUnits, (*COMMON, "child", "status", "is_open"), monthly=RollupUnitsMonth),
    Cube(RollupOutcomes, (*COMMON, *FLAGS, "status", "is_open", *FACTS), monthly=RollupOutcomesMonth),
    Cube(RollupOpenByDue, ("child", "status", "is_open"), key="due_at", open_only=True),
)
# The assignments (转送/交办 parts) with the petition columns the filters read and their own facts.
ASSIGNMENT_CUBES = (
    Cube(
        RollupAssignments,
        (*COMMON, "category", "child", "kind", "duty", "is_lead", "status", "report_required", "reported",
         "accepted", "accepted_in_time", "ack_due"),
        source="assignment",
    ),
)  # fmt: skip
ALL_CUBES = (*CUBES, *ASSIGNMENT_CUBES)
OWES = sorted(status.value for status in ORGAN_OWES_ACTION)
OPEN_SQL = "p.is_open AND p.due_at IS NOT NULL AND p.status IN ({})".format(", ".join(f"'{s}'" for s in OWES))


def depth(path: str) -> int:
    return len([part for part in path.split("/") if part])


def is_scope(unit: Unit) -> bool:
    return depth(unit.path) <= MAX_DEPTH


def _conjuncts(q: models.Q) -> list[tuple[str, Any]]:
    """The lookups every row matching ``q`` satisfies (its top-level AND terms)."""
    if q.negated or (q.connector != models.Q.AND and len(q.children) > 1):
        return []
    terms: list[tuple[str, Any]] = []
    for child in q.children:
        if isinstance(child, models.Q):
            terms += _conjuncts(child)
        else:
            # A Q's non-Q children are its (lookup, value) pairs; the stubs type them as any Node.
            terms.append(cast(tuple[str, Any], child))
    return terms


def implies_open(q: models.Q) -> bool:
    """True when every row matching ``q`` is open, owed a step by the organ and has a deadline
    (``overdue_q`` and anything narrower): such a measure may read an ``open_only`` rollup."""
    terms = _conjuncts(q)
    is_open = ("is_open", True) in terms
    owes = any((k == "status__in" and set(v) <= set(OWES)) or (k == "status" and v in OWES) for k, v in terms)
    deadline = any(k in ("due_at__lt", "due_at__lte", "due_at", "due_at__range") for k, _v in terms)
    return is_open and owes and deadline


def cube_for(
    fields: Iterable[str], filters: Sequence[models.Q] = (), cubes: Sequence[Cube] = CUBES
) -> Cube | None:
    """The smallest of ``cubes`` holding every one of ``fields`` (and whose rows are all the rows
    each of ``filters`` can match), or None."""
    wanted = set(fields)
    for cube in cubes:
        if wanted <= cube.dims and (
            not cube.open_only or (filters and all(implies_open(q) for q in filters))
        ):
            return cube
    return None


# --- building ---------------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return model._meta.db_table


def _expressions(scope: str) -> dict[str, str]:
    """Each rollup column as SQL over petition ``p`` seen from scope ``scope``."""
    petitions, members = _table(Petition), _table(RollupMember)
    evaluation = _table(Evaluation)
    exprs = {
        "scope_id": scope,
        **{name: f"p.{name}" for name in (*COMMON, *FLAGS, "received_at", "due_at", "status", "is_open")},
        "category_id": f"COALESCE((SELECT k.parent_id FROM {_table(Category)} k WHERE k.id = p.category_id), "
        "p.category_id)",
        "child_id": f"COALESCE((SELECT c.child_id FROM {members} c WHERE c.scope_id = {scope} "
        f"AND c.unit_id = COALESCE(p.handling_unit_id, p.registering_unit_id)), {scope})",
        "has_later_repeat": f"EXISTS (SELECT 1 FROM {petitions} r WHERE r.repeat_of_id = p.id)",
        "has_review": f"EXISTS (SELECT 1 FROM {_table(ReviewRequest)} v WHERE v.petition_id = p.id)",
        "has_opinion": f"EXISTS (SELECT 1 FROM {_table(Decision)} d WHERE d.petition_id = p.id "
        f"AND d.kind = '{DecisionKind.OPINION.value}')",
        "missed_deadline": f"EXISTS (SELECT 1 FROM {_table(Supervision)} s WHERE s.petition_id = p.id "
        "AND s.automatic)",
        "supervised": f"EXISTS (SELECT 1 FROM {_table(Supervision)} s WHERE s.petition_id = p.id)",
        "is_parallel": f"(p.parallel_of_id IS NOT NULL OR EXISTS (SELECT 1 FROM {petitions} q "
        "WHERE q.parallel_of_id = p.id))",
        "persons": "p.persons",
    }
    for target in EvaluationTarget.values:
        exprs[f"eval_{target}"] = (
            f"COALESCE((SELECT e.satisfaction FROM {evaluation} e WHERE e.petition_id = p.id "
            f"AND e.target = '{target}'), '')"
        )
    return exprs


def _assignment_expressions(scope: str) -> dict[str, str]:
    """The assignment rollup's own columns as SQL over assignment ``a`` seen from ``scope``: the
    split by unit is by the *assigned* unit (as on the raw table)."""
    return {
        "child_id": f"COALESCE((SELECT c.child_id FROM {_table(RollupMember)} c WHERE c.scope_id = {scope} "
        f"AND c.unit_id = a.unit_id), {scope})",
        **{name: f"a.{name}" for name in ("kind", "duty", "is_lead", "status", "report_required")},
        "reported": "(a.reported_on IS NOT NULL)",
        "accepted": "(a.accepted_on IS NOT NULL)",
        # 及时受理 (条例第二十三条): accepted on or before the 受理告知 deadline.
        "accepted_in_time": "(a.accepted_on IS NOT NULL AND a.accepted_on <= a.ack_due)",
        "ack_due": "CASE WHEN a.accepted_on IS NULL THEN a.ack_due END",
    }


def _insert_sql(cube: Cube, where: str) -> str:
    """INSERT … SELECT of ``cube``'s rows for the petitions matching ``where`` (over ``p``) — or
    their assignments (``a``) for an assignment rollup.

    Each petition is expanded to the scopes holding its registering unit, then to those holding
    its responsible unit and not its registering one (so it is counted once per scope)."""
    petitions, members = _table(Petition), _table(RollupMember)
    columns = ["scope_id", cube.key, *_columns(cube)]
    exprs = _expressions("m.scope_id")
    if cube.source == "assignment":
        exprs.update(_assignment_expressions("m.scope_id"))
        rows = f"{petitions} p JOIN {_table(Assignment)} a ON a.petition_id = p.id"
    else:
        rows = f"{petitions} p"
    if cube.open_only:
        where = f"({where}) AND {OPEN_SQL}"
    inner = ", ".join(f"{exprs[c]} AS {c}" for c in columns) + ", p.persons AS persons"
    branches = (
        f"SELECT {inner} FROM {rows} JOIN {members} m ON m.unit_id = p.registering_unit_id WHERE {where}",
        f"SELECT {inner} FROM {rows} JOIN {members} m ON m.unit_id = p.handling_unit_id "
        f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM {members} o WHERE o.scope_id = m.scope_id "
        "AND o.unit_id = p.registering_unit_id)",
    )
    names = ", ".join(columns)
    measures = (
        ("items", "COUNT(*)") if cube.source == "assignment" else ("items, persons", "COUNT(*), SUM(persons)")
    )
    return (
        f"INSERT INTO {_table(cube.model)} ({names}, {measures[0]}) "
        f"SELECT {names}, {measures[1]} FROM ({branches[0]} UNION ALL {branches[1]}) t "
        f"GROUP BY {names}"
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def split_months(start: date, end: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The days of ``start..end`` outside whole calendar months, and the first days of the first
    and last whole months (None when there is none)."""
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last = end if end == month_end(end) else month_start(end) - timedelta(days=1)
    if first > last:
        return [(start, end)], None
    edges = [
        (a, b) for a, b in ((start, first - timedelta(days=1)), (last + timedelta(days=1), end)) if a <= b
    ]
    return edges, (first, month_start(last))


def _columns(cube: Cube) -> list[str]:
    return [f"{c}_id" if c in ("category", "child") else c for c in cube.columns]


def _rebuild_months(cube: Cube, months: Iterable[date], cursor: Any) -> None:
    """Sum the daily rows of each month into ``cube.monthly``."""
    assert cube.monthly is not None  # noqa: S101
    table, daily = _table(cube.monthly), _table(cube.model)
    names = ", ".join(["scope_id", *_columns(cube)])
    for first in months:
        cursor.execute(f"DELETE FROM {table} WHERE received_at = %s", [first])
        cursor.execute(
            f"INSERT INTO {table} (received_at, {names}, items, persons) SELECT %s, {names}, SUM(items), "
            f"SUM(persons) FROM {daily} WHERE received_at BETWEEN %s AND %s GROUP BY {names}",
            [first, first, month_end(first)],
        )


def rebuild_members(using: str = "default") -> int:
    """The scopes and the units in each one's figures, from the unit tree."""
    units = list(Unit.objects.using(using).values_list("pk", "parent_id", "path"))
    members = []
    for scope_id, parent_id, scope_path in units:
        if depth(scope_path) > MAX_DEPTH:
            continue
        for unit_id, _parent, path in units:
            inside = path.startswith(scope_path)
            if not inside and parent_id is not None:
                continue
            child = scope_id
            if inside and path != scope_path:
                child = int(path[len(scope_path) :].strip("/").split("/")[0])
            members.append(RollupMember(scope_id=scope_id, unit_id=unit_id, child_id=child))
    RollupMember.objects.using(using).all().delete()
    RollupMember.objects.using(using).bulk_create(members, batch_size=2000)
    _analyze([RollupMember], using)  # the refresh joins it: the planner must know its size
    return len(members)


def _analyze(models_: Iterable[type[models.Model]], using: str) -> None:
    with connections[using].cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {_table(model)}")


def _rebuild(days: dict[str, list[date]] | None, using: str) -> None:
    """Recompute every rollup (``days`` None) or the rows of the given days, by key column."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for cube in ALL_CUBES:
            table = _table(cube.model)
            if days is None:
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(_insert_sql(cube, "1 = 1"))
                if cube.monthly is not None:
                    cursor.execute(f"DELETE FROM {_table(cube.monthly)}")
                    months = cube.model._default_manager.using(using).dates("received_at", "month")
                    _rebuild_months(cube, list(months), cursor)
                continue
            mine = days[cube.key]
            for start in range(0, len(mine), 200):
                chunk = mine[start : start + 200]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE {cube.key} IN ({marks})", chunk)
                cursor.execute(_insert_sql(cube, f"p.{cube.key} IN ({marks})"), chunk + chunk)
            if cube.monthly is not None:
                _rebuild_months(cube, sorted({month_start(day) for day in mine}), cursor)


def refresh(*, full: bool = False, using: str = "default") -> dict[str, Any]:
    """Recompute the stale days (everything with ``full``); cheap when nothing is stale."""
    if not full and not RollupDirty.objects.using(using).exists():
        return {"days": 0}
    connection = connections[using]
    with transaction.atomic(using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
                # The correlated lookups inflate the cost estimates: JIT compiling would take
                # longer than a refresh of a few days (0.5 s measured).
                cursor.execute("SET LOCAL jit = off")
        # On SQLite the transaction is IMMEDIATE: it holds the write lock from here on.
        marks = list(RollupDirty.objects.using(using).values_list("pk", "day", "due_day", "units_only"))
        if not marks and not full:
            return {"days": 0}
        days = sorted({day for _pk, day, _due, _u in marks if day is not None})
        due_days = sorted({due for _pk, _day, due, _u in marks if due is not None})
        whole = [units for _pk, day, due, units in marks if day is None and due is None]
        everything = full or not all(whole) or max(len(days), len(due_days)) > FULL_REBUILD_DAYS
        if everything or whole:
            rebuild_members(using)
        if everything:
            _rebuild(None, using)
            _analyze([m for cube in ALL_CUBES for m in (cube.model, cube.monthly) if m is not None], using)
        elif days or due_days:
            _rebuild({"received_at": days, "due_at": due_days}, using)
        ids = [pk for pk, *_rest in marks]
        for start in range(0, len(ids), 5000):
            RollupDirty.objects.using(using).filter(pk__in=ids[start : start + 5000]).delete()
    return {"days": "all" if everything else len(days), "due_days": "all" if everything else len(due_days)}

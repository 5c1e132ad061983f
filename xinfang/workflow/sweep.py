"""The deadline sweep (``xinfang sweep``): 临期 and 超期 warnings, automatic 督办, and closing
matters whose review window has passed.

Set-based: a batch of cases is claimed in one query, flagged in one ``UPDATE``, and its 督办单,
case events and audit entries are written by one ``INSERT … SELECT`` each, so the first sweep of
an old database (a hundred thousand overdue cases) takes seconds, not minutes.

Idempotent: each warning is a case event recorded once per deadline (``CaseEvent.deadline``, a
partial unique constraint), each automatic 督办单 once per missed deadline (a unique constraint,
``ON CONFLICT DO NOTHING``), so running it twice changes nothing. The petition rows themselves are
never written, nor locked: whether a case is 临期 or 超期 is computed from its ``due_at``
(workflow.deadlines), and on PostgreSQL every new version of that wide row, or a row lock (a write to
its page), would cost a page of WAL and, for a new version, its words in the full-text GIN index.

Safe on several app servers at once: on PostgreSQL a sweep holds an advisory lock for its run (a
second sweep waits, then finds nothing left to do) and each batch runs in one REPEATABLE READ
snapshot, so a transition committed meanwhile cannot split a batch's 督办单 from its event; every
statement re-checks that the case is still owed and overdue. SQLite serialises writers
(``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from xinfang.cases.models import CaseEvent, Decision, DecisionKind, Supervision, SupervisionLevel
from xinfang.errors import ActionRefused
from xinfang.petitions.models import Petition
from xinfang.petitions.states import ORGAN_OWES_ACTION, Status
from xinfang.workflow.deadlines import near_limit
from xinfang.workflow.notices import pending_supervisions, supervision_notices_issue
from xinfang.workflow.services import (
    REVIEW_REQUEST_DAYS,
    SUPERVISION_REPLY_DAYS,
    case_close,
    due,
    overseeing_bureaus,
)
from xinfang.workflow.services import today as local_today

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

NEAR_EVENT = "deadline_near"
OVERDUE_EVENT = "overdue"
BATCH = 20000  # cases written per transaction
SWEEP_WORKERS = 2  # PostgreSQL: batches written at once, each on its own connection
SWEEP_LOCK = 0x78660001  # the PostgreSQL advisory lock key of ``xinfang sweep``
NOTICE_BATCH = 500  # 督办单 numbered per run for automatic supervisions


@dataclass
class SweepResult:
    near: int = 0
    overdue: int = 0
    supervisions: int = 0
    closed: int = 0
    notices: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- the few places where SQLite and PostgreSQL are spelt differently --------------------------


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _ids_subquery() -> str:
    """The claimed ids as a subquery over one parameter (``_ids_param``)."""
    return "SELECT unnest(%s::bigint[])" if _pg() else "SELECT value FROM json_each(%s)"


def _ids_param(ids: list[int]) -> Any:
    return ids if _pg() else json.dumps(ids)


def _db_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _db_now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


# --- claiming ----------------------------------------------------------------------------------


class _Warned(TypedDict):
    warned: bool


def _owing(event: str) -> QuerySet[WithAnnotations[Petition, _Warned]]:
    """Open cases whose organ owes the next step, each with ``warned``: whether ``event`` was already
    raised for its deadline. In the select list, not the WHERE clause: the database then looks each
    case up in the events' index, whatever it believes of the events table; as an anti-join its plan
    follows the table's statistics, which the sweep itself makes stale (a merge join over 57 million
    row pairs, 7 s, after a first run at 1M)."""
    warned = CaseEvent.objects.filter(petition=OuterRef("pk"), action=event, deadline=OuterRef("due_at"))
    return Petition.objects.filter(
        is_open=True, status__in=[s.value for s in ORGAN_OWES_ACTION], due_at__isnull=False
    ).annotate(warned=Exists(warned))


def _for_each_batch(
    qs: QuerySet[WithAnnotations[Petition, _Warned]], work: Callable[[list[tuple[int, int]]], Counter[str]]
) -> Counter[str]:
    """Run ``work`` on the candidates not yet warned, (id, unit holding the case) pairs in id order
    read once through the owed-deadline index, in batches of ``BATCH``, each in its own transaction (statements
    that re-check each case, so one changed meanwhile is left out). On PostgreSQL, outside an outer
    transaction, ``SWEEP_WORKERS`` batches run at once on their own connections: the work is the
    database's, and this uses its cores. The counts ``work`` returns are added up."""
    rows = qs.order_by("pk").values_list("pk", "handling_unit_id", "registering_unit_id", "warned")
    candidates = [(pk, handling or registering) for pk, handling, registering, warned in rows if not warned]
    batches = [candidates[start : start + BATCH] for start in range(0, len(candidates), BATCH)]
    total: Counter[str] = Counter()
    if _pg() and not connection.in_atomic_block and len(batches) > 1:
        with ThreadPoolExecutor(max_workers=SWEEP_WORKERS) as pool:
            for counts in pool.map(lambda batch: _on_own_connection(_in_transaction, work, batch), batches):
                total.update(counts)
        return total
    for batch in batches:
        total.update(_in_transaction(work, batch))
    return total


def _in_transaction(
    work: Callable[[list[tuple[int, int]]], Counter[str]], batch: list[tuple[int, int]]
) -> Counter[str]:
    with transaction.atomic():
        _one_snapshot()
        return work(batch)


def _on_own_connection(fn: Callable[..., Counter[str]], *args: Any) -> Counter[str]:
    try:
        return fn(*args)
    finally:
        connection.close()  # this thread's


def _one_snapshot() -> None:
    """PostgreSQL: the batch's statements see one snapshot (not inside an outer transaction, which
    already decides it)."""
    if _pg() and len(connection.atomic_blocks) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # A batch lost to a crash in the next moment is written again by the next sweep (it is
            # idempotent), so its commit need not wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@contextmanager
def _one_sweeper() -> Iterator[None]:
    """PostgreSQL: one sweep at a time across every app server (a session advisory lock, released
    at the end or when the connection goes); SQLite serialises writers anyway."""
    if not _pg():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [SWEEP_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK])


# --- the statements (``{…}`` are filled by ``_sql``; values are always parameters) ------------

UNIT = "COALESCE(p.handling_unit_id, p.registering_unit_id)"  # the unit holding the case

OWED = "p.is_open AND p.status IN ({owes})"  # the organ owes the next step (ORGAN_OWES_ACTION)

NEAR_EVENTS = (
    "INSERT INTO cases_caseevent (petition_id, action, old_status, new_status, reason, data, deadline, at) "
    "SELECT p.id, 'deadline_near', p.status, p.status, '', {json}('due_at', p.due_at), p.due_at, %s "
    "FROM petitions_petition p WHERE p.id IN {ids} AND {owed} AND p.due_at >= %s AND p.due_at <= %s "
    "ON CONFLICT DO NOTHING"
)
SUPERVISIONS = (
    "INSERT INTO cases_supervision (petition_id, unit_id, issued_from_id, automatic, missed_due, level,"
    " reason, issued_on, reply_due, reply_text) "
    "SELECT p.id, {unit}, CAST(j.value ->> 1 AS BIGINT), %s, p.due_at,"
    # ``+e.unit_id``: look earlier orders up by case, never by unit (thousands per unit).
    " CASE (SELECT COUNT(*) FROM cases_supervision e WHERE e.petition_id = p.id AND +e.unit_id = {unit})"
    "  WHEN 0 THEN %s WHEN 1 THEN %s ELSE %s END,"
    " %s || {cn_due} || %s, %s, %s, '' "
    "FROM {pairs} JOIN petitions_petition p ON p.id = CAST(j.value ->> 0 AS BIGINT) "
    # In case order, so that the ids (and so the 文号 of the 督办单) follow the cases.
    "WHERE {owed} AND p.due_at < %s ORDER BY p.id ON CONFLICT DO NOTHING"
)
OVERDUE_EVENTS = (
    "INSERT INTO cases_caseevent"
    " (petition_id, action, old_status, new_status, unit_id, reason, data, deadline, at) "
    "SELECT p.id, 'overdue', p.status, p.status, s.issued_from_id, s.reason,"
    " {json}('due_at', p.due_at, 'level', s.level, 'unit', s.unit_id, 'supervision', s.id), p.due_at, %s "
    "FROM petitions_petition p JOIN cases_supervision s"
    " ON s.petition_id = p.id AND s.missed_due = p.due_at AND s.automatic = %s "
    "WHERE p.id IN {ids} ON CONFLICT DO NOTHING"
)
SUPERVISION_AUDIT = (
    "INSERT INTO audit_auditlog (at, action, object_type, object_id, petition_id, detail) "
    "SELECT %s, 'case.supervise', 'cases.supervision', CAST(s.id AS TEXT), s.petition_id,"
    " {json}('level', s.level, 'missed_due', s.missed_due) "
    "FROM cases_supervision s WHERE s.id > %s AND s.automatic = %s AND s.petition_id IN {ids}"
)


def _sql(template: str) -> str:
    pg = _pg()
    return (
        template.replace("{unit}", UNIT)
        .replace("{ids}", f"({_ids_subquery()})")
        .replace("{json}", "jsonb_build_object" if pg else "json_object")
        .replace("{cn_due}", "to_char(p.due_at, %s)" if pg else "strftime(%s, p.due_at)")
        .replace("{pairs}", "jsonb_array_elements(%s::jsonb) j" if pg else "json_each(%s) j")
        .replace("{owed}", OWED)
        .replace("{owes}", ", ".join(f"'{status.value}'" for status in sorted(ORGAN_OWES_ACTION)))
    )


def _execute(template: str, params: list[Any]) -> tuple[int, list[tuple[Any, ...]]]:
    """Run a statement; its row count and, for a query, its rows."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(template), params)
        return cursor.rowcount, (cursor.fetchall() if cursor.description else [])


# --- 临期 ---------------------------------------------------------------------------------------


def _flag_near(today: date, result: SweepResult) -> None:
    limit = near_limit(today)

    def warn(rows: list[tuple[int, int]]) -> Counter[str]:
        params = [_db_now(), _ids_param([pk for pk, _ in rows]), _db_date(today), _db_date(limit)]
        return Counter(near=_execute(NEAR_EVENTS, params)[0])

    result.near += _for_each_batch(_owing(NEAR_EVENT).filter(due_at__gte=today, due_at__lte=limit), warn)[
        "near"
    ]


# --- 超期 and automatic 督办 (条例第四十条, XF-DL-03) ----------------------------------------------


def _flag_overdue(today: date, result: SweepResult) -> None:
    bureaus = overseeing_bureaus()
    reply_due = due(today, SUPERVISION_REPLY_DAYS)

    def supervise(rows: list[tuple[int, int]]) -> Counter[str]:
        supervisions = _supervise(rows, today, reply_due, bureaus)
        overdue = _execute(OVERDUE_EVENTS, [_db_now(), True, _ids_param([pk for pk, _ in rows])])[0]
        return Counter(supervisions=supervisions, overdue=overdue)

    counts = _for_each_batch(_owing(OVERDUE_EVENT).filter(due_at__lt=today), supervise)
    result.supervisions += counts["supervisions"]
    result.overdue += counts["overdue"]


def _supervise(rows: list[tuple[int, int]], today: date, reply_due: date, bureaus: dict[int, int]) -> int:
    """One automatic 督办单 per missed deadline, to the unit holding the case, issued by the
    信访部门 overseeing that unit; a unit's 2nd order on the same case is a 通报, the 3rd and later
    挂牌督办 (条例第三十八至四十条). Each is recorded as a case event and in the audit log."""
    now, id_set = _db_now(), _ids_param([pk for pk, _ in rows])
    before = Supervision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    created, _ = _execute(
        SUPERVISIONS,
        [
            True,
            SupervisionLevel.SUPERVISE.value,
            SupervisionLevel.CIRCULATE.value,
            SupervisionLevel.LISTED.value,
            "办理期限",
            'YYYY"年"MM"月"DD"日"' if _pg() else "%Y年%m月%d日",
            "已过，尚未办结（超期），自动督办。",
            _db_date(today),
            _db_date(reply_due),
            json.dumps([(pk, bureaus.get(unit, unit)) for pk, unit in rows]),
            _db_date(today),
        ],
    )
    # The audit entry of every 督办单 this batch issued (the system is the actor); the caller records
    # the 超期 event of every case, naming the 督办单 of its missed deadline.
    _execute(SUPERVISION_AUDIT, [now, before, True, id_set])
    return created


# --- 办结 after the review window ----------------------------------------------------------------


def _close_after_window(today: date, result: SweepResult) -> None:
    """A reply (or 复查意见) delivered more than 30 days ago and not challenged: 办结."""
    for status, kind in ((Status.REPLIED, DecisionKind.OPINION), (Status.REVIEWED, DecisionKind.REVIEW)):
        candidates = Decision.objects.filter(
            kind=kind, petition__status=status, delivered_on__lte=today - timedelta(days=REVIEW_REQUEST_DAYS)
        ).select_related("petition")
        for decision in candidates:
            assert decision.delivered_on is not None
            if due(decision.delivered_on, REVIEW_REQUEST_DAYS) >= today:
                continue
            try:
                case_close(
                    petition=decision.petition, actor=None, reason="复查（复核）申请期限届满，自动办结。"
                )
            except ActionRefused:
                continue
            result.closed += 1


# --- the 督办单 documents -----------------------------------------------------------------------


def _issue_supervision_notices(result: SweepResult) -> None:
    """The 督办单 (文号 and frozen text) of automatic supervisions, at most NOTICE_BATCH per run so
    that a large backlog (the first sweep of an old database) drains over the following runs
    instead of stalling one; opening the case issues its pending ones at once
    (``supervision_notices_issue``)."""
    pending = pending_supervisions(Supervision.objects.all(), limit=NOTICE_BATCH)
    result.notices += supervision_notices_issue(pending)


def sweep(*, today: date | None = None) -> SweepResult:
    with _one_sweeper():
        return _sweep(today or local_today())


def _sweep(day: date) -> SweepResult:
    result = SweepResult()
    _flag_overdue(day, result)
    _flag_near(day, result)
    _close_after_window(day, result)
    _issue_supervision_notices(result)
    return result

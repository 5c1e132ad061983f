"""The deadline sweep (``xinfang sweep``): 临期 and 超期 warnings, automatic 督办, and closing
matters whose review window has passed.

Idempotent: each warning is raised once per deadline (``Petition.alert``), each automatic 督办单
once per missed deadline (a unique constraint), so running it twice changes nothing. Safe on
several app servers at once: batches are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite serialises writers by itself).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from xinfang.cases.models import CaseEvent, Decision, DecisionKind, Supervision, SupervisionLevel
from xinfang.cases.services import (
    REVIEW_REQUEST_DAYS,
    SUPERVISION_REPLY_DAYS,
    ActionRefused,
    case_close,
    due,
    overseeing_bureau,
)
from xinfang.cases.services import (
    today as local_today,
)
from xinfang.cases.states import ORGAN_OWES_ACTION, Status
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition

NEAR_WORKING_DAYS = 3  # 临期: this many working days before the deadline
ALERT_NEAR = "near"
ALERT_OVERDUE = "overdue"
BATCH = 5000
NOTICE_BATCH = 500  # 督办单 generated per run for automatic supervisions


@dataclass
class SweepResult:
    near: int = 0
    overdue: int = 0
    supervisions: int = 0
    closed: int = 0
    notices: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _claim(qs: QuerySet[Petition], fields: list[str]) -> list[dict[str, Any]]:
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by("pk").values("pk", *fields)[:BATCH])


def _owing(today: date) -> QuerySet[Petition]:
    return Petition.objects.filter(
        is_open=True, status__in=[s.value for s in ORGAN_OWES_ACTION], due_at__isnull=False
    )


def _flag_near(today: date, result: SweepResult) -> None:
    limit = due(today, NEAR_WORKING_DAYS, working_days=True)
    base = (
        _owing(today)
        .filter(due_at__gte=today, due_at__lte=limit)
        .exclude(alert__in=[ALERT_NEAR, ALERT_OVERDUE])
    )
    while True:
        with transaction.atomic():
            rows = _claim(base, ["status", "due_at"])
            if not rows:
                return
            ids = [r["pk"] for r in rows]
            Petition.objects.filter(pk__in=ids).update(alert=ALERT_NEAR)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    petition_id=r["pk"],
                    action="deadline_near",
                    old_status=r["status"],
                    new_status=r["status"],
                    data={"due_at": r["due_at"].isoformat()},
                )
                for r in rows
            )
            result.near += len(rows)


def _flag_overdue(today: date, result: SweepResult) -> None:
    base = _owing(today).filter(due_at__lt=today).exclude(alert=ALERT_OVERDUE)
    bureaus: dict[int, Unit] = {}
    while True:
        with transaction.atomic():
            rows = _claim(base, ["status", "due_at", "handling_unit_id", "registering_unit_id"])
            if not rows:
                return
            ids = [r["pk"] for r in rows]
            Petition.objects.filter(pk__in=ids).update(alert=ALERT_OVERDUE)
            result.overdue += len(rows)
            result.supervisions += _supervise(rows, today, bureaus)


def _supervise(rows: list[dict[str, Any]], today: date, bureaus: dict[int, Unit]) -> int:
    """One automatic 督办单 per missed deadline, to the unit holding the case; a unit's 2nd order on
    the same case is a 通报, the 3rd and later 挂牌督办 (条例第三十八至四十条)."""
    earlier: dict[tuple[int, int], int] = {
        (s["petition_id"], s["unit_id"]): s["n"]
        for s in Supervision.objects.filter(petition_id__in=[r["pk"] for r in rows])
        .values("petition_id", "unit_id")
        .annotate(n=Count("id"))
    }
    reply_due = due(today, SUPERVISION_REPLY_DAYS)
    new: list[Supervision] = []
    for r in rows:
        unit_id = r["handling_unit_id"] or r["registering_unit_id"]
        if unit_id not in bureaus:
            bureaus[unit_id] = overseeing_bureau(Unit.objects.get(pk=unit_id))
        n = earlier.get((r["pk"], unit_id), 0)
        level = (
            SupervisionLevel.LISTED
            if n >= 2
            else SupervisionLevel.CIRCULATE
            if n == 1
            else SupervisionLevel.SUPERVISE
        )
        new.append(
            Supervision(
                petition_id=r["pk"],
                unit_id=unit_id,
                issued_from=bureaus[unit_id],
                automatic=True,
                missed_due=r["due_at"],
                level=level,
                issued_on=today,
                reply_due=reply_due,
                reason=f"办理期限{r['due_at']:%Y年%m月%d日}已过，尚未办结（超期），自动督办。",
            )
        )
    created = Supervision.objects.bulk_create(new, ignore_conflicts=True)
    CaseEvent.objects.bulk_create(
        CaseEvent(
            petition_id=s.petition_id,
            action="overdue",
            old_status=r["status"],
            new_status=r["status"],
            data={"due_at": r["due_at"].isoformat(), "level": s.level, "unit": s.unit_id},
        )
        for s, r in zip(new, rows, strict=True)
    )
    return len(created)


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


def _issue_supervision_notices(result: SweepResult) -> None:
    """The 督办单 of automatic supervisions, at most NOTICE_BATCH per run so that a large backlog
    (the first sweep of an old database) drains over the following runs instead of stalling one."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Cast, Concat

    from xinfang.cases.models import Notice, NoticeKind
    from xinfang.cases.notices import notice_issue

    issued = Notice.objects.filter(
        petition=OuterRef("petition"), kind=NoticeKind.SUPERVISION, source=OuterRef("key")
    )
    pending = (
        Supervision.objects.filter(automatic=True)
        .annotate(key=Concat(Value("supervision:"), Cast("pk", CharField())))
        .exclude(Exists(issued))
        .select_related("petition", "unit", "issued_from")
        .order_by("pk")[:NOTICE_BATCH]
    )
    for supervision in pending:
        with transaction.atomic():
            notice_issue(
                petition=supervision.petition,
                kind=NoticeKind.SUPERVISION,
                source=f"supervision:{supervision.pk}",
                unit=supervision.issued_from,
                actor=None,
                extra={"supervision": supervision},
            )
        result.notices += 1


def sweep(*, today: date | None = None) -> SweepResult:
    day = today or local_today()
    result = SweepResult()
    _flag_overdue(day, result)
    _flag_near(day, result)
    _close_after_window(day, result)
    _issue_supervision_notices(result)
    return result

"""The one place that moves a status, and what every transition shares: time limits, guards, events."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record
from xinfang.cases.models import (
    CaseEvent,
    NoticeTemplate,
)
from xinfang.errors import ActionRefused, Conflict
from xinfang.lib.deadlines import due_date
from xinfang.orgs.models import Unit, User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import links_of
from xinfang.petitions.states import OPEN_STATES, Status, can, next_status
from xinfang.workflow.calendar import calendar
from xinfang.workflow.notices import notice_issue, notice_prefetch
from xinfang.writes import Insert, update_row

# Time limits of 《信访工作条例》, in one place.
DECISION_DAYS = 15  # 第二十二条: the 信访部门 decides; 第二十三条: the receiving organ notifies
OBJECTION_WORKING_DAYS = 5  # 第二十三条第三款: 异议 within 5 working days
HANDLING_DAYS = 60  # 第三十四条
MAX_EXTENSION_DAYS = 30  # 第三十四条
REVIEW_REQUEST_DAYS = 30  # 第三十五条: ask for 复查 within 30 days of receiving the reply
REVIEW_DAYS = 30  # 第三十五条: 复查意见 within 30 days
RECHECK_REQUEST_DAYS = 30  # 第三十六条
RECHECK_DAYS = 30  # 第三十六条
SUPERVISION_REPLY_DAYS = 10  # the unit answers a 督办单 within 10 days (bureau practice, configurable)


def today() -> date:
    return timezone.localdate()


def due(start: date, days: int, *, working_days: bool = False) -> date:
    return due_date(start, days, working_days=working_days, calendar=calendar())


# --- the one place that moves a status ---------------------------------------------------------


def _move(
    petition: Petition,
    action: str,
    actor: User | None,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Petition:
    """Move the case's status by ``action`` and write its event and audit entry.

    Lock order: a transition updates the case's other rows (its assignments, decisions, requests)
    before it moves the status, so two transitions of one case meeting on PostgreSQL queue on the
    first row they share instead of deadlocking; the loser's compare-and-swap then finds the new
    version (a 409)."""
    old = Status(petition.status)
    if not can(old, action):
        if not _current(petition):
            raise Conflict  # a stale copy: someone moved the case first
        raise ActionRefused(
            _("This action is not possible while the case is “%(status)s”.") % {"status": old.label},
            code="invalid_transition",
        )
    new = next_status(old, action)
    detail = _jsonable(data or {})
    # The status moves by compare-and-swap on the version; the event and the audit entry follow in
    # the caller's transaction only if it did.
    updated = update_row(
        Petition,
        pk=petition.pk,
        where={"version": petition.version},
        values={"status": new, "is_open": new in OPEN_STATES, **fields},
        increment=("version",),
    )
    if updated != 1:
        raise Conflict
    _event_write(petition, action, old, new, actor, reason=reason, data=detail)
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=petition,
        petition=petition,
        detail={"from": old, "to": new, **detail},
    )
    # The compare-and-swap succeeded, so the row is our copy plus exactly these changes.
    for name, value in fields.items():
        setattr(petition, name, value)
    petition.status, petition.is_open, petition.version = new, new in OPEN_STATES, petition.version + 1
    return petition


_EVENT = Insert(
    CaseEvent,
    "petition",
    "action",
    "old_status",
    "new_status",
    "actor",
    "unit",
    "reason",
    "data",
    "deadline",
    "at",
)


def _event_write(
    petition: Petition,
    action: str,
    old: str,
    new: str,
    actor: User | None,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """Write a case event (the case's history; ``CaseEvent`` is append-only)."""
    _EVENT.run(
        petition=petition.pk,
        action=action,
        old_status=old,
        new_status=new,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=getattr(actor, "unit_id", None),
        reason=reason,
        data=data or {},
        deadline=None,
        at=timezone.now(),
    )


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def _require(condition: bool, message: str, field: str | None = None, code: str = "refused") -> None:
    if not condition:
        raise ActionRefused(message, {field: message} if field else None, code=code)


def _require_unit(actor: User, unit_id: int | None) -> None:
    _require(
        actor.unit_id is not None and actor.unit_id == unit_id,
        _("Only the unit that holds the case at this step can do this."),
        code="forbidden",
    )


def _require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    _require(bool(value), _("%(field)s: this field is required.") % {"field": label}, field)
    return value


def _require_date(value: date | None, field: str, label: str, *, not_before: date | None = None) -> date:
    value = value or today()
    _require(value <= today(), _("%(field)s: cannot be in the future.") % {"field": label}, field)
    if not_before is not None:
        _require(
            value >= not_before,
            _("%(field)s: cannot be before %(date)s.") % {"field": label, "date": not_before.isoformat()},
            field,
        )
    return value


def _issue_notice(
    petition: Petition,
    kind: str,
    source: str,
    unit: Unit,
    actor: User | None,
    extra: dict[str, Any] | None = None,
    template: NoticeTemplate | None = None,
) -> None:
    notice_issue(
        petition=petition,
        kind=kind,
        source=source,
        unit=unit,
        actor=actor,
        extra=extra or {},
        template=template,
    )


def _notice_prefetch(petition: Petition, kind: str) -> NoticeTemplate:
    return notice_prefetch(petition, kind)


def _allowed(refusal: ActionRefused | None, petition: Petition) -> None:
    """Raise a guard's refusal (``workflow.guards``); a refusal for the state of a stale copy of
    the case is a conflict: someone moved it first."""
    if refusal is None:
        return
    if refusal.code == "invalid_transition" and not _current(petition):
        raise Conflict
    raise refusal


def _current(petition: Petition) -> bool:
    return Petition.objects.filter(pk=petition.pk, version=petition.version).exists()


def acting_unit(actor: User) -> Unit:
    """The unit the actor acts for: the guard made sure it holds the step."""
    assert actor.unit is not None, "the guard lets only a unit's staff act"
    return actor.unit


def identity_known(petition: Petition) -> bool:
    """条例第二十三条: no written notice is owed when the petitioner's name or address is unknown."""
    return any(link.petitioner.name and link.petitioner.address for link in links_of(petition))


def record_registration(*, petition: Petition, actor: User) -> None:
    """The first event of every case (登记, 条例第十九条), written by workflow.registration."""
    _event_write(petition, "register", "", next_status(None, "register"), actor)


def events_of(petition: Petition) -> list[CaseEvent]:
    return list(petition.events.select_related("actor", "unit"))

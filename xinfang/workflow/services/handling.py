"""Handling (条例第三十一至三十四条): extensions, reports, procedures, the reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record
from xinfang.cases import selectors
from xinfang.cases.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    DecisionKind,
    ExecutionTask,
    Extension,
    ExtensionStatus,
    NoticeKind,
    Outcome,
)
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.workflow import guards
from xinfang.workflow.services.core import (
    HANDLING_DAYS,
    MAX_EXTENSION_DAYS,
    _allowed,
    _issue_notice,
    _move,
    _notice_prefetch,
    _require,
    _require_date,
    _require_text,
    _require_unit,
    acting_unit,
    due,
    identity_known,
    today,
)
from xinfang.writes import update_row


@transaction.atomic
def case_request_extension(*, petition: Petition, actor: User, days: int, reason: str) -> Extension:
    """The handling unit asks for 延期 (条例第三十四条, XF-DL-02)."""
    _allowed(guards.may_request_extension(petition, actor), petition)
    _require(1 <= days <= MAX_EXTENSION_DAYS, _("Days: between 1 and 30."), "days")
    reason = _require_text(reason, "reason", _("Reason"))
    assert petition.due_at is not None  # the guard made sure
    start = petition.accepted_on or petition.received_at
    # The statutory limit moves by the days asked; a shorter 交办 deadline moves by the same days.
    new_due = min(due(start, HANDLING_DAYS + days), due(petition.due_at, days))
    ext = Extension.objects.create(
        petition=petition,
        days=days,
        reason=reason,
        requested_by=actor,
        old_due=petition.due_at,
        new_due=new_due,
    )
    _move(petition, "request_extension", actor, reason=reason, data={"days": days, "new_due": new_due})
    return ext


@transaction.atomic
def case_decide_extension(*, petition: Petition, actor: User, approve: bool, reason: str = "") -> Petition:
    _allowed(guards.may_decide_extension(petition, actor), petition)
    ext = petition.extensions.filter(status=ExtensionStatus.PENDING).first()
    assert ext is not None  # the guard made sure
    Extension.objects.filter(pk=ext.pk).update(
        status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    if not approve:
        return _move(petition, "refuse_extension", actor, reason=reason)
    petition = _move(
        petition,
        "extend",
        actor,
        reason=ext.reason,
        data={"days": ext.days, "new_due": ext.new_due},
        due_at=ext.new_due,
    )
    if identity_known(petition):
        handling_unit = petition.handling_unit
        assert handling_unit is not None  # an accepted case has its handling unit
        _issue_notice(
            petition,
            NoticeKind.EXTENSION,
            f"extension:{ext.pk}",
            handling_unit,
            actor,
            {"days": ext.days, "reason": ext.reason, "old_due": ext.old_due, "new_due": ext.new_due},
        )
    return petition


@transaction.atomic
def case_report(*, petition: Petition, actor: User, text: str) -> Assignment:
    """A unit's 办结报告 for its part of a 交办 package (seeds: 「果必报」)."""
    _allowed(guards.may_report(petition, actor), petition)
    part = guards.open_part(petition, actor)
    assert part is not None  # the guard made sure
    text = _require_text(text, "text", _("Completion report"))
    Assignment.objects.filter(pk=part.pk).update(
        status=AssignmentStatus.DONE, report_text=text, reported_on=today()
    )
    _move(petition, "report", actor, reason=text, data={"duty": part.duty})
    part.refresh_from_db()
    return part


@transaction.atomic
def case_record_procedure(*, petition: Petition, actor: User, procedure: str, outcome: str) -> Petition:
    """Routes (一)–(五): the matter went into its statutory procedure; record which and its outcome."""
    _allowed(guards.may_record_procedure(petition, actor), petition)
    procedure = _require_text(procedure, "procedure", _("Procedure"))
    outcome = _require_text(outcome, "outcome", _("Outcome"))
    _finish_assignments(petition, actor)
    return _move(
        petition,
        "record_procedure",
        actor,
        data={"procedure": procedure, "outcome": outcome},
        due_at=None,
    )


def _finish_assignments(petition: Petition, actor: User) -> None:
    """The lead's part is done (the guards made sure every other duty is closed)."""
    lead = next((a for a in selectors.active_assignments(petition) if a.is_lead), None)
    if lead is not None:
        update_row(Assignment, pk=lead.pk, values={"status": AssignmentStatus.DONE, "reported_on": today()})


@dataclass
class DecisionInput:
    requests: str
    facts: str
    opinion: str
    basis: str
    outcome: str
    issued_on: date | None = None


def _check_decision(data: DecisionInput, outcomes: set[str]) -> dict[str, str]:
    labels = {
        "requests": _("Requests"),
        "facts": _("Facts and reasons"),
        "opinion": _("Opinion"),
        "basis": _("Legal basis"),
    }
    cleaned = {name: _require_text(getattr(data, name), name, label) for name, label in labels.items()}
    _require(data.outcome in outcomes, _("Outcome: choose one of the listed options."), "outcome")
    return cleaned


@transaction.atomic
def case_reply(
    *,
    petition: Petition,
    actor: User,
    data: DecisionInput,
    execution: str = "",
    execution_due: date | None = None,
) -> Decision:
    """信访处理意见书 (条例第三十二条, XF-OUT-01); 支持 opens an execution task (XF-OUT-02)."""
    _allowed(guards.may_reply(petition, actor), petition)
    text = _check_decision(data, {o.value for o in Outcome})
    issued = _require_date(data.issued_on, "issued_on", _("Date issued"), not_before=petition.accepted_on)
    if data.outcome == Outcome.SUPPORT:
        execution = _require_text(execution, "execution", _("What must be done"))
        _require(
            execution_due is not None and execution_due >= issued,
            _("Execution deadline: required, not before the date issued."),
            "execution_due",
        )
    template = _notice_prefetch(petition, NoticeKind.OPINION)
    _finish_assignments(petition, actor)
    decision = Decision.objects.create(
        petition=petition,
        kind=DecisionKind.OPINION,
        unit=acting_unit(actor),
        outcome=data.outcome,
        issued_on=issued,
        issued_by=actor,
        **text,
    )
    if data.outcome == Outcome.SUPPORT:
        assert execution_due is not None  # required for a supported decision, above
        ExecutionTask.objects.create(
            petition=petition,
            decision=decision,
            unit=acting_unit(actor),
            description=execution,
            due_at=execution_due,
        )
    petition = _move(
        petition,
        "reply",
        actor,
        data={"decision": decision.pk, "outcome": data.outcome},
        due_at=None,
    )
    _issue_notice(
        petition,
        NoticeKind.OPINION,
        f"decision:{decision.pk}",
        acting_unit(actor),
        actor,
        {"decision": decision},
        template=template,
    )
    return decision


@transaction.atomic
def execution_done(*, task: ExecutionTask, actor: User, note: str) -> ExecutionTask:
    _require_unit(actor, task.unit_id)
    _require(task.done_on is None, _("This task is already done."), code="refused")
    note = _require_text(note, "note", _("How it was done"))
    ExecutionTask.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=today(), done_note=note)
    task.refresh_from_db()
    audit_record(
        actor=actor, action="case.execution_done", obj=task, petition=task.petition, detail={"note": note}
    )
    return task

"""Transitions of a case (docs/lifecycle.md). Every service:
- is keyword-only and atomic; views, the API, admin actions and commands call these and nothing else;
- checks its guards and raises ``ActionRefused`` with a Chinese message naming the field;
- moves the status by compare-and-swap on ``Petition.version`` (exactly one of two simultaneous
  actions wins; the other gets ``Conflict``);
- writes a ``CaseEvent`` and an ``AuditLog`` entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record, audit_row
from xinfang.cases import selectors
from xinfang.cases.models import (
    ACTIVE_ASSIGNMENT,
    STATUTORY_PROCEDURE_ROUTES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    CaseEvent,
    Decision,
    DecisionKind,
    Duty,
    Evaluation,
    EvaluationTarget,
    ExecutionTask,
    Extension,
    ExtensionStatus,
    NoticeKind,
    NoticeTemplate,
    Outcome,
    RefusalGround,
    ReviewLevel,
    ReviewRequest,
    Route,
    Satisfaction,
    Supervision,
    SupervisionLevel,
)
from xinfang.detection.rules import RefusalProposal
from xinfang.errors import ActionRefused, Conflict
from xinfang.lib.deadlines import due_date
from xinfang.orgs.models import LEVEL_ORDER, Role, Unit, UnitKind, UnitLevel, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition, RequestClass
from xinfang.petitions.selectors import links_of
from xinfang.petitions.states import OPEN_STATES, Status, can, next_status
from xinfang.workflow.calendar import calendar
from xinfang.workflow.notices import notice_issue, notice_prefetch
from xinfang.writes import Insert, InsertRow, update_row

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
        if not Petition.objects.filter(pk=petition.pk, version=petition.version).exists():
            raise Conflict  # a stale copy: someone moved the case first
        raise ActionRefused(
            _("This action is not possible while the case is “%(status)s”.") % {"status": old.label},
            code="invalid_transition",
        )
    new = next_status(old, action)
    detail = _jsonable(data or {})
    # The status moves by compare-and-swap on the version, and the event and the audit entry are
    # written only if it did: on PostgreSQL in the same statement (xinfang.writes).
    updated = update_row(
        Petition,
        pk=petition.pk,
        where={"version": petition.version},
        values={"status": new, "is_open": new in OPEN_STATES, **fields},
        increment=("version",),
        then=[
            _event_row(petition, action, old, new, actor, reason=reason, data=detail),
            audit_row(
                actor=actor,
                action=f"case.{action}",
                obj=petition,
                petition=petition,
                detail={"from": old, "to": new, **detail},
            ),
        ],
    )
    if updated != 1:
        raise Conflict
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


def _event_row(
    petition: Petition,
    action: str,
    old: str,
    new: str,
    actor: User | None,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> InsertRow:
    """A case event (the case's history; ``CaseEvent`` is append-only)."""
    return _EVENT.row(
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


def identity_known(petition: Petition) -> bool:
    """条例第二十三条: no written notice is owed when the petitioner's name or address is unknown."""
    return any(link.petitioner.name and link.petitioner.address for link in links_of(petition))


def record_registration(*, petition: Petition, actor: User) -> None:
    """The first event of every case (登记, 条例第十九条), written by workflow.registration."""
    _event_row(petition, "register", "", next_status(None, "register"), actor).run_alone()


# --- the 信访部门's decision (条例第二十二条) ------------------------------------------------------


@dataclass
class AssignmentSpec:
    unit: Unit
    duty: str = Duty.LEAD
    due_at: date | None = None
    share: str = ""


def _check_target(petition: Petition, unit: Unit, field: str) -> None:
    _require(unit.is_active, _("Receiving unit: this unit is not active."), field)
    _require(
        unit.pk != petition.registering_unit_id,
        _("Receiving unit: choose a unit other than your own."),
        field,
    )
    _check_unit_kind(petition, unit, field)


def _check_unit_kind(petition: Petition, unit: Unit, field: str) -> None:
    """Which units may handle this matter at all (条例第二十二、三十条; XF-RTE-01/02)."""
    if petition.request_class == RequestClass.ACCUSATION:
        # 条例第二十二条、第三十条 (XF-RTE-01): 检举控告 go to 纪检监察, never to the accused unit.
        _require(
            unit.kind == UnitKind.DISCIPLINE,
            _(
                "Receiving unit: a report or accusation must go to a discipline inspection and supervision organ."
            ),
            field,
        )
    if petition.complained_unit_id is not None and petition.request_class == RequestClass.ACCUSATION:
        _require(
            not unit.is_within(petition.complained_unit),  # type: ignore[arg-type]
            _("Receiving unit: the materials of an accusation may never reach the accused unit."),
            field,
        )
    required_kind = petition.category.route_to_kind or (
        petition.category.parent.route_to_kind if petition.category.parent_id else ""
    )
    if required_kind and petition.request_class == RequestClass.CLAIM:
        # 条例第二十二条 (XF-RTE-02): 涉法涉诉 go to the 政法部门 of the same level.
        _require(
            unit.kind == required_kind,
            _("Receiving unit: matters of this category must go to a unit of type “%(kind)s”.")
            % {"kind": UnitKind(required_kind).label},
            field,
        )


@transaction.atomic
def case_transfer(
    *, petition: Petition, actor: User, unit: Unit, reason: str = "", sent_on: date | None = None
) -> Petition:
    """转送 to the competent unit (条例第二十二条)."""
    return _route(
        petition=petition,
        actor=actor,
        specs=[AssignmentSpec(unit)],
        kind=AssignmentKind.TRANSFER,
        reason=reason,
        sent_on=sent_on,
        report_required=False,
    )


@transaction.atomic
def case_assign(
    *,
    petition: Petition,
    actor: User,
    specs: list[AssignmentSpec],
    reason: str = "",
    sent_on: date | None = None,
) -> Petition:
    """交办 to one or several units, each with its duty and deadline; exactly one leads, and each
    must send a 办结报告 (seeds: 「交必办、办必果、果必报」; 五虎牧羊阵 duties)."""
    leads = [s for s in specs if s.duty == Duty.LEAD]
    _require(len(leads) == 1, _("Units: exactly one unit must lead (主办)."), "units")
    _require(len({s.unit.pk for s in specs}) == len(specs), _("Units: a unit is listed twice."), "units")
    for spec in specs:
        _require(spec.due_at is not None, _("Deadline: an assignment needs a fixed deadline."), "due_at")
        _require(spec.due_at >= today(), _("Deadline: cannot be in the past."), "due_at")  # type: ignore[operator]
    return _route(
        petition=petition,
        actor=actor,
        specs=specs,
        kind=AssignmentKind.ASSIGN,
        reason=reason,
        sent_on=sent_on,
        report_required=True,
    )


def _route(
    *,
    petition: Petition,
    actor: User,
    specs: list[AssignmentSpec],
    kind: str,
    reason: str,
    sent_on: date | None,
    report_required: bool,
) -> Petition:
    _require_unit(actor, petition.registering_unit_id)
    _require(bool(specs), _("Units: choose at least one receiving unit."), "units")
    for i, spec in enumerate(specs):
        _check_target(petition, spec.unit, "unit" if kind == AssignmentKind.TRANSFER else f"units[{i}]")
    sent = _require_date(sent_on, "sent_on", _("Date sent"), not_before=petition.received_at)
    lead = next((s for s in specs if s.duty == Duty.LEAD), specs[0])
    for spec in specs:
        Assignment.objects.create(
            petition=petition,
            unit=spec.unit,
            kind=kind,
            duty=spec.duty,
            is_lead=spec is lead,
            sent_from_id=petition.registering_unit_id,
            sent_by=actor,
            sent_on=sent,
            ack_due=due(sent, DECISION_DAYS),
            objection_due=due(sent, OBJECTION_WORKING_DAYS, working_days=True),
            due_at=spec.due_at,
            report_required=report_required,
            share=spec.share,
        )
    action = "assign" if kind == AssignmentKind.ASSIGN else "transfer"
    petition = _move(
        petition,
        action,
        actor,
        reason=reason,
        data={"units": [s.unit.code for s in specs], "lead": lead.unit.code, "sent_on": sent},
        handling_unit=lead.unit,
        due_at=due(sent, DECISION_DAYS),
    )
    if kind == AssignmentKind.ASSIGN:
        _issue_notice(
            petition, NoticeKind.ASSIGNMENT, f"route:{petition.version}", petition.registering_unit, actor
        )
    return petition


@transaction.atomic
def case_refuse(*, petition: Petition, actor: User, ground: str, reason: str) -> Petition:
    """不予受理, or 不再受理 for a matter concluded after 复核; the notice goes to the petitioner."""
    holder = _current_holder(petition)
    _require_unit(actor, holder)
    grounds = {RefusalGround.NOT_IN_REMIT, RefusalGround.ACCEPTED_BELOW, RefusalGround.CONCLUDED}
    _require(ground in grounds, _("Ground: choose one of the listed grounds."), "ground")
    reason = _require_text(reason, "reason", _("Reason"))
    if petition.status == Status.ROUTED:
        petition.assignments.filter(status__in=ACTIVE_ASSIGNMENT).update(status=AssignmentStatus.RETURNED)
    petition = _move(petition, "refuse", actor, reason=reason, data={"ground": ground}, due_at=None)
    kind = NoticeKind.NO_FURTHER if ground == RefusalGround.CONCLUDED else NoticeKind.NON_ACCEPTANCE
    if identity_known(petition):
        _issue_notice(
            petition,
            kind,
            f"refuse:{petition.version}",
            actor.unit,
            actor,  # type: ignore[arg-type]
            {"reason": reason, "ground": ground},
        )
    return petition


def refusal_confirm(*, petition: Petition, actor: User, proposal: RefusalProposal) -> Petition:
    """The clerk confirms a proposed 不予受理 / 不再受理: ``case_refuse`` with its ground."""
    if proposal.petition_id != petition.pk:
        raise ActionRefused(_("This proposal belongs to another petition."))
    return case_refuse(petition=petition, actor=actor, ground=proposal.ground, reason=proposal.reason)


@transaction.atomic
def case_direct_reply(*, petition: Petition, actor: User, text: str) -> Petition:
    """A 建议意见类 item answered by the 信访部门 itself (条例第二十九条)."""
    _require_unit(actor, petition.registering_unit_id)
    _require(
        petition.request_class == RequestClass.SUGGESTION,
        _("Only a suggestion or opinion can be answered directly."),
        code="refused",
    )
    text = _require_text(text, "text", _("Answer"))
    return _move(petition, "direct_reply", actor, reason=text, due_at=None)


# --- the receiving unit (条例第二十三条) ------------------------------------------------------------


def _current_holder(petition: Petition, lead: Assignment | None = None) -> int | None:
    """The unit whose step it is; ``lead``, when given, is ``selectors.lead_assignment(petition)``."""
    if petition.status in (Status.ROUTED, Status.ACCEPTED, Status.OBJECTED):
        lead = lead or selectors.lead_assignment(petition)
        if lead is not None:
            return lead.unit_id
    return petition.handling_unit_id or petition.registering_unit_id


def _allowed_routes(petition: Petition) -> set[str]:
    if petition.request_class == RequestClass.SUGGESTION:
        return {Route.SUGGESTION}
    if petition.request_class == RequestClass.ACCUSATION:
        return {Route.ACCUSATION}
    return {r.value for r in Route if r not in (Route.SUGGESTION, Route.ACCUSATION)}


@transaction.atomic
def case_accept(*, petition: Petition, actor: User, route: str, accepted_on: date | None = None) -> Petition:
    """受理. For route (六) the 60-day limit starts (条例第三十四条, XF-DL-01); a 受理告知书 is
    issued unless the petitioner's name or address is unknown (第二十三条, XF-ACK-01, XF-REG-02)."""
    lead = selectors.lead_assignment(petition)
    _require_unit(actor, _current_holder(petition, lead))
    _require(
        route in _allowed_routes(petition), _("Handling route: not possible for this request class."), "route"
    )
    if lead is None and actor.unit is not None:
        # The registering organ accepts itself: the same routing rules apply to it (XF-RTE-01/02).
        _check_unit_kind(petition, actor.unit, "route")
    start = lead.sent_on if lead is not None else petition.received_at
    accepted = _require_date(accepted_on, "accepted_on", _("Acceptance date"), not_before=start)
    # Read before the first write (outside SQLite's writer): whether a 受理告知书 is owed, and its template.
    template = _notice_prefetch(petition, NoticeKind.ACCEPTANCE) if identity_known(petition) else None
    deadline: date | None = None
    if route == Route.PETITION:
        deadline = due(accepted, HANDLING_DAYS)
    if lead is not None and lead.kind == AssignmentKind.ASSIGN and lead.due_at:
        deadline = min(deadline, lead.due_at) if deadline else lead.due_at
    if lead is not None:
        update_row(
            Assignment, pk=lead.pk, values={"status": AssignmentStatus.ACCEPTED, "accepted_on": accepted}
        )
    petition = _move(
        petition,
        "accept",
        actor,
        data={"route": route, "accepted_on": accepted, "timely": lead is None or accepted <= lead.ack_due},
        route=route,
        accepted_on=accepted,
        due_at=deadline,
        handling_unit=actor.unit,
    )
    if template is not None:
        _issue_notice(
            petition,
            NoticeKind.ACCEPTANCE,
            f"accept:{petition.version}",
            actor.unit,  # type: ignore[arg-type]
            actor,
            template=template,
        )
    return petition


@transaction.atomic
def case_object(*, petition: Petition, actor: User, reason: str, on: date | None = None) -> Petition:
    """异议: the unit says the matter is not within its remit, within 5 working days of receipt
    (条例第二十三条第三款, XF-ACK-02)."""
    lead = selectors.lead_assignment(petition)
    _require(lead is not None, _("Only a transferred or assigned case can be objected to."), code="refused")
    assert lead is not None
    _require_unit(actor, lead.unit_id)
    reason = _require_text(reason, "reason", _("Reason"))
    when = _require_date(on, "on", _("Objection date"), not_before=lead.sent_on)
    _require(
        when <= lead.objection_due,
        _("An objection must be raised within 5 working days of receipt (by %(date)s).")
        % {"date": lead.objection_due.isoformat()},
        "on",
        code="too_late",
    )
    Assignment.objects.filter(pk=lead.pk).update(status=AssignmentStatus.OBJECTED, objection_reason=reason)
    return _move(
        petition, "object", actor, reason=reason, data={"unit": actor.unit.code if actor.unit else ""}
    )


@transaction.atomic
def case_decide_objection(*, petition: Petition, actor: User, approve: bool, reason: str = "") -> Petition:
    """The sender agrees (the materials go back, the case returns to its decision) or refuses (the
    unit must handle it)."""
    lead = petition.assignments.filter(is_lead=True, status=AssignmentStatus.OBJECTED).first()
    _require(lead is not None, _("There is no objection to decide."), code="refused")
    assert lead is not None
    _require_unit(actor, lead.sent_from_id)
    _require(
        actor.role in (Role.CLERK, Role.LEADER, Role.ADMIN),
        _("Only bureau staff can decide an objection."),
        code="forbidden",
    )
    if approve:
        Assignment.objects.filter(pk=lead.pk).update(status=AssignmentStatus.RETURNED)
        petition.assignments.filter(status__in=ACTIVE_ASSIGNMENT).update(status=AssignmentStatus.RETURNED)
        return _move(
            petition,
            "objection_approve",
            actor,
            reason=reason,
            handling_unit=None,
            due_at=due(today(), DECISION_DAYS),
        )
    reason = _require_text(reason, "reason", _("Reason"))
    Assignment.objects.filter(pk=lead.pk).update(status=AssignmentStatus.PENDING)
    return _move(petition, "objection_reject", actor, reason=reason)


# --- handling (条例第三十一至三十四条) ------------------------------------------------------------


@transaction.atomic
def case_request_extension(*, petition: Petition, actor: User, days: int, reason: str) -> Extension:
    """The handling unit asks for 延期 (条例第三十四条, XF-DL-02)."""
    _require_unit(actor, petition.handling_unit_id)
    _require(
        petition.route == Route.PETITION and petition.due_at is not None,
        _("Only a matter handled under route (6) has a handling limit to extend."),
        code="refused",
    )
    _require(
        not petition.extensions.filter(status=ExtensionStatus.APPROVED).exists(),
        _("The handling limit can be extended only once."),
        code="refused",
    )
    _require(
        not petition.extensions.filter(status=ExtensionStatus.PENDING).exists(),
        _("An extension request is already waiting for approval."),
        code="refused",
    )
    _require(1 <= days <= MAX_EXTENSION_DAYS, _("Days: between 1 and 30."), "days")
    reason = _require_text(reason, "reason", _("Reason"))
    assert petition.due_at is not None
    _require(
        today() <= petition.due_at,
        _("The handling limit has already passed; an extension must be asked before it ends."),
        code="too_late",
    )
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


def _is_head_for(user: User, unit_id: int | None) -> bool:
    """A 负责人: a leader of the handling unit itself, or of the 信访部门 overseeing it."""
    if user.role != Role.LEADER or user.unit is None or unit_id is None:
        return False
    if user.unit_id == unit_id:
        return True
    return user.unit.is_bureau and unit_id in scope_unit_ids(user)


@transaction.atomic
def case_decide_extension(*, petition: Petition, actor: User, approve: bool, reason: str = "") -> Petition:
    ext = petition.extensions.filter(status=ExtensionStatus.PENDING).first()
    _require(ext is not None, _("There is no extension request to decide."), code="refused")
    assert ext is not None
    _require(
        _is_head_for(actor, petition.handling_unit_id),
        _("Only a head of the handling unit or of the petition bureau can approve an extension."),
        code="forbidden",
    )
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
        _issue_notice(
            petition,
            NoticeKind.EXTENSION,
            f"extension:{ext.pk}",
            petition.handling_unit,
            actor,  # type: ignore[arg-type]
            {"days": ext.days, "reason": ext.reason, "old_due": ext.old_due, "new_due": ext.new_due},
        )
    return petition


@transaction.atomic
def case_report(*, petition: Petition, actor: User, text: str) -> Assignment:
    """A unit's 办结报告 for its part of a 交办 package (seeds: 「果必报」)."""
    part = petition.assignments.filter(unit_id=actor.unit_id, status__in=ACTIVE_ASSIGNMENT).first()
    _require(part is not None, _("Your unit has no open part in this case."), code="forbidden")
    assert part is not None
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
    _require_unit(actor, petition.handling_unit_id)
    _require(
        petition.route in STATUTORY_PROCEDURE_ROUTES,
        _("Only a matter directed into a statutory procedure is closed this way."),
        code="refused",
    )
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
    active = selectors.active_assignments(petition)
    pending = [a for a in active if not a.is_lead]
    _require(
        not pending,
        _("These units have not closed their duty yet: %(units)s.")
        % {"units": "、".join(a.unit.name for a in pending)},
        code="duties_open",
    )
    lead = next((a for a in active if a.is_lead), None)
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
    _require_unit(actor, petition.handling_unit_id)
    _require(
        petition.route in (Route.PETITION, Route.SUGGESTION, Route.ACCUSATION),
        _("Matters in a statutory procedure are closed by recording that procedure."),
        code="refused",
    )
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
        unit=actor.unit,
        outcome=data.outcome,
        issued_on=issued,
        issued_by=actor,
        **text,
    )
    if data.outcome == Outcome.SUPPORT:
        ExecutionTask.objects.create(
            petition=petition, decision=decision, unit=actor.unit, description=execution, due_at=execution_due
        )  # type: ignore[misc]
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
        actor.unit,
        actor,  # type: ignore[arg-type]
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


# --- after the reply: 送达, 复查, 复核, 终结 --------------------------------------------------------


def _latest_decision(petition: Petition, kind: str) -> Decision | None:
    return selectors.latest_decision(petition, kind)


@transaction.atomic
def case_deliver(*, petition: Petition, actor: User, delivered_on: date | None = None) -> Petition:
    """送达 of the latest written decision; the petitioner's 30-day window to ask for 复查 or
    复核 runs from here (条例第三十五、三十六条)."""
    kinds = {
        Status.REPLIED: DecisionKind.OPINION,
        Status.REVIEWED: DecisionKind.REVIEW,
        Status.CONCLUDED: DecisionKind.RECHECK,
    }
    decision = _latest_decision(petition, kinds.get(Status(petition.status), DecisionKind.OPINION))
    _require(
        decision is not None and decision.delivered_on is None,
        _("There is no undelivered decision."),
        code="refused",
    )
    assert decision is not None
    _require_unit(actor, decision.unit_id)
    when = _require_date(delivered_on, "delivered_on", _("Delivery date"), not_before=decision.issued_on)
    update_row(Decision, pk=decision.pk, values={"delivered_on": when})
    return _move(petition, "deliver", actor, data={"decision": decision.pk, "delivered_on": when})


def _one_level_up(unit: Unit, candidate: Unit) -> bool:
    """条例第三十五、三十六条: 复查/复核 go to the 上一级 of the organ that decided: its direct parent
    (a department's own government, a township's county), or a unit of the next level above it in
    its own area (that level's government or one of its departments)."""
    if candidate.pk == unit.parent_id:
        return True
    above = unit.ancestor_ids[:-1]
    try:
        next_level = LEVEL_ORDER[LEVEL_ORDER.index(UnitLevel(unit.level)) + 1]
    except (ValueError, IndexError):
        return False
    if candidate.level != next_level:
        return False
    if candidate.pk in above:
        return True
    parent = candidate.parent
    return parent is not None and parent.pk in above and parent.level == candidate.level


@transaction.atomic
def case_request_review(
    *, petition: Petition, actor: User, unit: Unit, requested_on: date | None = None
) -> ReviewRequest:
    """复查 request, within 30 days of receiving the written reply, to the next level up (XF-REV-01);
    the 复查意见 is due 30 days after (XF-REV-02). Recorded by staff of the reviewing unit."""
    return _request(
        petition=petition, actor=actor, unit=unit, requested_on=requested_on, level=ReviewLevel.REVIEW
    )


@transaction.atomic
def case_request_recheck(
    *, petition: Petition, actor: User, unit: Unit, requested_on: date | None = None
) -> ReviewRequest:
    """复核 request (条例第三十六条, XF-REV-03)."""
    return _request(
        petition=petition, actor=actor, unit=unit, requested_on=requested_on, level=ReviewLevel.RECHECK
    )


def _request(
    *, petition: Petition, actor: User, unit: Unit, requested_on: date | None, level: str
) -> ReviewRequest:
    _require_unit(actor, unit.pk)
    kind = DecisionKind.OPINION if level == ReviewLevel.REVIEW else DecisionKind.REVIEW
    decision = _latest_decision(petition, kind)
    _require(
        decision is not None and decision.delivered_on is not None,
        _("The decision must be delivered before a review can be requested."),
        code="refused",
    )
    assert decision is not None and decision.delivered_on is not None
    _require(
        _one_level_up(decision.unit, unit),
        _("Reviewing unit: must be one level above the unit that decided."),
        "unit",
    )
    when = _require_date(requested_on, "requested_on", _("Request date"), not_before=decision.delivered_on)
    window_end = due(decision.delivered_on, REVIEW_REQUEST_DAYS)
    _require(
        when <= window_end,
        _("The request came after the 30-day limit (which ended on %(date)s).")
        % {"date": window_end.isoformat()},
        "requested_on",
        code="too_late",
    )
    days = REVIEW_DAYS if level == ReviewLevel.REVIEW else RECHECK_DAYS
    request = ReviewRequest.objects.create(
        petition=petition, level=level, unit=unit, requested_on=when, due_at=due(when, days)
    )
    action = "request_review" if level == ReviewLevel.REVIEW else "request_recheck"
    _move(
        petition,
        action,
        actor,
        data={"unit": unit.code, "requested_on": when},
        handling_unit=unit,
        due_at=request.due_at,
    )
    return request


@transaction.atomic
def case_hearing(*, petition: Petition, actor: User, start: bool, on: date | None = None) -> Petition:
    """听证 during 复核: its days do not count (条例第三十六条第二款); the deadline moves by them."""
    request = petition.review_requests.filter(level=ReviewLevel.RECHECK, decided=False).first()
    _require(request is not None, _("There is no open re-examination."), code="refused")
    assert request is not None
    _require_unit(actor, request.unit_id)
    earliest = request.requested_on if start else (request.hearing_started_on or request.requested_on)
    when = _require_date(on, "on", _("Hearing date"), not_before=earliest)
    if start:
        _require(request.hearing_started_on is None, _("A hearing is already in progress."), code="refused")
        ReviewRequest.objects.filter(pk=request.pk).update(hearing_started_on=when)
        # The clock stops during the hearing (条例第三十六条第二款): no deadline for the sweep.
        return _move(petition, "hearing_start", actor, data={"on": when}, due_at=None)
    _require(request.hearing_started_on is not None, _("No hearing is in progress."), code="refused")
    assert request.hearing_started_on is not None
    paused = (when - request.hearing_started_on).days
    new_due = due(request.requested_on, RECHECK_DAYS + request.hearing_days + paused)
    ReviewRequest.objects.filter(pk=request.pk).update(
        hearing_started_on=None, hearing_days=request.hearing_days + paused, due_at=new_due
    )
    return _move(petition, "hearing_end", actor, data={"on": when, "paused_days": paused}, due_at=new_due)


@transaction.atomic
def case_review_decide(*, petition: Petition, actor: User, data: DecisionInput) -> Decision:
    """复查意见书 (XF-REV-02) or, under 复核, 复核意见书 and 终结 (XF-REV-04)."""
    level = ReviewLevel.REVIEW if petition.status == Status.REVIEW else ReviewLevel.RECHECK
    request = petition.review_requests.filter(level=level, decided=False).first()
    _require(request is not None, _("There is no open review."), code="refused")
    assert request is not None
    _require_unit(actor, request.unit_id)
    _require(request.hearing_started_on is None, _("Close the hearing first."), code="refused")
    text = _check_decision(data, {o.value for o in Outcome})
    issued = _require_date(data.issued_on, "issued_on", _("Date issued"), not_before=request.requested_on)
    kind = DecisionKind.REVIEW if level == ReviewLevel.REVIEW else DecisionKind.RECHECK
    decision = Decision.objects.create(
        petition=petition,
        kind=kind,
        unit=actor.unit,
        outcome=data.outcome,
        issued_on=issued,
        issued_by=actor,
        **text,
    )
    ReviewRequest.objects.filter(pk=request.pk).update(decided=True)
    action = "review_decide" if level == ReviewLevel.REVIEW else "recheck_decide"
    petition = _move(
        petition,
        action,
        actor,
        data={"decision": decision.pk, "outcome": data.outcome},
        due_at=None,
    )
    notice_kind = NoticeKind.REVIEW if kind == DecisionKind.REVIEW else NoticeKind.RECHECK
    _issue_notice(
        petition,
        notice_kind,
        f"decision:{decision.pk}",
        actor.unit,
        actor,  # type: ignore[arg-type]
        {"decision": decision},
    )
    return decision


@transaction.atomic
def case_evaluate(
    *, petition: Petition, actor: User | None, target: str, satisfaction: str, comment: str = ""
) -> Evaluation:
    """回访 / 满意度评价: the petitioner rates the bureau and the handling unit once each, after the
    answer (recorded by staff at a return visit, or by the petitioner on the portal)."""
    _require(
        petition.status in (Status.REPLIED, Status.REVIEWED, Status.CONCLUDED, Status.CLOSED),
        _("A case can be evaluated once it has been answered."),
        code="refused",
    )
    _require(target in EvaluationTarget.values, _("Evaluated: choose one of the listed options."), "target")
    _require(
        satisfaction in Satisfaction.values,
        _("Satisfaction: choose one of the listed options."),
        "satisfaction",
    )
    unit_id = petition.registering_unit_id if target == EvaluationTarget.BUREAU else petition.handling_unit_id
    _require(unit_id is not None, _("There is no handling unit to evaluate."), "target")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                petition=petition,
                target=target,
                unit_id=unit_id,
                satisfaction=satisfaction,
                comment=comment.strip(),
                recorded_by=actor,
            )
    except IntegrityError:
        raise ActionRefused(
            _("This evaluation was already recorded."), {"target": _("Already evaluated.")}, code="duplicate"
        ) from None
    CaseEvent.objects.create(
        petition=petition,
        action="evaluate",
        old_status=petition.status,
        new_status=petition.status,
        actor=actor,
        unit_id=getattr(actor, "unit_id", None),
        data={"target": target, "satisfaction": satisfaction},
    )
    audit_record(actor=actor, action="case.evaluate", obj=evaluation, petition=petition)
    return evaluation


@transaction.atomic
def case_close(*, petition: Petition, actor: User | None, reason: str = "") -> Petition:
    """办结 once the petitioner accepts the answer or the review window has passed."""
    if actor is not None:
        _require_unit(actor, petition.handling_unit_id)
    return _move(petition, "close", actor, reason=reason, due_at=None)


@transaction.atomic
def case_archive(*, petition: Petition, actor: User) -> Petition:
    """归档: all documents stay with the case; nothing is deleted."""
    _require_unit(actor, petition.registering_unit_id)
    _require(
        not petition.execution_tasks.filter(done_on__isnull=True).exists(),
        _("A supported decision is still being executed."),
        code="refused",
    )
    return _move(petition, "archive", actor)


# --- 督查督办 (条例第三十八至四十条) -----------------------------------------------------------


def _escalated_level(petition: Petition, unit_id: int) -> str:
    """Repeated failure escalates: the 2nd order is a 通报, the 3rd and later 挂牌督办."""
    earlier = Supervision.objects.filter(petition=petition, unit_id=unit_id).count()
    if earlier >= 2:
        return SupervisionLevel.LISTED
    if earlier == 1:
        return SupervisionLevel.CIRCULATE
    return SupervisionLevel.SUPERVISE


@transaction.atomic
def supervision_issue(
    *, petition: Petition, actor: User, unit: Unit, reason: str, reply_days: int = SUPERVISION_REPLY_DAYS
) -> Supervision:
    """A 督办单 by hand, from a bureau to a unit that holds the case."""
    _require(
        actor.unit is not None
        and actor.unit.is_bureau
        and actor.role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN),
        _("Only leaders and supervisors of a petition bureau can issue a supervision order."),
        code="forbidden",
    )
    assert actor.unit is not None
    area = scope_unit_ids(actor)
    _require(
        unit.pk in area and (petition.registering_unit_id in area or petition.handling_unit_id in area),
        _("A bureau supervises only cases and units of its own area."),
        code="forbidden",
    )
    reason = _require_text(reason, "reason", _("Reason"))
    _require(1 <= reply_days <= 60, _("Reply days: between 1 and 60."), "reply_days")
    supervision = Supervision.objects.create(
        petition=petition,
        unit=unit,
        issued_from=actor.unit,
        issued_by=actor,
        automatic=False,
        level=_escalated_level(petition, unit.pk),
        reason=reason,
        issued_on=today(),
        reply_due=due(today(), reply_days),
    )
    _record_supervision(petition, supervision, actor)
    return supervision


def _record_supervision(petition: Petition, supervision: Supervision, actor: User | None) -> None:
    CaseEvent.objects.create(
        petition=petition,
        action="supervise",
        old_status=petition.status,
        new_status=petition.status,
        actor=actor,
        unit=supervision.issued_from,
        reason=supervision.reason,
        data={"supervision": supervision.pk, "level": supervision.level, "unit": supervision.unit_id},
    )
    audit_record(
        actor=actor,
        action="case.supervise",
        obj=supervision,
        petition=petition,
        detail={"level": supervision.level},
    )
    _issue_notice(
        petition,
        NoticeKind.SUPERVISION,
        f"supervision:{supervision.pk}",
        supervision.issued_from,
        actor,
        {"supervision": supervision},
    )


@transaction.atomic
def supervision_reply(*, supervision: Supervision, actor: User, text: str) -> Supervision:
    """The unit answers a 督办单 with its 办理情况."""
    _require_unit(actor, supervision.unit_id)
    _require(supervision.replied_on is None, _("This supervision order is already answered."), code="refused")
    text = _require_text(text, "text", _("Progress reply"))
    if (
        Supervision.objects.filter(pk=supervision.pk, replied_on__isnull=True).update(
            reply_text=text, replied_on=today()
        )
        != 1
    ):
        raise Conflict
    supervision.refresh_from_db()
    audit_record(actor=actor, action="case.supervision_reply", obj=supervision, petition=supervision.petition)
    return supervision


def overseeing_bureaus() -> dict[int, int]:
    """Unit id → id of the 信访部门 that supervises it: the bureau under the nearest people's
    government above it (or the unit itself when none is found). All units in one query, so the
    sweep can address thousands of 督办单 without a lookup per case."""
    units = list(Unit.objects.order_by("path").values("pk", "parent_id", "kind", "is_active", "path"))
    bureau_below: dict[int, int] = {}  # area id → its first active bureau
    for u in units:
        if u["kind"] == UnitKind.BUREAU and u["is_active"] and u["parent_id"] is not None:
            bureau_below.setdefault(u["parent_id"], u["pk"])
    kinds = {u["pk"]: u["kind"] for u in units}
    result: dict[int, int] = {}
    for u in units:
        result[u["pk"]] = u["pk"]
        for area in reversed([int(part) for part in u["path"].strip("/").split("/") if part]):
            if area in bureau_below:
                result[u["pk"]] = bureau_below[area]
                break
            if kinds.get(area) == UnitKind.BUREAU:
                result[u["pk"]] = area
                break
    return result


def events_of(petition: Petition) -> list[CaseEvent]:
    return list(petition.events.select_related("actor", "unit"))

"""The 信访部门's decision (条例第二十二条): transfer, assign, refuse, reply directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.cases.models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Duty,
    NoticeKind,
    RefusalGround,
)
from xinfang.detection.rules import RefusalProposal
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, UnitKind, User
from xinfang.petitions.models import Petition, RequestClass
from xinfang.petitions.states import Status
from xinfang.workflow import guards
from xinfang.workflow.services.core import (
    DECISION_DAYS,
    OBJECTION_WORKING_DAYS,
    _allowed,
    _issue_notice,
    _move,
    _require,
    _require_date,
    _require_text,
    acting_unit,
    due,
    identity_known,
    today,
)


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
            not unit.is_within(petition.complained_unit),  # type: ignore[arg-type]  # complained_unit_id checked above
            _("Receiving unit: the materials of an accusation may never reach the accused unit."),
            field,
        )
    category = petition.category
    parent = category.parent if category is not None else None
    required_kind = (category.route_to_kind if category is not None else "") or (
        parent.route_to_kind if parent is not None else ""
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
        assert spec.due_at is not None  # required just above
        _require(spec.due_at >= today(), _("Deadline: cannot be in the past."), "due_at")
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
    _allowed(guards.may_route(petition, actor), petition)
    _require(bool(specs), _("Units: choose at least one receiving unit."), "units")
    for i, spec in enumerate(specs):
        _check_target(petition, spec.unit, "unit" if kind == AssignmentKind.TRANSFER else f"units.{i}.unit")
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
    _allowed(guards.may_refuse(petition, actor), petition)
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
            acting_unit(actor),
            actor,
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
    _allowed(guards.may_direct_reply(petition, actor), petition)
    text = _require_text(text, "text", _("Answer"))
    return _move(petition, "direct_reply", actor, reason=text, due_at=None)

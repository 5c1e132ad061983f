"""The receiving unit (条例第二十三条): accept with a route, object, decide an objection."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.cases import selectors
from xinfang.cases.models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    NoticeKind,
    Route,
)
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition, RequestClass
from xinfang.workflow import guards
from xinfang.workflow.services.core import (
    DECISION_DAYS,
    HANDLING_DAYS,
    _allowed,
    _issue_notice,
    _move,
    _notice_prefetch,
    _require,
    _require_date,
    _require_text,
    acting_unit,
    due,
    identity_known,
    today,
)
from xinfang.workflow.services.routing import _check_unit_kind
from xinfang.writes import update_row


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
    _allowed(guards.may_accept(petition, actor), petition)
    lead = selectors.lead_assignment(petition)
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
            acting_unit(actor),
            actor,
            template=template,
        )
    return petition


@transaction.atomic
def case_object(*, petition: Petition, actor: User, reason: str, on: date | None = None) -> Petition:
    """异议: the unit says the matter is not within its remit, within 5 working days of receipt
    (条例第二十三条第三款, XF-ACK-02)."""
    _allowed(guards.may_object(petition, actor), petition)
    lead = guards.objected_to(petition)
    assert lead is not None  # the guard made sure
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
    _allowed(guards.may_decide_objection(petition, actor), petition)
    lead = guards.pending_objection(petition)
    assert lead is not None  # the guard made sure
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

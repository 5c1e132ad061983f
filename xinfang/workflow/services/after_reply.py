"""After the reply: 送达, 复查, 复核, evaluation, 终结 and archiving (条例第三十五、三十六条)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record
from xinfang.cases.models import (
    STAFF_METHODS,
    CaseEvent,
    Decision,
    DecisionKind,
    Evaluation,
    EvaluationMethod,
    EvaluationTarget,
    NoticeKind,
    Outcome,
    ReviewLevel,
    ReviewRequest,
    Satisfaction,
)
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, User
from xinfang.petitions.models import Petition
from xinfang.workflow import guards
from xinfang.workflow.services.core import (
    RECHECK_DAYS,
    REVIEW_DAYS,
    REVIEW_REQUEST_DAYS,
    _allowed,
    _issue_notice,
    _move,
    _require,
    _require_date,
    _require_unit,
    acting_unit,
    due,
)
from xinfang.workflow.services.handling import DecisionInput, _check_decision
from xinfang.writes import update_row


@transaction.atomic
def case_deliver(*, petition: Petition, actor: User, delivered_on: date | None = None) -> Petition:
    """送达 of the latest written decision; the petitioner's 30-day window to ask for 复查 or
    复核 runs from here (条例第三十五、三十六条)."""
    _allowed(guards.may_deliver(petition, actor), petition)
    decision = guards.undelivered(petition)
    assert decision is not None  # the guard made sure
    when = _require_date(delivered_on, "delivered_on", _("Delivery date"), not_before=decision.issued_on)
    update_row(Decision, pk=decision.pk, values={"delivered_on": when})
    return _move(petition, "deliver", actor, data={"decision": decision.pk, "delivered_on": when})


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
    guard = guards.may_request_review if level == ReviewLevel.REVIEW else guards.may_request_recheck
    _allowed(guard(petition, actor), petition)
    _require_unit(actor, unit.pk)
    decision = guards.reviewed_decision(petition, level)
    assert decision is not None and decision.delivered_on is not None  # the guard made sure
    _require(
        guards.one_level_up(decision.unit, unit),
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
    _allowed((guards.may_start_hearing if start else guards.may_end_hearing)(petition, actor), petition)
    request = guards.open_review(petition, ReviewLevel.RECHECK)
    assert request is not None  # the guard made sure
    earliest = request.requested_on if start else (request.hearing_started_on or request.requested_on)
    when = _require_date(on, "on", _("Hearing date"), not_before=earliest)
    if start:
        ReviewRequest.objects.filter(pk=request.pk).update(hearing_started_on=when)
        # The clock stops during the hearing (条例第三十六条第二款): no deadline for the sweep.
        return _move(petition, "hearing_start", actor, data={"on": when}, due_at=None)
    assert request.hearing_started_on is not None  # the guard made sure
    paused = (when - request.hearing_started_on).days
    new_due = due(request.requested_on, RECHECK_DAYS + request.hearing_days + paused)
    ReviewRequest.objects.filter(pk=request.pk).update(
        hearing_started_on=None, hearing_days=request.hearing_days + paused, due_at=new_due
    )
    return _move(petition, "hearing_end", actor, data={"on": when, "paused_days": paused}, due_at=new_due)


@transaction.atomic
def case_review_decide(*, petition: Petition, actor: User, data: DecisionInput) -> Decision:
    """复查意见书 (XF-REV-02) or, under 复核, 复核意见书 and 终结 (XF-REV-04)."""
    _allowed(guards.may_review_decide(petition, actor), petition)
    level = guards.review_level(petition)
    request = guards.open_review(petition, level)
    assert request is not None  # the guard made sure
    text = _check_decision(data, {o.value for o in Outcome})
    issued = _require_date(data.issued_on, "issued_on", _("Date issued"), not_before=request.requested_on)
    kind = DecisionKind.REVIEW if level == ReviewLevel.REVIEW else DecisionKind.RECHECK
    decision = Decision.objects.create(
        petition=petition,
        kind=kind,
        unit=acting_unit(actor),
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
        acting_unit(actor),
        actor,
        {"decision": decision},
    )
    return decision


@transaction.atomic
def case_evaluate(
    *,
    petition: Petition,
    actor: User | None,
    target: str,
    satisfaction: str,
    method: str,
    comment: str = "",
) -> Evaluation:
    """回访 / 满意度评价: the petitioner rates the bureau and the handling unit once each, after the
    answer — on the portal (``actor`` None, ``method`` portal) or told to 信访部门 staff at a return
    visit, who state how they collected it (phone, visit, letter)."""
    _allowed(guards.may_evaluate(petition, actor), petition)
    _require(target in EvaluationTarget.values, _("Evaluated: choose one of the listed options."), "target")
    _require(
        satisfaction in Satisfaction.values,
        _("Satisfaction: choose one of the listed options."),
        "satisfaction",
    )
    allowed_methods = STAFF_METHODS if actor is not None else (EvaluationMethod.PORTAL.value,)
    _require(
        method in allowed_methods,
        _("Collected by: state how the rating was collected (telephone, home visit or letter)."),
        "method",
    )
    unit_id = petition.registering_unit_id if target == EvaluationTarget.BUREAU else petition.handling_unit_id
    if unit_id is None:
        raise ActionRefused(
            _("There is no handling unit to evaluate."),
            {"target": _("There is no handling unit to evaluate.")},
        )
    refusal = guards.may_rate_unit(actor, Unit.objects.get(pk=unit_id))
    if refusal is not None:
        raise ActionRefused(refusal.message, {"target": refusal.message}, code=refusal.code)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                petition=petition,
                target=target,
                unit_id=unit_id,
                satisfaction=satisfaction,
                comment=comment.strip(),
                method=method,
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
        data={"target": target, "satisfaction": satisfaction, "method": method},
    )
    audit_record(actor=actor, action="case.evaluate", obj=evaluation, petition=petition)
    return evaluation


@transaction.atomic
def case_close(*, petition: Petition, actor: User | None, reason: str = "") -> Petition:
    """办结 once the petitioner accepts the answer or the review window has passed."""
    if actor is not None:  # the sweep closes without one
        _allowed(guards.may_close(petition, actor), petition)
    return _move(petition, "close", actor, reason=reason, due_at=None)


@transaction.atomic
def case_archive(*, petition: Petition, actor: User) -> Petition:
    """归档: all documents stay with the case; nothing is deleted."""
    _allowed(guards.may_archive(petition, actor), petition)
    return _move(petition, "archive", actor)

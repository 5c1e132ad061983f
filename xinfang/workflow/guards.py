"""Who may perform which action on a case now: one guard per action, asked by the handling page
before it renders a form and by the action's service before it writes (docs/lifecycle.md).

A guard looks at the case's state, the unit that holds the step and the actor's role, and at what
the case's records allow (an objection to decide, an undelivered decision, an open 复核 …), never at
the input. It returns ``None`` when the action is open to the actor, or the ``ActionRefused`` the
service would raise. Codes: ``invalid_transition`` (not in this state) and ``forbidden`` (not this
user) mean the action is not the actor's to take; ``duties_open`` and ``too_late`` name something
the actor can resolve or must know, and the page lists them; other refusals (``refused``: nothing
to decide, not this route …) hide the action as well.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.cases import selectors
from xinfang.cases.models import (
    ACTIVE_ASSIGNMENT,
    STATUTORY_PROCEDURE_ROUTES,
    Assignment,
    AssignmentStatus,
    Decision,
    DecisionKind,
    EvaluationTarget,
    ExtensionStatus,
    ReviewLevel,
    ReviewRequest,
    Route,
    Supervision,
)
from xinfang.errors import ActionRefused
from xinfang.orgs.models import LEVEL_ORDER, Role, Unit, UnitKind, UnitLevel, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition, RequestClass
from xinfang.petitions.states import Status, can

Guard = Callable[[Petition, User], ActionRefused | None]

# Statuses in which the petitioner has had an answer and can rate it (回访, 满意度评价).
ANSWERED = (Status.REPLIED, Status.REVIEWED, Status.CONCLUDED, Status.CLOSED)
# The decision whose 送达 each status waits for.
DELIVERED_KIND = {
    Status.REPLIED: DecisionKind.OPINION,
    Status.REVIEWED: DecisionKind.REVIEW,
    Status.CONCLUDED: DecisionKind.RECHECK,
}
# Refusals the handling page shows as the reason an action of the user waits: something they can
# resolve (the other units' duties) or must know (the limit passed).
RESOLVABLE = ("duties_open", "too_late")


def refused(message: str, code: str = "refused") -> ActionRefused:
    return ActionRefused(message, code=code)


def _state(petition: Petition, *actions: str) -> ActionRefused | None:
    if any(can(petition.status, action) for action in actions):
        return None
    return refused(
        _("This action is not possible while the case is “%(status)s”.")
        % {"status": Status(petition.status).label},
        "invalid_transition",
    )


def _holder(actor: User, unit_id: int | None, petition: Petition) -> ActionRefused | None:
    if actor.unit_id is None or actor.unit_id != unit_id:
        return refused(_("Only the unit that holds the case at this step can do this."), "forbidden")
    if accused(petition, actor.unit):
        return refused(
            _("An accusation against your unit or a unit above it is never handled by your unit."),
            "forbidden",
        )
    return None


def accused(petition: Petition, unit: Unit | None) -> bool:
    """条例第三十条: ``unit`` is the unit an accusation is against, or below it."""
    return (
        petition.request_class == RequestClass.ACCUSATION
        and petition.complained_unit_id is not None
        and unit is not None
        and petition.complained_unit_id in unit.ancestor_ids
    )


def current_holder(petition: Petition, lead: Assignment | None = None) -> int | None:
    """The unit whose step it is; ``lead``, when given, is ``selectors.lead_assignment(petition)``."""
    if petition.status in (Status.ROUTED, Status.ACCEPTED, Status.OBJECTED):
        lead = lead or selectors.lead_assignment(petition)
        if lead is not None:
            return lead.unit_id
    return petition.handling_unit_id or petition.registering_unit_id


def is_head_for(user: User, unit_id: int | None) -> bool:
    """A 负责人: a leader of the handling unit itself, or of the 信访部门 overseeing it."""
    if user.role != Role.LEADER or user.unit is None or unit_id is None:
        return False
    if user.unit_id == unit_id:
        return True
    return user.unit.is_bureau and unit_id in scope_unit_ids(user)


def one_level_up(unit: Unit, candidate: Unit) -> bool:
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


def first(*checks: Callable[[], ActionRefused | None]) -> ActionRefused | None:
    """The first refusal of ``checks``, asked in order (later checks may read what earlier ones
    made sure of)."""
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return None


# --- the 信访部门's decision (条例第二十二条) --------------------------------------------------------


def may_route(petition: Petition, actor: User) -> ActionRefused | None:
    """转送 and 交办: the registering organ decides."""
    return _state(petition, "transfer") or _holder(actor, petition.registering_unit_id, petition)


def may_refuse(petition: Petition, actor: User) -> ActionRefused | None:
    return _state(petition, "refuse") or _holder(actor, current_holder(petition), petition)


def may_direct_reply(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "direct_reply"),
        lambda: _holder(actor, petition.registering_unit_id, petition),
        lambda: (
            None
            if petition.request_class == RequestClass.SUGGESTION
            else refused(_("Only a suggestion or opinion can be answered directly."))
        ),
    )


# --- the receiving unit (条例第二十三条) --------------------------------------------------------------


def may_accept(petition: Petition, actor: User) -> ActionRefused | None:
    return _state(petition, "accept") or _holder(actor, current_holder(petition), petition)


def objected_to(petition: Petition) -> Assignment | None:
    """The lead assignment a unit can still object to (异议)."""
    return selectors.lead_assignment(petition)


def may_object(petition: Petition, actor: User) -> ActionRefused | None:
    if (wrong_state := _state(petition, "object")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    lead = objected_to(petition)
    return first(
        lambda: (
            None
            if lead is not None
            else refused(_("Only a transferred or assigned case can be objected to."))
        ),
        lambda: _holder(actor, lead.unit_id if lead else None, petition),
    )


def pending_objection(petition: Petition) -> Assignment | None:
    return petition.assignments.filter(is_lead=True, status=AssignmentStatus.OBJECTED).first()


def may_decide_objection(petition: Petition, actor: User) -> ActionRefused | None:
    if (wrong_state := _state(petition, "objection_approve")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    lead = pending_objection(petition)
    return first(
        lambda: None if lead is not None else refused(_("There is no objection to decide.")),
        lambda: _holder(actor, lead.sent_from_id if lead else None, petition),
        lambda: (
            None
            if actor.role in (Role.CLERK, Role.LEADER, Role.ADMIN)
            else refused(_("Only bureau staff can decide an objection."), "forbidden")
        ),
    )


# --- handling (条例第三十一至三十四条) ---------------------------------------------------------------


def may_request_extension(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "request_extension"),
        lambda: _holder(actor, petition.handling_unit_id, petition),
        lambda: (
            None
            if petition.route == Route.PETITION and petition.due_at is not None
            else refused(_("Only a matter handled under route (6) has a handling limit to extend."))
        ),
        lambda: (
            None
            if not petition.extensions.filter(status=ExtensionStatus.APPROVED).exists()
            else refused(_("The handling limit can be extended only once."))
        ),
        lambda: (
            None
            if not petition.extensions.filter(status=ExtensionStatus.PENDING).exists()
            else refused(_("An extension request is already waiting for approval."))
        ),
        lambda: (
            None
            if petition.due_at is None or timezone.localdate() <= petition.due_at
            else refused(
                _("The handling limit has already passed; an extension must be asked before it ends."),
                "too_late",
            )
        ),
    )


def may_decide_extension(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "extend"),
        lambda: (
            None
            if petition.extensions.filter(status=ExtensionStatus.PENDING).exists()
            else refused(_("There is no extension request to decide."))
        ),
        lambda: (
            None
            if is_head_for(actor, petition.handling_unit_id)
            else refused(
                _("Only a head of the handling unit or of the petition bureau can approve an extension."),
                "forbidden",
            )
        ),
    )


def open_part(petition: Petition, actor: User) -> Assignment | None:
    """The actor's unit's part of the case still to report on."""
    if actor.unit_id is None:
        return None
    return petition.assignments.filter(unit_id=actor.unit_id, status__in=ACTIVE_ASSIGNMENT).first()


def may_report(petition: Petition, actor: User) -> ActionRefused | None:
    if (wrong_state := _state(petition, "report")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    part = open_part(petition, actor)
    return first(
        lambda: (
            None if part is not None else refused(_("Your unit has no open part in this case."), "forbidden")
        ),
        # The unit a case was transferred to (转送) answers with its handling opinion; a 办结报告 is
        # owed by the units of a 交办 package.
        lambda: (
            None
            if part is None or part.report_required or not part.is_lead
            else refused(_("The handling unit closes its part with the handling opinion."), "forbidden")
        ),
    )


def duties_open(petition: Petition) -> ActionRefused | None:
    """The handling unit closes the case only once every other unit closed its duty."""
    pending = [a for a in selectors.active_assignments(petition) if not a.is_lead]
    if not pending:
        return None
    return refused(
        _("These units have not closed their duty yet: %(units)s.")
        % {"units": "、".join(a.unit.name for a in pending)},
        "duties_open",
    )


def may_record_procedure(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "record_procedure"),
        lambda: _holder(actor, petition.handling_unit_id, petition),
        lambda: (
            None
            if petition.route in STATUTORY_PROCEDURE_ROUTES
            else refused(_("Only a matter directed into a statutory procedure is closed this way."))
        ),
        lambda: duties_open(petition),
    )


def may_reply(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "reply"),
        lambda: _holder(actor, petition.handling_unit_id, petition),
        lambda: (
            None
            if petition.route in (Route.PETITION, Route.SUGGESTION, Route.ACCUSATION)
            else refused(_("Matters in a statutory procedure are closed by recording that procedure."))
        ),
        lambda: duties_open(petition),
    )


# --- after the reply: 送达, 复查, 复核, 终结 ---------------------------------------------------------


def undelivered(petition: Petition) -> Decision | None:
    """The latest written decision of the case's status, if it still waits for 送达."""
    kind = DELIVERED_KIND.get(Status(petition.status), DecisionKind.OPINION)
    decision = selectors.latest_decision(petition, kind)
    return decision if decision is not None and decision.delivered_on is None else None


def may_deliver(petition: Petition, actor: User) -> ActionRefused | None:
    if (wrong_state := _state(petition, "deliver")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    decision = undelivered(petition)
    return first(
        lambda: None if decision is not None else refused(_("There is no undelivered decision.")),
        lambda: _holder(actor, decision.unit_id if decision else None, petition),
    )


def reviewed_decision(petition: Petition, level: str) -> Decision | None:
    """The delivered decision a 复查 (or 复核) request is against."""
    kind = DecisionKind.OPINION if level == ReviewLevel.REVIEW else DecisionKind.REVIEW
    decision = selectors.latest_decision(petition, kind)
    return decision if decision is not None and decision.delivered_on is not None else None


def _may_request(petition: Petition, actor: User, level: str) -> ActionRefused | None:
    action = "request_review" if level == ReviewLevel.REVIEW else "request_recheck"
    if (wrong_state := _state(petition, action)) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    decision = reviewed_decision(petition, level)
    return first(
        lambda: (
            None
            if decision is not None
            else refused(_("The decision must be delivered before a review can be requested."))
        ),
        # Recorded by staff of the reviewing unit, one level above the unit that decided.
        lambda: (
            None
            if decision is None or (actor.unit is not None and one_level_up(decision.unit, actor.unit))
            else _not_one_level_up()
        ),
    )


def _not_one_level_up() -> ActionRefused:
    message = _("Reviewing unit: must be one level above the unit that decided.")
    return ActionRefused(message, {"unit": message}, code="forbidden")


def may_request_review(petition: Petition, actor: User) -> ActionRefused | None:
    return _may_request(petition, actor, ReviewLevel.REVIEW)


def may_request_recheck(petition: Petition, actor: User) -> ActionRefused | None:
    return _may_request(petition, actor, ReviewLevel.RECHECK)


def open_review(petition: Petition, level: str) -> ReviewRequest | None:
    return petition.review_requests.filter(level=level, decided=False).first()


def _may_hear(petition: Petition, actor: User, *, start: bool) -> ActionRefused | None:
    if (wrong_state := _state(petition, "hearing_start" if start else "hearing_end")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    request = open_review(petition, ReviewLevel.RECHECK)
    in_progress = request is not None and request.hearing_started_on is not None
    return first(
        lambda: None if request is not None else refused(_("There is no open re-examination.")),
        lambda: _holder(actor, request.unit_id if request else None, petition),
        lambda: (
            None
            if in_progress != start
            else refused(_("A hearing is already in progress.") if start else _("No hearing is in progress."))
        ),
    )


def may_start_hearing(petition: Petition, actor: User) -> ActionRefused | None:
    return _may_hear(petition, actor, start=True)


def may_end_hearing(petition: Petition, actor: User) -> ActionRefused | None:
    return _may_hear(petition, actor, start=False)


def review_level(petition: Petition) -> str:
    return ReviewLevel.REVIEW if petition.status == Status.REVIEW else ReviewLevel.RECHECK


def may_review_decide(petition: Petition, actor: User) -> ActionRefused | None:
    if (wrong_state := _state(petition, "review_decide", "recheck_decide")) is not None:
        return wrong_state  # before any read: most actions are not open in a given state
    request = open_review(petition, review_level(petition))
    return first(
        lambda: None if request is not None else refused(_("There is no open review.")),
        lambda: _holder(actor, request.unit_id if request else None, petition),
        lambda: (
            None
            if request is None or request.hearing_started_on is None
            else refused(_("Close the hearing first."))
        ),
    )


def may_evaluate(petition: Petition, actor: User | None) -> ActionRefused | None:
    """满意度评价 is the petitioner's: recorded by the petitioner on the portal (``actor`` None) or by
    信访部门 staff at a 回访 (国信发〔2014〕16号); a handling unit never records its own rating."""
    if petition.status not in ANSWERED:
        return refused(_("A case can be evaluated once it has been answered."))
    if actor is not None and (actor.unit is None or actor.unit.kind != UnitKind.BUREAU):
        return refused(
            _("A petitioner's evaluation is recorded by petition bureau staff at a return visit."),
            "forbidden",
        )
    if actor is not None and accused(petition, actor.unit):
        return refused(
            _("An accusation against your unit or a unit above it is never handled by your unit."),
            "forbidden",
        )
    if petition.evaluations.count() >= len(EvaluationTarget.values):
        return refused(_("This evaluation was already recorded."), "duplicate")
    return None


def may_rate_unit(actor: User | None, rated: Unit) -> ActionRefused | None:
    """The unit being rated, or a unit below it, never records the rating."""
    if actor is not None and actor.unit is not None and actor.unit.is_within(rated):
        return refused(
            _(
                "Evaluated: your unit is the one being evaluated; the rating is recorded by the petitioner "
                "online or by the petition bureau above."
            ),
            "forbidden",
        )
    return None


def may_close(petition: Petition, actor: User) -> ActionRefused | None:
    return _state(petition, "close") or _holder(actor, petition.handling_unit_id, petition)


def may_archive(petition: Petition, actor: User) -> ActionRefused | None:
    return first(
        lambda: _state(petition, "archive"),
        lambda: _holder(actor, petition.registering_unit_id, petition),
        lambda: (
            None
            if not petition.execution_tasks.filter(done_on__isnull=True).exists()
            else refused(_("A supported decision is still being executed."))
        ),
    )


# --- 督查督办 (条例第三十八至四十条) -----------------------------------------------------------------


def may_supervise(petition: Petition, actor: User) -> ActionRefused | None:
    if not (
        actor.unit is not None
        and actor.unit.is_bureau
        and actor.role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
    ):
        return refused(
            _("Only leaders and supervisors of a petition bureau can issue a supervision order."), "forbidden"
        )
    area = scope_unit_ids(actor)
    if petition.registering_unit_id not in area and petition.handling_unit_id not in area:
        return refused(_("A bureau supervises only cases and units of its own area."), "forbidden")
    if not petition.is_open:
        return refused(_("Only an open case can be supervised."))
    return None


def may_answer_supervision(supervision: Supervision, actor: User) -> ActionRefused | None:
    return _holder(actor, supervision.unit_id, supervision.petition) or (
        None if supervision.replied_on is None else refused(_("This supervision order is already answered."))
    )

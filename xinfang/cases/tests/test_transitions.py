"""The state machine (``states.TRANSITIONS``) as the services perform it: every (status, action) of the
table through its service, every action outside the table refused, and the table's own shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from xinfang.audit.models import AuditLog
from xinfang.cases.models import Duty, RefusalGround, Route
from xinfang.cases.tests import case_builders as b
from xinfang.errors import ActionRefused, Conflict
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.states import (
    OPEN_STATES,
    ORGAN_OWES_ACTION,
    TRANSITIONS,
    Status,
    actions_from,
    can,
    next_status,
)
from xinfang.testing import World, register
from xinfang.workflow import services as cs

S = Status


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(b.LATE)


@pytest.fixture
def people(world):
    return b.cast(world)


# Each scenario brings a case to the status (or builds it) and performs the action through its
# service; it returns the case and the actor who acted.
Scenario = Callable[[World, b.Cast], tuple[Petition, User]]


def _transfer(world, people):
    p = b.registered(world)
    return cs.case_transfer(
        petition=p, actor=world.clerk, unit=world.township, sent_on=b.RECEIVED
    ), world.clerk


def _assign(world, people):
    p = b.registered(world)
    spec = cs.AssignmentSpec(world.township, due_at=date(2024, 8, 1))
    return cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED), world.clerk


def _refuse_registered(world, people):
    p = b.registered(world)
    ground = RefusalGround.NOT_IN_REMIT
    return cs.case_refuse(petition=p, actor=world.clerk, ground=ground, reason="不属信访事项"), world.clerk


def _direct_reply(world, people):
    p = register(world.clerk, received=b.RECEIVED, request_class="suggestion", category="1603")
    return cs.case_direct_reply(petition=p, actor=world.clerk, text="感谢建议，已转有关部门研究"), world.clerk


def _accept_registered(world, people):
    p = b.registered(world)
    return cs.case_accept(
        petition=p, actor=world.clerk, route=Route.PETITION, accepted_on=b.RECEIVED
    ), world.clerk


def _accept_routed(world, people):
    p = b.routed(world)
    actor = world.township_handler
    return cs.case_accept(petition=p, actor=actor, route=Route.PETITION, accepted_on=b.RECEIVED), actor


def _object(world, people):
    p = b.routed(world)
    actor = world.township_handler
    return cs.case_object(petition=p, actor=actor, reason="不属本镇职责", on=b.RECEIVED), actor


def _refuse_routed(world, people):
    p = b.routed(world)
    actor = world.township_handler
    ground = RefusalGround.ACCEPTED_BELOW
    return cs.case_refuse(petition=p, actor=actor, ground=ground, reason="村委会已受理"), actor


def _objection_approve(world, people):
    p = b.objected(world)
    return cs.case_decide_objection(
        petition=p, actor=world.clerk, approve=True, reason="同意退回"
    ), world.clerk


def _objection_reject(world, people):
    p = b.objected(world)
    return cs.case_decide_objection(
        petition=p, actor=world.clerk, approve=False, reason="属镇政府职责"
    ), world.clerk


def _request_extension(world, people, clock):
    clock.set(date(2024, 4, 1))
    p = b.accepted(world)
    actor = world.township_handler
    cs.case_request_extension(petition=p, actor=actor, days=30, reason="涉及多个部门，情况复杂")
    return p, actor


def _extend(world, people, clock):
    p, _ = _request_extension(world, people, clock)
    p.refresh_from_db()
    return cs.case_decide_extension(petition=p, actor=world.leader, approve=True), world.leader


def _refuse_extension(world, people, clock):
    p, _ = _request_extension(world, people, clock)
    p.refresh_from_db()
    return cs.case_decide_extension(
        petition=p, actor=world.leader, approve=False, reason="不够复杂"
    ), world.leader


def _report(world, people):
    p = b.registered(world)
    specs = [
        cs.AssignmentSpec(world.township, due_at=date(2024, 8, 1)),
        cs.AssignmentSpec(world.dept, duty=Duty.TRACK, due_at=date(2024, 8, 1)),
    ]
    p = cs.case_assign(petition=p, actor=world.clerk, specs=specs, sent_on=b.RECEIVED)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    cs.case_report(petition=p, actor=world.dept_handler, text="已跟踪督办，镇政府按期推进")
    return p, world.dept_handler


def _record_procedure(world, people):
    p = b.accepted(world, route=Route.LITIGATION)
    actor = world.township_handler
    return cs.case_record_procedure(
        petition=p, actor=actor, procedure="已引导向人民法院起诉", outcome="法院已立案"
    ), actor


def _reply(world, people):
    p = b.accepted(world)
    actor = world.township_handler
    cs.case_reply(petition=p, actor=actor, data=b.decision_input(issued_on=b.REPLY_ISSUED))
    return p, actor


def _deliver_reply(world, people):
    p = b.replied(world)
    actor = world.township_handler
    return cs.case_deliver(petition=p, actor=actor, delivered_on=b.REPLY_DELIVERED), actor


def _request_review(world, people):
    p = b.delivered(world)
    actor = people.county_leader
    cs.case_request_review(petition=p, actor=actor, unit=world.county, requested_on=b.REVIEW_ASKED)
    return p, actor


def _close_replied(world, people):
    p = b.delivered(world)
    actor = world.township_handler
    return cs.case_close(petition=p, actor=actor, reason="信访人表示满意"), actor


def _review_decide(world, people):
    p = b.under_review(world, people)
    actor = people.county_leader
    cs.case_review_decide(petition=p, actor=actor, data=b.decision_input(issued_on=b.REVIEW_ISSUED))
    return p, actor


def _deliver_review(world, people):
    p = b.reviewed(world, people)
    actor = people.county_leader
    return cs.case_deliver(petition=p, actor=actor, delivered_on=b.REVIEW_DELIVERED), actor


def _request_recheck(world, people):
    p = b.review_delivered(world, people)
    actor = people.city_leader
    cs.case_request_recheck(petition=p, actor=actor, unit=world.city, requested_on=b.RECHECK_ASKED)
    return p, actor


def _close_reviewed(world, people):
    p = b.review_delivered(world, people)
    actor = people.county_leader
    return cs.case_close(petition=p, actor=actor, reason="复核申请期限届满"), actor


def _hearing_start(world, people):
    p = b.under_recheck(world, people)
    actor = people.city_leader
    return cs.case_hearing(petition=p, actor=actor, start=True, on=date(2024, 5, 10)), actor


def _hearing_end(world, people):
    p, actor = _hearing_start(world, people)
    return cs.case_hearing(petition=p, actor=actor, start=False, on=date(2024, 5, 15)), actor


def _recheck_decide(world, people):
    p = b.under_recheck(world, people)
    actor = people.city_leader
    cs.case_review_decide(petition=p, actor=actor, data=b.decision_input(issued_on=b.RECHECK_ISSUED))
    return p, actor


def _deliver_recheck(world, people):
    p = b.concluded(world, people)
    actor = people.city_leader
    return cs.case_deliver(petition=p, actor=actor, delivered_on=b.RECHECK_ISSUED), actor


def _archive(status):
    def scenario(world, people):
        p = b.reach(world, people, status)
        return cs.case_archive(petition=p, actor=world.clerk), world.clerk

    return scenario


SCENARIOS: dict[tuple[Status, str], Callable] = {
    (S.REGISTERED, "transfer"): _transfer,
    (S.REGISTERED, "assign"): _assign,
    (S.REGISTERED, "refuse"): _refuse_registered,
    (S.REGISTERED, "direct_reply"): _direct_reply,
    (S.REGISTERED, "accept"): _accept_registered,
    (S.ROUTED, "accept"): _accept_routed,
    (S.ROUTED, "object"): _object,
    (S.ROUTED, "refuse"): _refuse_routed,
    (S.OBJECTED, "objection_approve"): _objection_approve,
    (S.OBJECTED, "objection_reject"): _objection_reject,
    (S.ACCEPTED, "request_extension"): _request_extension,
    (S.ACCEPTED, "extend"): _extend,
    (S.ACCEPTED, "refuse_extension"): _refuse_extension,
    (S.ACCEPTED, "report"): _report,
    (S.ACCEPTED, "record_procedure"): _record_procedure,
    (S.ACCEPTED, "reply"): _reply,
    (S.REPLIED, "deliver"): _deliver_reply,
    (S.REPLIED, "request_review"): _request_review,
    (S.REPLIED, "close"): _close_replied,
    (S.REVIEW, "review_decide"): _review_decide,
    (S.REVIEWED, "deliver"): _deliver_review,
    (S.REVIEWED, "request_recheck"): _request_recheck,
    (S.REVIEWED, "close"): _close_reviewed,
    (S.RECHECK, "hearing_start"): _hearing_start,
    (S.RECHECK, "hearing_end"): _hearing_end,
    (S.RECHECK, "recheck_decide"): _recheck_decide,
    (S.CONCLUDED, "deliver"): _deliver_recheck,
    (S.CLOSED, "archive"): _archive(S.CLOSED),
    (S.CONCLUDED, "archive"): _archive(S.CONCLUDED),
    (S.NOT_ACCEPTED, "archive"): _archive(S.NOT_ACCEPTED),
}
NEEDS_CLOCK = {_request_extension, _extend, _refuse_extension}


def test_it_has_a_scenario_for_every_transition_of_the_table():
    assert set(SCENARIOS) == {key for key in TRANSITIONS if key[0] is not None}


@pytest.mark.parametrize(("status", "action"), list(SCENARIOS), ids=[f"{s}-{a}" for s, a in SCENARIOS])
def test_it_performs_each_transition_through_its_service(world, people, clock, status, action):
    scenario = SCENARIOS[(status, action)]
    if scenario in NEEDS_CLOCK:
        petition, actor = scenario(world, people, clock)
    else:
        petition, actor = scenario(world, people)
    petition.refresh_from_db()
    expected = TRANSITIONS[(status, action)]
    assert petition.status == expected
    assert petition.is_open == (expected in OPEN_STATES)
    event = b.last_event(petition)
    assert (event.action, event.old_status, event.new_status) == (action, status, expected)
    assert event.actor == actor
    assert event.unit_id == actor.unit_id
    entry = AuditLog.objects.filter(petition=petition).order_by("-id").first()
    assert entry is not None and entry.action == f"case.{action}"
    assert entry.actor == actor
    assert entry.detail["from"] == status and entry.detail["to"] == expected


def test_it_moves_the_version_once_per_transition(world, people, clock):
    p = b.registered(world)
    assert p.version == 0
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=b.RECEIVED)
    assert p.version == 1
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    assert p.version == 2


def test_it_writes_the_register_event_article_19(world, clock):
    p = b.registered(world)
    assert (p.status, p.is_open) == (S.REGISTERED, True)
    event = b.last_event(p)
    assert (event.action, event.old_status, event.new_status) == ("register", "", S.REGISTERED)
    assert event.actor == world.clerk and event.unit == world.bureau
    assert b.audit_actions(p) == ["petition.create"]


# --- actions outside the table ----------------------------------------------------------------


def _try_accept(world, people, p):
    cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)


def _try_accept_by_registering_unit(world, people, p):
    cs.case_accept(petition=p, actor=world.clerk, route=Route.PETITION, accepted_on=b.RECEIVED)


def _try_transfer(world, people, p):
    cs.case_transfer(petition=p, actor=world.clerk, unit=world.dept, sent_on=b.RECEIVED)


def _try_assign(world, people, p):
    spec = cs.AssignmentSpec(world.dept, due_at=date(2024, 8, 1))
    cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED)


def _try_object(world, people, p):
    cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=b.RECEIVED)


def _try_refuse_by_holder(world, people, p):
    cs.case_refuse(petition=p, actor=world.township_handler, ground="not_in_remit", reason="不属本镇职责")


def _try_refuse_by_registering_unit(world, people, p):
    cs.case_refuse(petition=p, actor=world.clerk, ground="concluded", reason="已终结")


def _try_close_by_holder(world, people, p):
    cs.case_close(petition=p, actor=world.township_handler)


def _try_archive(world, people, p):
    cs.case_archive(petition=p, actor=world.clerk)


def _try_request_review(world, people, p):
    cs.case_request_review(
        petition=p, actor=people.county_leader, unit=world.county, requested_on=b.REVIEW_ASKED
    )


REFUSED = [
    (S.ROUTED, _try_transfer),
    (S.ACCEPTED, _try_transfer),
    (S.CONCLUDED, _try_transfer),
    (S.ACCEPTED, _try_assign),
    (S.ACCEPTED, _try_accept),
    (S.REPLIED, _try_accept),
    (S.NOT_ACCEPTED, _try_accept_by_registering_unit),
    (S.ACCEPTED, _try_object),
    (S.ACCEPTED, _try_refuse_by_holder),
    (S.NOT_ACCEPTED, _try_refuse_by_registering_unit),
    (S.ACCEPTED, _try_close_by_holder),
    (S.CLOSED, _try_close_by_holder),
    (S.ACCEPTED, _try_archive),
    (S.REPLIED, _try_archive),
    (S.ARCHIVED, _try_archive),
    (S.REVIEW, _try_request_review),
]


@pytest.mark.parametrize(("status", "attempt"), REFUSED, ids=[f"{s}-{f.__name__[5:]}" for s, f in REFUSED])
def test_it_refuses_an_action_outside_the_table_with_invalid_transition(
    world, people, clock, status, attempt
):
    p = b.reach(world, people, status)
    before = b.record_size(p)
    with pytest.raises(ActionRefused) as exc:
        attempt(world, people, p)
    assert exc.value.code == "invalid_transition"
    assert not isinstance(exc.value, Conflict)
    p.refresh_from_db()
    assert p.status == status
    assert b.record_size(p) == before


def test_it_refuses_every_service_on_an_archived_case(world, people, clock):
    p = b.reach(world, people, S.ARCHIVED)
    before = b.record_size(p)
    attempts = [_try_transfer, _try_assign, _try_accept, _try_refuse_by_holder, _try_archive]
    for attempt in attempts:
        with pytest.raises(ActionRefused) as exc:
            attempt(world, people, p)
        assert exc.value.code == "invalid_transition", attempt.__name__
    assert b.record_size(p) == before


# --- the table itself -------------------------------------------------------------------------


ALL_ACTIONS = sorted({action for _, action in TRANSITIONS})


def test_it_offers_a_way_out_of_every_status_except_archived():
    for status in Status:
        if status == S.ARCHIVED:
            assert actions_from(status) == []
        else:
            assert actions_from(status), status


def test_it_reaches_every_status_from_registration_and_archived_from_every_status():
    edges: dict[Status | None, set[Status]] = {}
    for (state, _action), target in TRANSITIONS.items():
        edges.setdefault(state, set()).add(target)

    def reachable(start: Status | None) -> set[Status]:
        seen: set[Status] = set()
        todo = list(edges.get(start, ()))
        while todo:
            state = todo.pop()
            if state not in seen:
                seen.add(state)
                todo.extend(edges.get(state, ()))
        return seen

    assert reachable(None) == set(Status)
    for status in Status:
        if status != S.ARCHIVED:
            assert S.ARCHIVED in reachable(status), status


def test_it_keeps_open_states_consistent_with_the_table():
    # A status is open exactly when something other than archiving (or recording the delivery of
    # the final 复核意见书) can still happen to the case.
    for status in Status:
        working = [
            a for a in actions_from(status) if a != "archive" and (status, a) != (S.CONCLUDED, "deliver")
        ]
        assert (status in OPEN_STATES) == bool(working), status
    assert {S.CLOSED, S.CONCLUDED, S.NOT_ACCEPTED, S.ARCHIVED}.isdisjoint(OPEN_STATES)
    assert ORGAN_OWES_ACTION <= OPEN_STATES
    # After a reply or a 复查意见 the petitioner, not the organ, has the next move.
    assert OPEN_STATES - ORGAN_OWES_ACTION == {S.REPLIED, S.REVIEWED}
    # Only the finished states can be archived.
    assert {s for (s, a) in TRANSITIONS if a == "archive"} == {S.CLOSED, S.CONCLUDED, S.NOT_ACCEPTED}


def test_it_starts_every_case_registered():
    assert next_status(None, "register") == S.REGISTERED
    assert [key for key in TRANSITIONS if key[0] is None] == [(None, "register")]


@pytest.mark.parametrize("status", list(Status))
def test_it_answers_can_and_next_status_from_the_table_only(status):
    for action in ALL_ACTIONS:
        if (status, action) in TRANSITIONS:
            assert can(status, action) and can(status.value, action)
            assert next_status(status.value, action) == TRANSITIONS[(status, action)]
        else:
            assert not can(status, action)
            with pytest.raises(ValueError):
                next_status(status, action)


def test_it_keeps_the_review_ladder_on_its_own_levels():
    assert TRANSITIONS[(S.REPLIED, "request_review")] == S.REVIEW
    assert TRANSITIONS[(S.REVIEWED, "request_recheck")] == S.RECHECK
    assert TRANSITIONS[(S.RECHECK, "recheck_decide")] == S.CONCLUDED
    assert not can(S.REVIEW, "request_recheck")
    assert not can(S.REPLIED, "request_recheck")

"""Every guard of ``workflow.services``: who may act, what each action needs, and the limits of 《信访工作条例》.
A refused action raises ``ActionRefused`` with a code (and the field at fault) and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import pytest

from xinfang.cases.models import (
    Assignment,
    AssignmentStatus,
    Duty,
    ExecutionTask,
    Extension,
    ExtensionStatus,
    Outcome,
    ReviewRequest,
    Route,
    Supervision,
    SupervisionLevel,
)
from xinfang.cases.tests import case_builders as b
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Role, UnitKind, UnitLevel
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.testing import register
from xinfang.workflow import services as cs

S = Status
DUE = date(2024, 8, 1)  # a 交办 deadline after the frozen "today"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(b.LATE)


@pytest.fixture
def people(world):
    return b.cast(world)


def refused(petition: Petition | None, action: Callable[[], object], code: str = "refused") -> ActionRefused:
    """Run ``action``, expect a refusal with ``code``, and check that the case record did not move."""
    before = None
    if petition is not None:
        petition.refresh_from_db()
        before = (petition.status, petition.version, petition.due_at, b.record_size(petition))
    with pytest.raises(ActionRefused) as exc:
        action()
    assert exc.value.code == code, exc.value.message
    if petition is not None:
        petition.refresh_from_db()
        assert (petition.status, petition.version, petition.due_at, b.record_size(petition)) == before
    return exc.value


def names_the_unit(exc: ActionRefused) -> bool:
    """A 转送 names its one receiving unit ``unit`` (a 交办 names ``units.<i>.unit``)."""
    return bool({"unit", "units.0.unit"} & set(exc.fields))


def claim(world, **overrides) -> Petition:
    return b.registered(world, **overrides)


def accusation(world, against=None, category="1001") -> Petition:
    overrides = {"request_class": "accusation", "category": category}
    if against is not None:
        overrides["complained_unit"] = against.code
    return b.registered(world, **overrides)


# --- the unit that holds the step (code "forbidden") -------------------------------------------


def _supported(world, people):
    p = b.accepted(world)
    cs.case_reply(
        petition=p,
        actor=world.township_handler,
        data=b.decision_input(Outcome.SUPPORT, issued_on=b.REPLY_ISSUED),
        execution="补发补偿款12000元",
        execution_due=date(2024, 5, 1),
    )
    p.refresh_from_db()
    return p


WRONG_UNIT: dict[str, tuple[Any, Callable[..., object]]] = {
    "transfer by a township": (
        S.REGISTERED,
        lambda w, c, p: cs.case_transfer(
            petition=p, actor=w.township_handler, unit=w.dept, sent_on=b.RECEIVED
        ),
    ),
    "transfer by another county's bureau": (
        S.REGISTERED,
        lambda w, c, p: cs.case_transfer(
            petition=p, actor=w.other_clerk, unit=w.township, sent_on=b.RECEIVED
        ),
    ),
    "assign by a department": (
        S.REGISTERED,
        lambda w, c, p: cs.case_assign(
            petition=p, actor=w.dept_handler, specs=[cs.AssignmentSpec(w.township, due_at=DUE)]
        ),
    ),
    "refuse by the registering unit after routing": (
        S.ROUTED,
        lambda w, c, p: cs.case_refuse(
            petition=p, actor=w.clerk, ground="not_in_remit", reason="不属信访事项"
        ),
    ),
    "accept by another unit": (
        S.ROUTED,
        lambda w, c, p: cs.case_accept(petition=p, actor=w.dept_handler, route=Route.PETITION),
    ),
    "accept by the registering unit after routing": (
        S.ROUTED,
        lambda w, c, p: cs.case_accept(petition=p, actor=w.clerk, route=Route.PETITION),
    ),
    "object by another unit": (
        S.ROUTED,
        lambda w, c, p: cs.case_object(petition=p, actor=w.dept_handler, reason="不属本单位", on=b.RECEIVED),
    ),
    "decide an objection by the objecting unit": (
        S.OBJECTED,
        lambda w, c, p: cs.case_decide_objection(petition=p, actor=w.township_handler, approve=True),
    ),
    "decide an objection by another bureau": (
        S.OBJECTED,
        lambda w, c, p: cs.case_decide_objection(petition=p, actor=w.other_clerk, approve=True),
    ),
    "decide an objection by a supervisor": (
        S.OBJECTED,
        lambda w, c, p: cs.case_decide_objection(petition=p, actor=w.supervisor, approve=True),
    ),
    "ask an extension by another unit": (
        S.ACCEPTED,
        lambda w, c, p: cs.case_request_extension(petition=p, actor=w.dept_handler, days=10, reason="复杂"),
    ),
    "record a procedure by another unit": (
        S.ACCEPTED,
        lambda w, c, p: cs.case_record_procedure(
            petition=p, actor=w.dept_handler, procedure="诉讼", outcome="立案"
        ),
    ),
    "reply by another unit": (
        S.ACCEPTED,
        lambda w, c, p: cs.case_reply(petition=p, actor=w.dept_handler, data=b.decision_input()),
    ),
    "reply by the registering bureau": (
        S.ACCEPTED,
        lambda w, c, p: cs.case_reply(petition=p, actor=w.clerk, data=b.decision_input()),
    ),
    "deliver by another unit": (
        S.REPLIED,
        lambda w, c, p: cs.case_deliver(petition=p, actor=w.dept_handler, delivered_on=b.REPLY_DELIVERED),
    ),
    "close by another unit": (
        S.REPLIED,
        lambda w, c, p: cs.case_close(petition=p, actor=w.dept_handler),
    ),
    "record a review request for a unit one is not in": (
        lambda w, c: b.delivered(w),
        lambda w, c, p: cs.case_request_review(
            petition=p, actor=w.township_handler, unit=w.county, requested_on=b.REVIEW_ASKED
        ),
    ),
    "decide a review by the original unit": (
        S.REVIEW,
        lambda w, c, p: cs.case_review_decide(petition=p, actor=w.township_handler, data=b.decision_input()),
    ),
    "hold a hearing by the reviewing (not the re-examining) unit": (
        S.RECHECK,
        lambda w, c, p: cs.case_hearing(petition=p, actor=c.county_leader, start=True, on=date(2024, 5, 10)),
    ),
    "decide a re-examination by the reviewing unit": (
        S.RECHECK,
        lambda w, c, p: cs.case_review_decide(petition=p, actor=c.county_leader, data=b.decision_input()),
    ),
    "archive by the handling unit": (
        S.CLOSED,
        lambda w, c, p: cs.case_archive(petition=p, actor=w.township_handler),
    ),
    "report by a unit with no part": (
        S.ACCEPTED,
        lambda w, c, p: cs.case_report(petition=p, actor=w.dept_handler, text="已办结"),
    ),
}


@pytest.mark.parametrize("name", list(WRONG_UNIT))
def test_it_refuses_an_action_by_a_unit_that_does_not_hold_the_step(world, people, clock, name):
    status, attempt = WRONG_UNIT[name]
    p = status(world, people) if callable(status) else b.reach(world, people, status)
    refused(p, lambda: attempt(world, people, p), code="forbidden")


def test_it_refuses_a_direct_reply_by_a_unit_other_than_the_registering_one(world, clock):
    p = register(world.clerk, received=b.RECEIVED, request_class="suggestion", category="1603")
    refused(
        p, lambda: cs.case_direct_reply(petition=p, actor=world.township_handler, text="答复"), "forbidden"
    )


def test_it_refuses_execution_and_supervision_replies_by_another_unit(world, people, clock):
    p = _supported(world, people)
    task = ExecutionTask.objects.get(petition=p)
    refused(None, lambda: cs.execution_done(task=task, actor=world.dept_handler, note="已补发"), "forbidden")
    supervision = cs.supervision_issue(
        petition=p, actor=world.leader, unit=world.township, reason="请加快执行"
    )
    refused(
        None,
        lambda: cs.supervision_reply(supervision=supervision, actor=world.dept_handler, text="已办"),
        "forbidden",
    )
    cs.supervision_reply(supervision=supervision, actor=world.township_handler, text="已补发到户")
    again = refused(
        None, lambda: cs.supervision_reply(supervision=supervision, actor=world.township_handler, text="x")
    )
    assert again.code == "refused"


# --- 交办 packages (case_assign) -------------------------------------------------------------


def test_it_requires_exactly_one_lead_unit_in_an_assignment(world, clock):
    p = claim(world)
    no_lead = [cs.AssignmentSpec(world.township, duty=Duty.ASSIST, due_at=DUE)]
    two_leads = [cs.AssignmentSpec(world.township, due_at=DUE), cs.AssignmentSpec(world.dept, due_at=DUE)]
    for specs in (no_lead, two_leads, []):
        exc = refused(p, partial(cs.case_assign, petition=p, actor=world.clerk, specs=specs))
        assert "units" in exc.fields


def test_it_refuses_a_unit_listed_twice_in_an_assignment(world, clock):
    p = claim(world)
    specs = [
        cs.AssignmentSpec(world.township, due_at=DUE),
        cs.AssignmentSpec(world.township, duty=Duty.STABILIZE, due_at=DUE),
    ]
    exc = refused(p, lambda: cs.case_assign(petition=p, actor=world.clerk, specs=specs))
    assert "units" in exc.fields


@pytest.mark.parametrize("deadline", [None, date(2024, 6, 30)], ids=["missing", "past"])
def test_it_requires_a_future_deadline_for_every_unit_of_an_assignment(world, clock, deadline):
    p = claim(world)
    specs = [
        cs.AssignmentSpec(world.township, due_at=DUE),
        cs.AssignmentSpec(world.dept, Duty.TRACK, deadline),
    ]
    exc = refused(p, lambda: cs.case_assign(petition=p, actor=world.clerk, specs=specs))
    assert "due_at" in exc.fields


def test_it_accepts_a_deadline_of_today_for_an_assignment(world, clock):
    p = claim(world)
    p = cs.case_assign(
        petition=p, actor=world.clerk, specs=[cs.AssignmentSpec(world.township, due_at=b.LATE)]
    )
    assert p.status == S.ROUTED


# --- the receiving unit (条例第二十二条, XF-RTE-01/02) ----------------------------------------------


def test_it_refuses_an_inactive_unit_or_the_registering_unit_itself(world, clock):
    p = claim(world)
    world.dept.is_active = False
    world.dept.save()
    for unit in (world.dept, world.bureau):
        exc = refused(p, partial(cs.case_transfer, petition=p, actor=world.clerk, unit=unit))
        assert names_the_unit(exc)


@pytest.mark.parametrize("unit", ["township", "dept", "bureau_of_city", "legal"])
def test_xf_rte_01_it_sends_an_accusation_only_to_a_discipline_unit(world, people, clock, unit):
    target = {"township": world.township, "dept": world.dept, "bureau_of_city": world.city_bureau}.get(
        unit, people.legal
    )
    p = accusation(world)
    exc = refused(p, lambda: cs.case_transfer(petition=p, actor=world.clerk, unit=target))
    assert names_the_unit(exc)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.discipline, sent_on=b.RECEIVED)
    assert p.status == S.ROUTED and p.handling_unit == world.discipline


def test_xf_rte_01_it_never_sends_an_accusation_to_the_accused_unit_or_below(world, people, clock):
    township_discipline = b.make_unit(
        "990121101JW", "城关镇纪委", UnitLevel.TOWNSHIP, UnitKind.DISCIPLINE, world.township
    )
    p = accusation(world, against=world.township)
    exc = refused(p, lambda: cs.case_transfer(petition=p, actor=world.clerk, unit=township_discipline))
    assert names_the_unit(exc)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.discipline, sent_on=b.RECEIVED)
    assert p.handling_unit == world.discipline


def test_xf_rte_01_it_refuses_an_accusation_against_the_discipline_unit_itself(world, clock):
    p = accusation(world, against=world.discipline)
    refused(p, lambda: cs.case_transfer(petition=p, actor=world.clerk, unit=world.discipline))


def test_xf_rte_01_it_checks_every_unit_of_an_assignment_against_the_accused(world, people, clock):
    township_discipline = b.make_unit(
        "990121101JW", "城关镇纪委", UnitLevel.TOWNSHIP, UnitKind.DISCIPLINE, world.township
    )
    p = accusation(world, against=world.township)
    specs = [
        cs.AssignmentSpec(world.discipline, due_at=DUE),
        cs.AssignmentSpec(township_discipline, duty=Duty.ASSIST, due_at=DUE),
    ]
    exc = refused(p, lambda: cs.case_assign(petition=p, actor=world.clerk, specs=specs))
    assert "units.1.unit" in exc.fields


@pytest.mark.parametrize("category", ["0501", "0504", "05"])
def test_xf_rte_02_it_sends_a_law_related_claim_only_to_a_legal_unit(world, people, clock, category):
    p = claim(world, category=category)
    for unit in (world.township, world.dept, world.discipline):
        exc = refused(p, partial(cs.case_transfer, petition=p, actor=world.clerk, unit=unit))
        assert names_the_unit(exc)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=people.legal, sent_on=b.RECEIVED)
    assert p.handling_unit == people.legal


def test_xf_rte_02_it_applies_the_legal_route_to_claims_only(world, people, clock):
    suggestion = claim(world, category="0501", request_class="suggestion")
    p = cs.case_transfer(petition=suggestion, actor=world.clerk, unit=world.dept, sent_on=b.RECEIVED)
    assert p.status == S.ROUTED
    accused = accusation(world, category="0504")
    refused(accused, lambda: cs.case_transfer(petition=accused, actor=world.clerk, unit=people.legal))
    p = cs.case_transfer(petition=accused, actor=world.clerk, unit=world.discipline, sent_on=b.RECEIVED)
    assert p.status == S.ROUTED


def test_xf_rte_01_a_bureau_cannot_accept_an_accusation_itself(world, clock):
    p = accusation(world)
    refused(
        p,
        lambda: cs.case_accept(petition=p, actor=world.clerk, route=Route.ACCUSATION, accepted_on=b.RECEIVED),
    )


def test_xf_rte_02_a_bureau_cannot_accept_a_law_related_claim_itself(world, clock):
    p = claim(world, category="0501")
    refused(
        p,
        lambda: cs.case_accept(petition=p, actor=world.clerk, route=Route.LITIGATION, accepted_on=b.RECEIVED),
    )


# --- 受理 (条例第二十三条、第三十一条) -------------------------------------------------------------


ROUTES_BY_CLASS = [
    ("suggestion", "1603", {Route.SUGGESTION}),
    ("accusation", "1001", {Route.ACCUSATION}),
    ("claim", "0202", set(Route) - {Route.SUGGESTION, Route.ACCUSATION}),
]


@pytest.mark.parametrize(
    ("request_class", "category", "allowed"), ROUTES_BY_CLASS, ids=[r[0] for r in ROUTES_BY_CLASS]
)
@pytest.mark.parametrize("route", list(Route))
def test_article_31_it_allows_only_the_routes_of_the_request_class(
    world, people, clock, request_class, category, allowed, route
):
    unit, handler = (
        (world.discipline, people.discipline_handler)
        if request_class == "accusation"
        else (
            world.township,
            world.township_handler,
        )
    )
    p = claim(world, request_class=request_class, category=category)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=unit, sent_on=b.RECEIVED)
    if route in allowed:
        p = cs.case_accept(petition=p, actor=handler, route=route, accepted_on=b.RECEIVED)
        assert (p.status, p.route) == (S.ACCEPTED, route)
    else:
        exc = refused(
            p, lambda: cs.case_accept(petition=p, actor=handler, route=route, accepted_on=b.RECEIVED)
        )
        assert "route" in exc.fields


def test_it_refuses_an_acceptance_date_before_the_unit_received_the_case(world, clock):
    p = b.registered(world)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=date(2024, 3, 5))
    exc = refused(
        p,
        lambda: cs.case_accept(
            petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 4)
        ),
    )
    assert "accepted_on" in exc.fields
    p = cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 5)
    )
    assert p.accepted_on == date(2024, 3, 5)


def test_it_refuses_an_acceptance_date_in_the_future(world, clock):
    p = b.routed(world)
    exc = refused(
        p,
        lambda: cs.case_accept(
            petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 7, 2)
        ),
    )
    assert "accepted_on" in exc.fields


def test_it_refuses_an_acceptance_by_the_registering_unit_before_the_receipt(world, clock):
    p = b.registered(world)
    exc = refused(
        p,
        lambda: cs.case_accept(
            petition=p, actor=world.clerk, route=Route.PETITION, accepted_on=date(2024, 2, 29)
        ),
    )
    assert "accepted_on" in exc.fields


@pytest.mark.parametrize("sent_on", [date(2024, 2, 29), date(2024, 7, 2)], ids=["before-receipt", "future"])
def test_it_refuses_a_sending_date_before_the_receipt_or_in_the_future(world, clock, sent_on):
    p = b.registered(world)
    exc = refused(
        p, lambda: cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=sent_on)
    )
    assert "sent_on" in exc.fields


def test_it_uses_today_when_no_date_is_given(world, clock):
    clock.set(date(2024, 3, 4))
    p = b.registered(world)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)
    assert Assignment.objects.get(petition=p).sent_on == date(2024, 3, 4)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION)
    assert p.accepted_on == date(2024, 3, 4)


# --- 异议 and 不予受理 ---------------------------------------------------------------------------


def test_it_requires_a_reason_for_an_objection_and_for_rejecting_one(world, clock):
    p = b.routed(world)
    exc = refused(
        p, lambda: cs.case_object(petition=p, actor=world.township_handler, reason="  ", on=b.RECEIVED)
    )
    assert "reason" in exc.fields
    p = cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=b.RECEIVED)
    exc = refused(
        p, lambda: cs.case_decide_objection(petition=p, actor=world.clerk, approve=False, reason="")
    )
    assert "reason" in exc.fields


def test_it_refuses_an_objection_to_a_case_that_was_never_sent(world, clock):
    p = b.registered(world)
    refused(
        p,
        lambda: cs.case_object(petition=p, actor=world.clerk, reason="不属本单位", on=b.RECEIVED),
        code="invalid_transition",
    )


def test_it_refuses_to_decide_an_objection_nobody_raised(world, clock):
    p = b.routed(world)
    refused(
        p, lambda: cs.case_decide_objection(petition=p, actor=world.clerk, approve=True), "invalid_transition"
    )


def test_it_refuses_an_objection_before_the_unit_received_the_case(world, clock):
    p = b.registered(world)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=date(2024, 3, 5))
    exc = refused(
        p,
        lambda: cs.case_object(
            petition=p, actor=world.township_handler, reason="不属本镇", on=date(2024, 3, 4)
        ),
    )
    assert "on" in exc.fields


def test_it_lets_the_unit_object_again_after_a_rejected_objection_within_the_limit(world, clock):
    p = b.objected(world)
    p = cs.case_decide_objection(petition=p, actor=world.leader, approve=False, reason="属镇政府职责")
    lead = Assignment.objects.get(petition=p)
    assert (p.status, lead.status) == (S.ROUTED, AssignmentStatus.PENDING)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    assert p.status == S.ACCEPTED


@pytest.mark.parametrize("ground", ["", "duplicate", "other"])
def test_it_requires_a_listed_ground_to_refuse(world, clock, ground):
    p = b.registered(world)
    exc = refused(p, lambda: cs.case_refuse(petition=p, actor=world.clerk, ground=ground, reason="理由"))
    assert "ground" in exc.fields


def test_it_requires_a_reason_to_refuse(world, clock):
    p = b.registered(world)
    exc = refused(p, lambda: cs.case_refuse(petition=p, actor=world.clerk, ground="not_in_remit", reason=" "))
    assert "reason" in exc.fields


def test_article_29_it_answers_directly_only_a_suggestion(world, clock):
    p = b.registered(world)
    refused(p, lambda: cs.case_direct_reply(petition=p, actor=world.clerk, text="答复"))
    s = register(world.clerk, received=b.RECEIVED, request_class="suggestion", category="1603")
    exc = refused(s, lambda: cs.case_direct_reply(petition=s, actor=world.clerk, text=""))
    assert "text" in exc.fields


# --- 延期 (条例第三十四条, XF-DL-02) ----------------------------------------------------------------


@pytest.fixture
def in_handling(world, clock):
    """A route (六) case accepted on 2024-03-01 (due 2024-04-30), seen on 2024-04-01."""
    clock.set(date(2024, 4, 1))
    return b.accepted(world)


def _ask(world, p, days=30, reason="涉及多个部门，情况复杂"):
    return cs.case_request_extension(petition=p, actor=world.township_handler, days=days, reason=reason)


@pytest.mark.parametrize("route", [Route.DUTY, Route.LITIGATION, Route.ADMINISTRATIVE])
def test_article_34_it_extends_only_a_route_six_case(world, clock, route):
    clock.set(date(2024, 4, 1))
    p = b.accepted(world, route=route)
    refused(p, lambda: _ask(world, p))


@pytest.mark.parametrize("days", [0, -1, 31, 90])
def test_article_34_it_extends_by_one_to_thirty_days_only(world, in_handling, days):
    exc = refused(in_handling, lambda: _ask(world, in_handling, days=days))
    assert "days" in exc.fields


@pytest.mark.parametrize("days", [1, 30])
def test_article_34_it_accepts_the_bounds_of_one_and_thirty_days(world, in_handling, days):
    ext = _ask(world, in_handling, days=days)
    assert (ext.days, ext.status, ext.old_due) == (days, ExtensionStatus.PENDING, date(2024, 4, 30))


def test_article_34_it_requires_a_reason_for_an_extension(world, in_handling):
    exc = refused(in_handling, lambda: _ask(world, in_handling, reason="   "))
    assert "reason" in exc.fields


def test_article_34_it_refuses_a_second_request_while_one_is_pending(world, in_handling):
    _ask(world, in_handling)
    in_handling.refresh_from_db()
    refused(in_handling, lambda: _ask(world, in_handling, days=5))


def test_article_34_it_extends_only_once(world, in_handling):
    _ask(world, in_handling)
    in_handling.refresh_from_db()
    p = cs.case_decide_extension(petition=in_handling, actor=world.leader, approve=True)
    refused(p, lambda: _ask(world, p, days=1))


def test_article_34_it_lets_a_unit_ask_again_after_a_refusal(world, in_handling):
    _ask(world, in_handling)
    in_handling.refresh_from_db()
    p = cs.case_decide_extension(petition=in_handling, actor=world.leader, approve=False, reason="不够复杂")
    assert p.due_at == date(2024, 4, 30)
    ext = _ask(world, p, days=10)
    assert ext.status == ExtensionStatus.PENDING


def test_article_34_it_refuses_an_extension_after_the_deadline(world, clock):
    p = b.accepted(world)  # due 2024-04-30
    clock.set(date(2024, 5, 1))
    refused(p, lambda: _ask(world, p), code="too_late")
    clock.set(date(2024, 4, 30))
    assert _ask(world, p).new_due == date(2024, 5, 30)


@pytest.mark.parametrize("approver", ["township_handler", "clerk", "supervisor", "admin", "other_leader"])
def test_article_34_only_a_head_approves_an_extension(world, people, in_handling, approver):
    actor = getattr(people, approver, None) or getattr(world, approver)
    _ask(world, in_handling)
    refused(
        in_handling,
        lambda: cs.case_decide_extension(petition=in_handling, actor=actor, approve=True),
        code="forbidden",
    )
    assert Extension.objects.get(petition=in_handling).status == ExtensionStatus.PENDING


@pytest.mark.parametrize("approver", ["township_leader", "bureau_leader", "city_bureau_leader"])
def test_article_34_a_leader_of_the_handling_unit_or_an_overseeing_bureau_approves(
    world, people, in_handling, approver
):
    actor = {
        "township_leader": people.township_leader,
        "bureau_leader": world.leader,
        "city_bureau_leader": b.make_user("city_bureau_leader", world.city_bureau, Role.LEADER),
    }[approver]
    _ask(world, in_handling)
    p = cs.case_decide_extension(petition=in_handling, actor=actor, approve=True)
    assert p.due_at == date(2024, 5, 30)
    assert Extension.objects.get(petition=p).decided_by == actor


def test_article_34_it_refuses_to_decide_an_extension_nobody_asked(world, in_handling):
    refused(
        in_handling, lambda: cs.case_decide_extension(petition=in_handling, actor=world.leader, approve=True)
    )


# --- the reply (条例第三十二条, XF-OUT-01/02) ------------------------------------------------------


def test_it_refuses_a_reply_while_an_assisting_unit_has_not_reported(world, clock):
    p = b.registered(world)
    specs = [cs.AssignmentSpec(world.township, due_at=DUE), cs.AssignmentSpec(world.dept, Duty.TRACK, DUE)]
    p = cs.case_assign(petition=p, actor=world.clerk, specs=specs, sent_on=b.RECEIVED)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    exc = refused(
        p,
        lambda: cs.case_reply(petition=p, actor=world.township_handler, data=b.decision_input()),
        "duties_open",
    )
    assert world.dept.name in exc.message


def test_it_refuses_to_record_a_procedure_while_an_assisting_unit_has_not_reported(world, clock):
    p = b.registered(world)
    specs = [
        cs.AssignmentSpec(world.township, due_at=DUE),
        cs.AssignmentSpec(world.dept, Duty.LEGAL_AID, DUE),
    ]
    p = cs.case_assign(petition=p, actor=world.clerk, specs=specs, sent_on=b.RECEIVED)
    p = cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.LITIGATION, accepted_on=b.RECEIVED
    )
    exc = refused(
        p,
        lambda: cs.case_record_procedure(
            petition=p, actor=world.township_handler, procedure="起诉", outcome="立案"
        ),
        code="duties_open",
    )
    assert world.dept.name in exc.message


@pytest.mark.parametrize("field", ["requests", "facts", "opinion", "basis"])
def test_xf_out_01_a_handling_opinion_needs_requests_facts_opinion_and_basis(world, clock, field):
    p = b.accepted(world)
    data = b.decision_input(issued_on=b.REPLY_ISSUED, **{field: "  "})
    exc = refused(p, lambda: cs.case_reply(petition=p, actor=world.township_handler, data=data))
    assert field in exc.fields


@pytest.mark.parametrize("outcome", ["", "partly", "closed"])
def test_xf_out_01_a_handling_opinion_needs_a_listed_outcome(world, clock, outcome):
    p = b.accepted(world)
    data = b.decision_input(outcome, issued_on=b.REPLY_ISSUED)
    exc = refused(p, lambda: cs.case_reply(petition=p, actor=world.township_handler, data=data))
    assert "outcome" in exc.fields


@pytest.mark.parametrize(
    "issued_on", [date(2024, 2, 29), date(2024, 7, 2)], ids=["before-acceptance", "future"]
)
def test_it_refuses_an_issue_date_before_acceptance_or_in_the_future(world, clock, issued_on):
    p = b.accepted(world)
    data = b.decision_input(issued_on=issued_on)
    exc = refused(p, lambda: cs.case_reply(petition=p, actor=world.township_handler, data=data))
    assert "issued_on" in exc.fields


@pytest.mark.parametrize(
    ("execution", "execution_due", "field"),
    [
        ("", date(2024, 5, 1), "execution"),
        ("补发补偿款", None, "execution_due"),
        ("补发补偿款", date(2024, 3, 31), "execution_due"),
    ],
    ids=["no-task", "no-deadline", "deadline-before-issue"],
)
def test_xf_out_02_a_supporting_opinion_needs_an_execution_task_and_deadline(
    world, clock, execution, execution_due, field
):
    p = b.accepted(world)
    data = b.decision_input(Outcome.SUPPORT, issued_on=b.REPLY_ISSUED)
    exc = refused(
        p,
        lambda: cs.case_reply(
            petition=p,
            actor=world.township_handler,
            data=data,
            execution=execution,
            execution_due=execution_due,
        ),
    )
    assert field in exc.fields
    assert not ExecutionTask.objects.filter(petition=p).exists()


def test_it_refuses_a_reply_to_a_case_in_a_statutory_procedure(world, clock):
    p = b.accepted(world, route=Route.ARBITRATION)
    refused(p, lambda: cs.case_reply(petition=p, actor=world.township_handler, data=b.decision_input()))


def test_it_records_a_procedure_only_for_routes_one_to_five(world, clock):
    p = b.accepted(world)
    refused(
        p,
        lambda: cs.case_record_procedure(
            petition=p, actor=world.township_handler, procedure="起诉", outcome="立案"
        ),
    )
    q = b.accepted(world, route=Route.PARTY_APPEAL)
    exc = refused(
        q,
        lambda: cs.case_record_procedure(
            petition=q, actor=world.township_handler, procedure="", outcome="立案"
        ),
    )
    assert "procedure" in exc.fields


# --- 送达, 复查 and 复核 (条例第三十五、三十六条, XF-REV-01..03) -------------------------------------


def test_it_refuses_to_deliver_when_no_decision_waits(world, people, clock):
    p = b.delivered(world)
    refused(
        p, lambda: cs.case_deliver(petition=p, actor=world.township_handler, delivered_on=date(2024, 4, 3))
    )


def test_it_refuses_a_delivery_date_before_the_issue_date(world, clock):
    p = b.replied(world)
    exc = refused(
        p, lambda: cs.case_deliver(petition=p, actor=world.township_handler, delivered_on=date(2024, 3, 31))
    )
    assert "delivered_on" in exc.fields


def test_xf_rev_01_it_refuses_a_review_request_before_delivery(world, people, clock):
    p = b.replied(world)
    refused(
        p,
        lambda: cs.case_request_review(
            petition=p, actor=people.county_leader, unit=world.county, requested_on=b.REVIEW_ASKED
        ),
    )


@pytest.mark.parametrize("level", ["same", "two-up"])
def test_xf_rev_01_it_sends_a_review_only_one_level_up(world, people, clock, level):
    p = b.delivered(world)
    other_township = b.make_unit(
        "990121102", "河口镇人民政府", UnitLevel.TOWNSHIP, UnitKind.TOWNSHIP, world.county
    )
    unit, actor = {
        "same": (other_township, b.make_user("hk", other_township, Role.LEADER)),
        "two-up": (world.city, people.city_leader),
    }[level]
    exc = refused(
        p,
        lambda: cs.case_request_review(petition=p, actor=actor, unit=unit, requested_on=b.REVIEW_ASKED),
        "forbidden",
    )
    assert "unit" in exc.fields
    assert not ReviewRequest.objects.filter(petition=p).exists()


def test_xf_rev_01_it_accepts_a_review_request_up_to_thirty_days_after_delivery(world, people, clock):
    # Delivered 2024-04-02: day 30 is Thursday 05-02, inside the May Day holiday, so the window ends 05-06.
    p = b.delivered(world)
    late = refused(
        p,
        lambda: cs.case_request_review(
            petition=p, actor=people.county_leader, unit=world.county, requested_on=date(2024, 5, 7)
        ),
        code="too_late",
    )
    assert "requested_on" in late.fields
    request = cs.case_request_review(
        petition=p, actor=people.county_leader, unit=world.county, requested_on=date(2024, 5, 6)
    )
    assert request.due_at == date(2024, 6, 5)


def test_xf_rev_01_it_refuses_a_request_dated_before_the_delivery(world, people, clock):
    p = b.delivered(world)
    exc = refused(
        p,
        lambda: cs.case_request_review(
            petition=p, actor=people.county_leader, unit=world.county, requested_on=date(2024, 4, 1)
        ),
    )
    assert "requested_on" in exc.fields


def test_xf_rev_01_it_refuses_a_review_by_a_unit_that_is_not_above_the_deciding_unit(world, people, clock):
    p = b.delivered(world)
    other_head = b.make_user("other_county_head", world.other_county, Role.LEADER)
    exc = refused(
        p,
        lambda: cs.case_request_review(
            petition=p, actor=other_head, unit=world.other_county, requested_on=b.REVIEW_ASKED
        ),
        "forbidden",
    )
    assert "unit" in exc.fields


def test_xf_rev_01_the_county_government_reviews_a_county_departments_opinion(world, people, clock):
    p = b.routed(world, unit=world.dept)
    p = cs.case_accept(petition=p, actor=world.dept_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    cs.case_reply(petition=p, actor=world.dept_handler, data=b.decision_input(issued_on=b.REPLY_ISSUED))
    p.refresh_from_db()
    p = cs.case_deliver(petition=p, actor=world.dept_handler, delivered_on=b.REPLY_DELIVERED)
    cs.case_request_review(
        petition=p, actor=people.county_leader, unit=world.county, requested_on=b.REVIEW_ASKED
    )
    p.refresh_from_db()
    assert p.status == S.REVIEW


def test_xf_rev_03_it_sends_a_re_examination_one_level_above_the_reviewing_unit(world, people, clock):
    p = b.review_delivered(world, people)
    exc = refused(
        p,
        lambda: cs.case_request_recheck(
            petition=p, actor=people.county_leader, unit=world.county, requested_on=b.RECHECK_ASKED
        ),
        "forbidden",
    )
    assert "unit" in exc.fields


def test_xf_rev_03_it_accepts_a_re_examination_request_up_to_thirty_days_after_delivery(world, people, clock):
    p = b.review_delivered(world, people)  # delivered 04-22 → window ends 05-22
    refused(
        p,
        lambda: cs.case_request_recheck(
            petition=p, actor=people.city_leader, unit=world.city, requested_on=date(2024, 5, 23)
        ),
        code="too_late",
    )
    request = cs.case_request_recheck(
        petition=p, actor=people.city_leader, unit=world.city, requested_on=date(2024, 5, 22)
    )
    assert request.due_at == date(2024, 6, 21)


def test_xf_rev_03_it_refuses_a_re_examination_before_the_review_opinion_is_delivered(world, people, clock):
    p = b.reviewed(world, people)
    refused(
        p,
        lambda: cs.case_request_recheck(
            petition=p, actor=people.city_leader, unit=world.city, requested_on=b.RECHECK_ASKED
        ),
    )


def test_xf_rev_03_it_refuses_a_hearing_outside_a_re_examination(world, people, clock):
    p = b.under_review(world, people)
    refused(
        p,
        lambda: cs.case_hearing(petition=p, actor=people.county_leader, start=True, on=date(2024, 4, 12)),
        "invalid_transition",
    )


def test_xf_rev_03_it_runs_one_hearing_at_a_time(world, people, clock):
    p = b.under_recheck(world, people)
    refused(
        p, lambda: cs.case_hearing(petition=p, actor=people.city_leader, start=False, on=date(2024, 5, 10))
    )
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 10))
    refused(
        p, lambda: cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 11))
    )


def test_xf_rev_03_it_refuses_a_hearing_end_before_its_start(world, people, clock):
    p = b.under_recheck(world, people)
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 10))
    exc = refused(
        p, lambda: cs.case_hearing(petition=p, actor=people.city_leader, start=False, on=date(2024, 5, 9))
    )
    assert "on" in exc.fields


def test_xf_rev_03_it_refuses_a_hearing_dated_before_the_request(world, people, clock):
    p = b.under_recheck(world, people)
    exc = refused(
        p, lambda: cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 5))
    )
    assert "on" in exc.fields


def test_xf_rev_03_it_refuses_a_decision_while_the_hearing_is_open(world, people, clock):
    p = b.under_recheck(world, people)
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 10))
    data = b.decision_input(issued_on=b.RECHECK_ISSUED)
    refused(p, lambda: cs.case_review_decide(petition=p, actor=people.city_leader, data=data))
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=False, on=date(2024, 5, 15))
    cs.case_review_decide(petition=p, actor=people.city_leader, data=data)
    p.refresh_from_db()
    assert p.status == S.CONCLUDED


@pytest.mark.parametrize("field", ["requests", "facts", "opinion", "basis"])
def test_xf_rev_02_a_review_opinion_needs_the_four_parts(world, people, clock, field):
    p = b.under_review(world, people)
    data = b.decision_input(issued_on=b.REVIEW_ISSUED, **{field: ""})
    exc = refused(p, lambda: cs.case_review_decide(petition=p, actor=people.county_leader, data=data))
    assert field in exc.fields


def test_xf_rev_02_it_refuses_a_review_opinion_dated_before_the_request(world, people, clock):
    p = b.under_review(world, people)
    data = b.decision_input(issued_on=date(2024, 4, 9))
    exc = refused(p, lambda: cs.case_review_decide(petition=p, actor=people.county_leader, data=data))
    assert "issued_on" in exc.fields


# --- 归档 and 督办 -----------------------------------------------------------------------------


def test_it_refuses_to_archive_while_a_supported_decision_is_being_executed(world, people, clock):
    p = _supported(world, people)
    p = cs.case_deliver(petition=p, actor=world.township_handler, delivered_on=b.REPLY_DELIVERED)
    p = cs.case_close(petition=p, actor=world.township_handler, reason="信访人满意")
    refused(p, lambda: cs.case_archive(petition=p, actor=world.clerk))
    task = ExecutionTask.objects.get(petition=p)
    cs.execution_done(task=task, actor=world.township_handler, note="补偿款已补发到户")
    refused(None, lambda: cs.execution_done(task=task, actor=world.township_handler, note="再次"))
    p = cs.case_archive(petition=p, actor=world.clerk)
    assert p.status == S.ARCHIVED


def test_it_requires_a_note_to_finish_an_execution_task(world, people, clock):
    p = _supported(world, people)
    task = ExecutionTask.objects.get(petition=p)
    exc = refused(None, lambda: cs.execution_done(task=task, actor=world.township_handler, note=""))
    assert "note" in exc.fields


@pytest.mark.parametrize("issuer", ["clerk", "township_handler", "township_leader", "county_leader"])
def test_article_38_only_bureau_leaders_supervisors_and_admins_issue_a_supervision_order(
    world, people, clock, issuer
):
    actor = getattr(people, issuer, None) or getattr(world, issuer)
    p = b.accepted(world)
    refused(
        p,
        lambda: cs.supervision_issue(petition=p, actor=actor, unit=world.township, reason="超期未办结"),
        code="forbidden",
    )
    assert not Supervision.objects.exists()


@pytest.mark.parametrize("issuer", ["leader", "supervisor", "admin"])
def test_article_38_a_bureau_leader_supervisor_or_admin_issues_a_supervision_order(world, clock, issuer):
    actor = getattr(world, issuer)
    p = b.accepted(world)
    supervision = cs.supervision_issue(petition=p, actor=actor, unit=world.township, reason="超期未办结")
    assert (supervision.issued_by, supervision.issued_from, supervision.automatic) == (
        actor,
        world.bureau,
        False,
    )
    assert supervision.level == SupervisionLevel.SUPERVISE
    assert supervision.reply_due == cs.due(b.LATE, cs.SUPERVISION_REPLY_DAYS)
    p.refresh_from_db()
    assert p.status == S.ACCEPTED  # a 督办单 does not move the case
    assert b.last_event(p).action == "supervise"


def test_article_38_a_supervision_order_needs_a_reason_and_a_reply_limit(world, clock):
    p = b.accepted(world)
    exc = refused(
        p, lambda: cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason="")
    )
    assert "reason" in exc.fields
    for days in (0, 61):
        exc = refused(
            p,
            partial(
                cs.supervision_issue,
                petition=p,
                actor=world.leader,
                unit=world.township,
                reason="催办",
                reply_days=days,
            ),
        )
        assert "reply_days" in exc.fields


def test_article_43_it_escalates_repeated_supervision_to_circulation_then_listing(world, clock):
    p = b.accepted(world)
    levels = [
        cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason=f"第{i}次催办").level
        for i in (1, 2, 3, 4)
    ]
    assert levels == [
        SupervisionLevel.SUPERVISE,
        SupervisionLevel.CIRCULATE,
        SupervisionLevel.LISTED,
        SupervisionLevel.LISTED,
    ]


def test_article_38_a_bureau_cannot_supervise_a_case_outside_its_area(world, people, clock):
    p = b.accepted(world)
    refused(
        p,
        lambda: cs.supervision_issue(
            petition=p, actor=people.other_leader, unit=world.township, reason="催办"
        ),
        code="forbidden",
    )

"""A 交办 package to several units at once (联合接访, 「五虎牧羊阵」): one lead and several duties. Each
assisting unit reaches the case, reports its part (「果必报」), and the lead replies only when all have."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.cases.access import PetitionNotFound, access_petition
from xinfang.cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Duty,
    Notice,
    NoticeKind,
    RefusalGround,
    Route,
)
from xinfang.cases.tests import case_builders as b
from xinfang.errors import ActionRefused
from xinfang.orgs.models import UnitKind, UnitLevel
from xinfang.petitions.states import Status
from xinfang.workflow import services as cs

S = Status
DUE = date(2024, 4, 15)
TODAY = date(2024, 3, 4)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(TODAY)


@pytest.fixture
def people(world):
    return b.cast(world)


@pytest.fixture
def package(world, people, clock):
    """城关镇 leads; 县自然资源局 tracks (跟踪督办), 东村 keeps stability (稳控), 政法委 gives legal aid."""
    p = b.registered(world)
    specs = [
        cs.AssignmentSpec(world.township, Duty.LEAD, DUE, "核实补偿款发放并答复信访人"),
        cs.AssignmentSpec(world.dept, Duty.TRACK, DUE, "跟踪督办补偿款核算"),
        cs.AssignmentSpec(world.village, Duty.STABILIZE, date(2024, 3, 20), "做好信访人稳控息访工作"),
        cs.AssignmentSpec(people.legal, Duty.LEGAL_AID, DUE, "提供法律援助"),
    ]
    return cs.case_assign(petition=p, actor=world.clerk, specs=specs, sent_on=b.RECEIVED)


def _helpers(world, people):
    """The handler of each assisting unit, in the order of the package."""
    return [world.dept_handler, people.village_handler, people.legal_handler]


def _accept(world, package):
    return cs.case_accept(
        petition=package, actor=world.township_handler, route=Route.PETITION, accepted_on=TODAY
    )


def test_it_records_one_assignment_per_unit_with_its_duty_deadline_and_share(world, people, package):
    parts = list(Assignment.objects.filter(petition=package).order_by("id"))
    assert [(a.unit, a.duty, a.is_lead) for a in parts] == [
        (world.township, Duty.LEAD, True),
        (world.dept, Duty.TRACK, False),
        (world.village, Duty.STABILIZE, False),
        (people.legal, Duty.LEGAL_AID, False),
    ]
    assert {(a.kind, a.report_required, a.status, a.sent_on) for a in parts} == {
        (AssignmentKind.ASSIGN, True, AssignmentStatus.PENDING, b.RECEIVED)
    }
    assert parts[2].due_at == date(2024, 3, 20) and parts[2].share == "做好信访人稳控息访工作"
    assert (package.status, package.handling_unit) == (S.ROUTED, world.township)
    assert b.last_event(package).data == {
        "units": [world.township.code, world.dept.code, world.village.code, people.legal.code],
        "lead": world.township.code,
        "sent_on": "2024-03-01",
    }


def test_it_lists_every_unit_and_duty_on_the_assignment_order(world, people, package):
    order = Notice.objects.get(petition=package, kind=NoticeKind.ASSIGNMENT)
    assert (
        order.text.splitlines()[1] == "城关镇人民政府、清河县自然资源局、城关镇东村村委会、清河县委政法委："
    )
    for line in (
        "城关镇人民政府：主办，办理期限至2024年4月15日。",
        "清河县自然资源局：跟踪督办，办理期限至2024年4月15日。责任分摊：跟踪督办补偿款核算",
        "城关镇东村村委会：稳控，办理期限至2024年3月20日。",
        "清河县委政法委：法律援助，办理期限至2024年4月15日。",
    ):
        assert line in order.text


def test_every_assisting_unit_reaches_the_case_through_access_petition(world, people, package):
    for user in [world.township_handler, *_helpers(world, people)]:
        assert access_petition(user, package.pk) == package
    assert access_petition(world.clerk, package.pk) == package  # the registering bureau
    assert access_petition(world.city_clerk, package.pk) == package  # the city bureau above


def test_a_unit_without_a_duty_does_not_reach_the_case(world, people, package):
    neighbour = b.make_unit(
        "990121102", "河口镇人民政府", UnitLevel.TOWNSHIP, UnitKind.TOWNSHIP, world.county
    )
    outsiders = [world.other_clerk, people.discipline_handler, b.make_user("hk", neighbour)]
    for user in outsiders:
        with pytest.raises(PetitionNotFound):
            access_petition(user, package.pk)


def test_only_the_lead_accepts_the_package(world, people, package):
    for helper in _helpers(world, people):
        with pytest.raises(ActionRefused) as exc:
            cs.case_accept(petition=package, actor=helper, route=Route.PETITION, accepted_on=TODAY)
        assert exc.value.code == "forbidden"
    p = _accept(world, package)
    assert p.due_at == DUE  # the 交办 deadline is shorter than 60 days
    statuses = dict(Assignment.objects.filter(petition=p).values_list("unit_id", "status"))
    assert statuses[world.township.pk] == AssignmentStatus.ACCEPTED
    assert {statuses[u.pk] for u in (world.dept, world.village, people.legal)} == {AssignmentStatus.PENDING}


def test_each_assisting_unit_reports_its_part(world, people, package):
    p = _accept(world, package)
    for helper, duty in zip(
        _helpers(world, people), (Duty.TRACK, Duty.STABILIZE, Duty.LEGAL_AID), strict=True
    ):
        part = cs.case_report(petition=p, actor=helper, text=f"{helper.unit.name}已完成任务")
        assert (part.status, part.duty, part.reported_on) == (AssignmentStatus.DONE, duty, TODAY)
        assert part.report_text == f"{helper.unit.name}已完成任务"
        event = b.last_event(p)
        assert (event.action, event.actor, event.data) == ("report", helper, {"duty": duty})
    p.refresh_from_db()
    assert p.status == S.ACCEPTED


def test_a_unit_reports_its_part_only_once(world, people, package):
    p = _accept(world, package)
    cs.case_report(petition=p, actor=world.dept_handler, text="已跟踪督办")
    with pytest.raises(ActionRefused) as exc:
        cs.case_report(petition=p, actor=world.dept_handler, text="再次报告")
    assert exc.value.code == "forbidden"


def test_it_refuses_an_empty_report(world, people, package):
    p = _accept(world, package)
    with pytest.raises(ActionRefused) as exc:
        cs.case_report(petition=p, actor=world.dept_handler, text="  ")
    assert "text" in exc.value.fields
    assert Assignment.objects.get(petition=p, unit=world.dept).status == AssignmentStatus.PENDING


def test_the_lead_replies_only_when_every_duty_is_done(world, people, package):
    p = _accept(world, package)
    data = b.decision_input(issued_on=TODAY)
    remaining = [world.dept, world.village, people.legal]
    for helper in _helpers(world, people):
        with pytest.raises(ActionRefused) as exc:
            cs.case_reply(petition=p, actor=world.township_handler, data=data)
        assert exc.value.code == "duties_open"
        for unit in remaining:
            assert unit.name in exc.value.message
        cs.case_report(petition=p, actor=helper, text="本单位任务已完成")
        p.refresh_from_db()
        remaining.pop(0)
    decision = cs.case_reply(petition=p, actor=world.township_handler, data=data)
    p.refresh_from_db()
    assert (p.status, decision.unit) == (S.REPLIED, world.township)
    assert set(Assignment.objects.filter(petition=p).values_list("status", flat=True)) == {
        AssignmentStatus.DONE
    }


def test_the_lead_may_close_a_statutory_route_only_when_every_duty_is_done(world, people, package):
    p = cs.case_accept(
        petition=package, actor=world.township_handler, route=Route.ADMINISTRATIVE, accepted_on=TODAY
    )
    for helper in _helpers(world, people):
        cs.case_report(petition=p, actor=helper, text="已完成")
    p.refresh_from_db()
    p = cs.case_record_procedure(
        petition=p, actor=world.township_handler, procedure="行政裁决", outcome="已作出裁决"
    )
    assert p.status == S.CLOSED


def test_an_approved_objection_returns_the_whole_package(world, people, package):
    p = cs.case_object(
        petition=package, actor=world.township_handler, reason="应由县自然资源局主办", on=TODAY
    )
    p = cs.case_decide_objection(petition=p, actor=world.clerk, approve=True, reason="同意，重新交办")
    assert p.status == S.REGISTERED
    assert set(Assignment.objects.filter(petition=p).values_list("status", flat=True)) == {
        AssignmentStatus.RETURNED
    }


def test_a_lead_refusal_closes_the_whole_package(world, people, package):
    p = cs.case_refuse(
        petition=package,
        actor=world.township_handler,
        ground=RefusalGround.NOT_IN_REMIT,
        reason="不属本镇职责",
    )
    assert p.status == S.NOT_ACCEPTED
    assert set(Assignment.objects.filter(petition=p).values_list("status", flat=True)) == {
        AssignmentStatus.RETURNED
    }

"""The work queue: open cases of the user's scope by deadline, and the duties of 交办 packages held by
assisting units (协办, 跟踪督办 …), which a unit must see even though it neither registered nor holds
the case (「交必办」)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.cases.access import work_queue
from xinfang.cases.models import Duty, Route
from xinfang.cases.tests import case_builders as b
from xinfang.petitions.selectors import ordering_for
from xinfang.workflow import services as cs

DUE = date(2024, 4, 15)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(date(2024, 3, 4))


def _package(world):
    p = b.registered(world)
    specs = [
        cs.AssignmentSpec(world.township, Duty.LEAD, DUE, "核实补偿款发放并答复信访人"),
        cs.AssignmentSpec(world.dept, Duty.TRACK, DUE, "跟踪督办补偿款核算"),
    ]
    return cs.case_assign(petition=p, actor=world.clerk, specs=specs, sent_on=b.RECEIVED)


def test_assisting_unit_sees_its_duty_in_the_work_queue(world, clock):
    package = _package(world)
    assert package.pk in {p.pk for p in work_queue(world.dept_handler)}
    assert package.pk in {p.pk for p in work_queue(world.township_handler)}


def test_duty_leaves_the_queue_once_the_case_is_closed_for_the_unit(world, clock):
    package = _package(world)
    package = cs.case_accept(
        petition=package, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 4)
    )
    cs.case_report(petition=package, actor=world.dept_handler, text="补偿款核算已跟踪完毕")
    assert package.pk not in {p.pk for p in work_queue(world.dept_handler)}


def test_unrelated_unit_does_not_see_the_package(world, clock):
    package = _package(world)
    assert package.pk not in {p.pk for p in work_queue(world.other_clerk)}


def test_queue_orders_by_deadline_whatever_the_query_shape(world, clock):
    first = b.registered(world)
    second = b.registered(world)
    queue = list(work_queue(world.clerk))
    dues = [p.due_at for p in queue if p.due_at is not None]
    assert dues == sorted(dues)
    assert {first.pk, second.pk} <= {p.pk for p in queue}
    # A county clerk's scope is small: the order is an expression, not an index walk.
    assert not isinstance(ordering_for(world.clerk, "due")[0], str)

"""条例第三十条: an accusation is registered, held, refused and 交办 only by a 信访部门 or a 纪检监察
organ outside the accused unit's subtree, and no 督办单 about it goes to the accused unit."""

from __future__ import annotations

import pytest

from xinfang.errors import ActionRefused
from xinfang.petitions.intake import InputInvalid
from xinfang.testing import misfiled_accusation, register
from xinfang.workflow import guards
from xinfang.workflow import services as cs

pytestmark = pytest.mark.django_db


def test_art_30_an_accusation_against_the_registering_bureaus_government_is_refused_at_registration(world):
    with pytest.raises(InputInvalid) as exc:
        register(world.clerk, request_class="accusation", complained_unit=world.county.code)
    assert "unit" in exc.value.fields and "登记" in exc.value.fields["unit"]


def test_art_30_an_accusation_is_not_registered_by_a_township(world):
    with pytest.raises(InputInvalid) as exc:
        register(world.township_handler, request_class="accusation", complained_unit=world.dept.code)
    assert "unit" in exc.value.fields


def test_art_30_an_accusation_against_a_township_is_registered_by_the_county_bureau(world):
    p = register(world.clerk, request_class="accusation", complained_unit=world.township.code)
    assert p.complained_unit == world.township


def test_art_30_no_supervision_order_about_an_accusation_goes_to_the_accused_unit(world):
    p = register(world.clerk, request_class="accusation", complained_unit=world.township.code)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.discipline)
    with pytest.raises(ActionRefused) as exc:
        cs.supervision_issue(petition=p, actor=world.supervisor, unit=world.township, reason="请加快办理")
    assert "unit" in exc.value.fields
    order = cs.supervision_issue(
        petition=p, actor=world.supervisor, unit=world.discipline, reason="请加快办理"
    )
    assert order.unit == world.discipline


def test_art_30_the_accused_bureau_cannot_refuse_or_route_an_accusation_it_holds(world):
    # Data from before the rule: the bureau holds an accusation against itself.
    p = misfiled_accusation(register(world.clerk), world.bureau)
    for guard in (guards.may_refuse, guards.may_route, guards.may_accept):
        refusal = guard(p, world.clerk)
        assert refusal is not None and refusal.code == "forbidden"
        assert "被反映" in refusal.message or "检举" in refusal.message
    with pytest.raises(ActionRefused):
        cs.case_refuse(petition=p, actor=world.clerk, ground="not_in_remit", reason="不属于本机关")
    # The city bureau above, outside the accused subtree, still can.
    assert guards.may_refuse(p, world.city_clerk) is not None  # not its step: the county holds it

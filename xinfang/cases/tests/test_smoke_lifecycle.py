"""The main path of 条例 through the services: register → 交办 → 受理 → 答复 → 送达 → 复查 → 复核 → 终结."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.cases.models import Notice, NoticeKind, Outcome, Route
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Role, User
from xinfang.petitions.states import Status
from xinfang.testing import PASSWORD, register
from xinfang.workflow import services as cs
from xinfang.workflow.notices import notice_file


def _decision(outcome=Outcome.EXPLAIN):
    return cs.DecisionInput(
        requests="足额发放补偿款",
        facts="经查，补偿款已按标准发放",
        opinion="予以解释说明",
        basis="《土地管理法》第四十八条",
        outcome=outcome,
    )


@pytest.fixture
def city_leader(world):
    return User.objects.create_user(
        username="city_leader", password=PASSWORD, unit=world.city, role=Role.LEADER
    )


def test_it_runs_the_whole_ladder(world, settings, tmp_path, city_leader):
    settings.MEDIA_ROOT = tmp_path
    p = register(world.clerk)
    due = timezone.localdate() + timedelta(days=20)
    p = cs.case_assign(petition=p, actor=world.clerk, specs=[cs.AssignmentSpec(world.township, due_at=due)])
    assert p.status == Status.ROUTED
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION)
    assert p.status == Status.ACCEPTED and p.due_at == due
    cs.case_reply(petition=p, actor=world.township_handler, data=_decision())
    p.refresh_from_db()
    assert p.status == Status.REPLIED
    p = cs.case_deliver(petition=p, actor=world.township_handler)
    county_leader = User.objects.create_user(
        username="cl", password=PASSWORD, unit=world.county, role=Role.LEADER
    )
    cs.case_request_review(petition=p, actor=county_leader, unit=world.county)
    p.refresh_from_db()
    assert p.status == Status.REVIEW
    cs.case_review_decide(petition=p, actor=county_leader, data=_decision())
    p.refresh_from_db()
    p = cs.case_deliver(petition=p, actor=county_leader)
    cs.case_request_recheck(petition=p, actor=city_leader, unit=world.city)
    p.refresh_from_db()
    cs.case_review_decide(petition=p, actor=city_leader, data=_decision())
    p.refresh_from_db()
    assert p.status == Status.CONCLUDED
    kinds = set(Notice.objects.filter(petition=p).values_list("kind", flat=True))
    assert {
        NoticeKind.ASSIGNMENT,
        NoticeKind.ACCEPTANCE,
        NoticeKind.OPINION,
        NoticeKind.REVIEW,
        NoticeKind.RECHECK,
    } <= kinds
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    assert notice_file(notice, "pdf").startswith(b"%PDF")
    assert notice_file(notice, "docx").startswith(b"PK")


def test_it_extends_once_with_a_head_approval_article_34(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = register(world.clerk, received=timezone.localdate() - timedelta(days=3))
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION)
    accepted = p.accepted_on
    assert accepted is not None
    cs.case_request_extension(
        petition=p, actor=world.township_handler, days=30, reason="涉及多个部门，情况复杂"
    )
    p.refresh_from_db()
    p = cs.case_decide_extension(petition=p, actor=world.leader, approve=True)
    assert p.due_at == cs.due(accepted, 90)
    with pytest.raises(ActionRefused):
        cs.case_request_extension(petition=p, actor=world.township_handler, days=5, reason="再延")


def test_it_refuses_an_objection_after_five_working_days_article_23(world):
    p = register(world.clerk, received=date(2024, 9, 27))
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=date(2024, 9, 27))
    # 2024-09-27 (Fri) + 5 working days: 09-29 (调休 Sunday), 09-30, [国庆 10-01..07], 10-08, 10-09, 10-10
    with pytest.raises(ActionRefused) as exc:
        cs.case_object(
            petition=p, actor=world.township_handler, reason="不属本单位职责", on=date(2024, 10, 11)
        )
    assert exc.value.code == "too_late"
    p = cs.case_object(
        petition=p, actor=world.township_handler, reason="不属本单位职责", on=date(2024, 10, 10)
    )
    assert p.status == Status.OBJECTED

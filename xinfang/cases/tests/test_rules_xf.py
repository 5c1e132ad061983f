"""The lifecycle rules of the XF-* table (shared/reference/regulation-and-platforms.md §4), one or a few
tests per rule, on the worked dates of shared/domain.md ("Counting days")."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from xinfang.cases.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    DecisionKind,
    ExecutionTask,
    Notice,
    NoticeKind,
    Outcome,
    RefusalGround,
    ReviewLevel,
    ReviewRequest,
    Route,
    Supervision,
    SupervisionLevel,
)
from xinfang.cases.tests import case_builders as b
from xinfang.errors import ActionRefused
from xinfang.petitions.states import OPEN_STATES, Status
from xinfang.testing import make_id_number, register
from xinfang.workflow import services as cs

S = Status
HAS_SWEEP = importlib.util.find_spec("xinfang.workflow.sweep") is not None
needs_sweep = pytest.mark.skipif(not HAS_SWEEP, reason="xinfang/cases/sweep.py does not exist yet")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(b.LATE)


@pytest.fixture
def people(world):
    return b.cast(world)


def notices(petition, kind):
    return list(Notice.objects.filter(petition=petition, kind=kind))


# --- XF-REG-02: no written notice when the name or the address is unknown (条例第二十三条) ----------


PETITIONERS = {
    "anonymous": [],
    "no address": [{"name": "张三", "id_number": make_id_number(), "phone": "13812345678"}],
    "no name": [{"name": "", "address": "城关镇东村3组"}],
}


@pytest.mark.parametrize("who", ["anonymous", "no address"])
def test_xf_reg_02_it_registers_and_accepts_without_an_acceptance_notice_when_identity_is_unknown(
    world, clock, who
):
    p = b.registered(world, petitioners=PETITIONERS[who])
    assert p.status == S.REGISTERED and p.case_number
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=b.RECEIVED)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    assert p.status == S.ACCEPTED
    assert notices(p, NoticeKind.ACCEPTANCE) == []


def test_xf_reg_02_it_issues_no_refusal_or_extension_notice_to_an_anonymous_petitioner(world, clock):
    p = b.registered(world, petitioners=[])
    cs.case_refuse(petition=p, actor=world.clerk, ground=RefusalGround.NOT_IN_REMIT, reason="不属信访事项")
    assert not Notice.objects.filter(petition=p).exists()
    clock.set(date(2024, 4, 1))
    q = b.accepted(world, petitioners=[])
    cs.case_request_extension(petition=q, actor=world.township_handler, days=30, reason="情况复杂")
    q.refresh_from_db()
    q = cs.case_decide_extension(petition=q, actor=world.leader, approve=True)
    assert q.due_at == date(2024, 5, 30)
    assert notices(q, NoticeKind.EXTENSION) == []


def test_xf_reg_02_it_still_sends_the_unit_its_assignment_order_for_an_anonymous_letter(world, clock):
    clock.set(date(2024, 3, 4))
    p = b.registered(world, petitioners=[])
    spec = cs.AssignmentSpec(world.township, due_at=date(2024, 4, 1))
    p = cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED)
    [order] = notices(p, NoticeKind.ASSIGNMENT)
    assert "匿名信访人" in order.text


def test_xf_reg_02_it_issues_the_acceptance_notice_when_name_and_address_are_known(world, clock):
    p = b.accepted(world)
    [notice] = notices(p, NoticeKind.ACCEPTANCE)
    assert notice.unit == world.township and "张三" in notice.text


# --- XF-TRF-01 and XF-ACK-01/02 (条例第二十二、二十三条) ---------------------------------------------


def test_xf_trf_01_the_bureau_decides_within_15_days_rolled_past_the_weekend(world, clock):
    p = b.registered(world)  # received Friday 2024-03-01; day 15 is Saturday 03-16
    assert p.due_at == date(2024, 3, 18)


def test_xf_trf_01_it_counts_from_receipt_over_the_spring_festival(world, clock):
    p = b.registered(world, received=date(2024, 2, 1))  # day 15 = 02-16, inside 春节 (02-10..02-17)
    assert p.due_at == date(2024, 2, 18)  # the 调休 working Sunday


def test_xf_ack_01_the_receiving_unit_owes_its_acceptance_notice_within_15_days(world, clock):
    p = b.routed(world)
    lead = Assignment.objects.get(petition=p)
    assert (lead.sent_on, lead.ack_due) == (b.RECEIVED, date(2024, 3, 18))
    assert p.due_at == date(2024, 3, 18)
    assert p.handling_unit == world.township


def test_xf_ack_01_it_records_whether_the_acceptance_was_timely(world, clock):
    p = b.routed(world)
    p = cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 18)
    )
    assert b.last_event(p).data["timely"] is True
    q = b.routed(world)
    q = cs.case_accept(
        petition=q, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 19)
    )
    assert b.last_event(q).data["timely"] is False


def test_xf_ack_02_objection_after_five_working_days_is_refused(world, clock):
    p = b.routed(world)  # received by the township on Friday 2024-03-01
    assert Assignment.objects.get(petition=p).objection_due == date(2024, 3, 8)
    with pytest.raises(ActionRefused) as exc:
        cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=date(2024, 3, 11))
    assert exc.value.code == "too_late" and "on" in exc.value.fields
    p = cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=date(2024, 3, 8))
    assert p.status == S.OBJECTED


def test_xf_ack_02_the_materials_go_back_only_when_the_sender_agrees(world, clock):
    p = b.objected(world)
    lead = Assignment.objects.get(petition=p)
    assert (lead.status, lead.objection_reason) == (AssignmentStatus.OBJECTED, "不属本单位职责")
    assert p.handling_unit == world.township  # still with the unit until the bureau decides
    p = cs.case_decide_objection(
        petition=p, actor=world.clerk, approve=True, reason="同意退回，改转县自然资源局"
    )
    lead.refresh_from_db()
    assert (p.status, p.handling_unit, lead.status) == (S.REGISTERED, None, AssignmentStatus.RETURNED)
    assert p.due_at == cs.due(b.LATE, cs.DECISION_DAYS)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.dept, sent_on=b.LATE)
    assert p.handling_unit == world.dept


# --- XF-DL-01/02/03: the 60-day limit, its extension and 超期 (条例第三十四、四十条) ---------------------


def test_xf_dl_01_a_route_six_case_is_due_60_days_after_acceptance(world, clock):
    p = b.accepted(world)
    assert (p.accepted_on, p.due_at, p.route) == (date(2024, 3, 1), date(2024, 4, 30), Route.PETITION)
    assert b.last_event(p).data["accepted_on"] == "2024-03-01"


@pytest.mark.parametrize("route", sorted(set(Route) - {Route.PETITION, Route.SUGGESTION, Route.ACCUSATION}))
def test_xf_dl_01_a_statutory_procedure_runs_no_60_day_clock(world, clock, route):
    p = b.accepted(world, route=route)
    assert p.due_at is None and p.status == S.ACCEPTED


def test_xf_dl_01_an_assignment_deadline_shorter_than_60_days_prevails(world, clock):
    clock.set(date(2024, 3, 4))
    p = b.registered(world)
    spec = cs.AssignmentSpec(world.township, due_at=date(2024, 3, 29))
    p = cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED)
    p = cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 4)
    )
    assert p.due_at == date(2024, 3, 29)


def test_xf_dl_02_an_approved_extension_of_30_days_moves_the_deadline_to_day_90(world, clock):
    clock.set(date(2024, 4, 1))
    p = b.accepted(world)
    ext = cs.case_request_extension(
        petition=p, actor=world.township_handler, days=30, reason="涉及三个部门，需联合调查"
    )
    assert (ext.old_due, ext.new_due) == (date(2024, 4, 30), date(2024, 5, 30))
    p.refresh_from_db()
    assert p.due_at == date(2024, 4, 30)  # unchanged until a head approves
    p = cs.case_decide_extension(petition=p, actor=world.leader, approve=True)
    assert p.due_at == date(2024, 5, 30)
    ext.refresh_from_db()
    assert (ext.decided_by, ext.decided_at is not None) == (world.leader, True)
    [notice] = notices(p, NoticeKind.EXTENSION)
    assert "涉及三个部门，需联合调查" in notice.text
    assert "2024年4月30日" in notice.text and "2024年5月30日" in notice.text and "30日" in notice.text
    assert notice.unit == world.township


def test_xf_dl_02_a_refused_extension_keeps_the_deadline_and_issues_no_notice(world, clock):
    clock.set(date(2024, 4, 1))
    p = b.accepted(world)
    cs.case_request_extension(petition=p, actor=world.township_handler, days=15, reason="需补充调查")
    p.refresh_from_db()
    p = cs.case_decide_extension(petition=p, actor=world.leader, approve=False, reason="期限内可以办结")
    assert p.due_at == date(2024, 4, 30)
    assert notices(p, NoticeKind.EXTENSION) == []


def test_xf_dl_02_an_extension_moves_a_short_assignment_deadline_by_the_days_asked(world, clock):
    clock.set(date(2024, 3, 4))
    p = b.registered(world)
    spec = cs.AssignmentSpec(world.township, due_at=date(2024, 3, 20))
    p = cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED)
    p = cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=b.RECEIVED)
    assert p.due_at == date(2024, 3, 20)
    ext = cs.case_request_extension(petition=p, actor=world.township_handler, days=10, reason="情况复杂")
    assert ext.old_due == date(2024, 3, 20)
    assert ext.new_due == cs.due(date(2024, 3, 20), 10)  # 03-30 is a Saturday → 04-01


@needs_sweep
def test_xf_dl_03_an_overdue_route_six_case_is_supervised(world, clock):
    from xinfang.workflow.sweep import sweep

    p = b.accepted(world)  # due 2024-04-30
    assert sweep(today=date(2024, 4, 30)).overdue == 0
    result = sweep(today=date(2024, 5, 6))
    assert result.overdue == 1
    supervision = Supervision.objects.get(petition=p)
    assert (supervision.unit, supervision.issued_from) == (world.township, world.bureau)
    assert (supervision.automatic, supervision.missed_due) == (True, date(2024, 4, 30))
    assert supervision.level == SupervisionLevel.SUPERVISE
    p.refresh_from_db()
    assert p.status == S.ACCEPTED  # 督办 does not move the case


@needs_sweep
def test_xf_dl_03_an_extended_case_is_not_overdue_before_its_new_deadline(world, clock):
    from xinfang.workflow.sweep import sweep

    clock.set(date(2024, 4, 1))
    p = b.accepted(world)
    cs.case_request_extension(petition=p, actor=world.township_handler, days=30, reason="情况复杂")
    p.refresh_from_db()
    cs.case_decide_extension(petition=p, actor=world.leader, approve=True)
    assert sweep(today=date(2024, 5, 6)).overdue == 0
    assert not Supervision.objects.filter(petition=p).exists()


# --- XF-OUT-01/02: the 信访处理意见书 (条例第三十二条) ---------------------------------------------------


def test_xf_out_01_the_handling_opinion_keeps_requests_facts_opinion_basis_and_outcome(world, clock):
    p = b.replied(world)
    decision = b.opinion_of(p)
    assert (decision.requests, decision.facts, decision.opinion, decision.basis) == (
        "足额发放征地补偿款",
        "经查，补偿款已按2023年标准发放到户",
        "予以解释说明",
        "《中华人民共和国土地管理法》第四十八条",
    )
    assert (decision.outcome, decision.unit, decision.issued_on) == (
        Outcome.EXPLAIN,
        world.township,
        b.REPLY_ISSUED,
    )
    assert (p.status, p.due_at) == (S.REPLIED, None)
    [notice] = notices(p, NoticeKind.OPINION)
    for part in ("投诉请求：足额发放征地补偿款", "事实和理由：", "处理意见：予以解释说明", "法律法规依据："):
        assert part in notice.text
    assert "解释说明" in notice.text


@pytest.mark.parametrize("outcome", [Outcome.EXPLAIN, Outcome.REJECT])
def test_xf_out_02_only_a_supporting_opinion_opens_an_execution_task(world, clock, outcome):
    p = b.replied(world, outcome)
    assert not ExecutionTask.objects.filter(petition=p).exists()


def test_xf_out_02_a_supporting_opinion_opens_an_execution_task(world, clock):
    p = b.replied(world, Outcome.SUPPORT, execution="补发补偿款12000元", execution_due=date(2024, 5, 1))
    task = ExecutionTask.objects.get(petition=p)
    assert (task.description, task.due_at, task.unit, task.done_on) == (
        "补发补偿款12000元",
        date(2024, 5, 1),
        world.township,
        None,
    )
    assert task.decision == b.opinion_of(p)
    task = cs.execution_done(task=task, actor=world.township_handler, note="已于4月28日补发到户")
    assert task.done_on == b.LATE


# --- XF-REV-01..04: 复查, 复核, 终结 (条例第三十五、三十六条) ----------------------------------------------


def test_xf_rev_01_a_review_is_asked_one_level_up_within_30_days_of_delivery(world, people, clock):
    p = b.delivered(world)
    assert b.opinion_of(p).delivered_on == b.REPLY_DELIVERED
    request = cs.case_request_review(
        petition=p, actor=people.county_leader, unit=world.county, requested_on=b.REVIEW_ASKED
    )
    p.refresh_from_db()
    assert (p.status, p.handling_unit, request.level) == (S.REVIEW, world.county, ReviewLevel.REVIEW)


def test_xf_rev_02_the_review_opinion_is_due_30_days_after_the_request(world, people, clock):
    p = b.under_review(world, people)
    request = ReviewRequest.objects.get(petition=p)
    assert (request.requested_on, request.due_at) == (date(2024, 4, 10), date(2024, 5, 10))
    assert p.due_at == date(2024, 5, 10)
    p = b.reviewed(world, people)
    decision = Decision.objects.get(petition=p, kind=DecisionKind.REVIEW)
    assert (decision.unit, p.status, p.due_at) == (world.county, S.REVIEWED, None)
    [notice] = notices(p, NoticeKind.REVIEW)
    assert notice.unit == world.county and "复核" in notice.text


def test_xf_rev_03_the_re_examination_is_due_30_days_after_the_request(world, people, clock):
    p = b.under_recheck(world, people)
    request = ReviewRequest.objects.get(petition=p, level=ReviewLevel.RECHECK)
    assert (request.unit, request.requested_on, request.due_at) == (
        world.city,
        date(2024, 5, 6),
        date(2024, 6, 5),
    )
    assert (p.status, p.handling_unit, p.due_at) == (S.RECHECK, world.city, date(2024, 6, 5))


def test_xf_rev_03_hearing_days_do_not_count(world, people, clock):
    p = b.under_recheck(world, people)
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 10))
    p = cs.case_hearing(petition=p, actor=people.city_leader, start=False, on=date(2024, 5, 15))
    # 30 + 5 paused days from 05-06 is Monday 06-10, the 端午节 holiday: the limit rolls to 06-11.
    request = b.open_recheck(p)
    assert (request.hearing_days, request.hearing_started_on, request.due_at) == (5, None, date(2024, 6, 11))
    assert p.due_at == date(2024, 6, 11)
    assert b.last_event(p).data["paused_days"] == 5


def test_xf_rev_03_the_days_of_several_hearings_add_up(world, people, clock):
    p = b.under_recheck(world, people)
    for start, end in ((date(2024, 5, 10), date(2024, 5, 13)), (date(2024, 5, 20), date(2024, 5, 27))):
        p = cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=start)
        p = cs.case_hearing(petition=p, actor=people.city_leader, start=False, on=end)
    request = b.open_recheck(p)
    assert request.hearing_days == 10
    assert request.due_at == cs.due(date(2024, 5, 6), 40) == date(2024, 6, 17)


@needs_sweep
def test_xf_rev_03_a_running_hearing_is_not_overdue(world, people, clock):
    from xinfang.workflow.sweep import sweep

    p = b.under_recheck(world, people)  # due 06-05
    cs.case_hearing(petition=p, actor=people.city_leader, start=True, on=date(2024, 5, 10))
    sweep(today=date(2024, 6, 12))
    assert not Supervision.objects.filter(petition=p).exists()


def test_xf_rev_04_after_the_re_examination_the_matter_is_concluded(world, people, clock):
    p = b.concluded(world, people)
    assert (p.status, p.is_open, p.due_at) == (S.CONCLUDED, False, None)
    assert S.CONCLUDED not in OPEN_STATES
    decision = Decision.objects.get(petition=p, kind=DecisionKind.RECHECK)
    assert decision.unit == world.city
    [notice] = notices(p, NoticeKind.RECHECK)
    assert "不再受理" in notice.text and "第三十六条第三款" in notice.text
    with pytest.raises(ActionRefused) as exc:  # even inside the 30 days: there is no further level
        cs.case_request_recheck(
            petition=p, actor=people.city_leader, unit=world.city, requested_on=date(2024, 5, 21)
        )
    assert exc.value.code == "invalid_transition"
    p = cs.case_archive(petition=p, actor=world.clerk)
    assert p.status == S.ARCHIVED


def test_xf_dup_02_a_concluded_matter_submitted_again_gets_a_no_further_acceptance_notice(
    world, people, clock
):
    b.concluded(world, people)
    again = b.registered(world, received=date(2024, 6, 20))
    again = cs.case_refuse(
        petition=again,
        actor=world.clerk,
        ground=RefusalGround.CONCLUDED,
        reason="该事项已于2024年5月20日复核终结",
    )
    assert (again.status, again.is_open) == (S.NOT_ACCEPTED, False)
    assert b.last_event(again).data == {"ground": "concluded"}
    [notice] = notices(again, NoticeKind.NO_FURTHER)
    assert notice.number.startswith(f"{world.bureau.name}信不再〔")
    assert "不再受理" in notice.text and "该事项已于2024年5月20日复核终结" in notice.text
    assert notices(again, NoticeKind.NON_ACCEPTANCE) == []


def test_xf_dup_01_a_matter_accepted_below_gets_a_non_acceptance_notice_citing_article_19(world, clock):
    p = b.registered(world)
    p = cs.case_refuse(
        petition=p, actor=world.clerk, ground=RefusalGround.ACCEPTED_BELOW, reason="城关镇已受理"
    )
    [notice] = notices(p, NoticeKind.NON_ACCEPTANCE)
    assert "第十九条第三款" in notice.text and "城关镇已受理" in notice.text
    assert notices(p, NoticeKind.NO_FURTHER) == []


def test_it_registers_a_suggestion_and_answers_it_directly_article_29(world, clock):
    p = register(world.clerk, received=b.RECEIVED, request_class="suggestion", category="1603")
    p = cs.case_direct_reply(petition=p, actor=world.clerk, text="感谢建议，已转交通运输局研究")
    assert (p.status, p.is_open, p.due_at) == (S.CLOSED, False, None)
    assert b.last_event(p).reason == "感谢建议，已转交通运输局研究"

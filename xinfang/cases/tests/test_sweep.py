"""``xinfang sweep``: graded warnings and automatic 督办 on 超期 (条例第四十条, XF-DL-03)."""

import threading
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.cases.models import CaseEvent, Notice, Route, Supervision, SupervisionLevel
from xinfang.cases.tests import case_builders as b
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.testing import register
from xinfang.workflow import services as cs
from xinfang.workflow import sweep as sweep_module
from xinfang.workflow.services import overseeing_bureaus
from xinfang.workflow.sweep import sweep


def _accepted(world, received=date(2024, 3, 1)):
    p = register(world.clerk, received=received)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=received)
    return cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=received
    )


def test_xf_dl_03_it_supervises_an_overdue_case_once(world):
    p = _accepted(world)
    assert p.due_at == date(2024, 4, 30)
    first = sweep(today=date(2024, 5, 6))
    assert first.overdue == 1 and first.supervisions == 1
    supervision = Supervision.objects.get(petition=p)
    assert supervision.unit == world.township
    assert supervision.issued_from == world.bureau  # the 信访局 overseeing the township
    assert supervision.level == SupervisionLevel.SUPERVISE
    again = sweep(today=date(2024, 5, 7))
    assert again.overdue == 0 and again.supervisions == 0
    assert Supervision.objects.filter(petition=p).count() == 1
    assert CaseEvent.objects.filter(petition=p, action="overdue").count() == 1
    notice = p.notices.get(kind="supervision")  # the 督办单, issued once
    assert p.case_number in notice.text and "督办" in notice.text


def test_it_warns_three_working_days_before_the_deadline(world):
    p = _accepted(world)
    # From Thu 04-25 the working days are 04-26, 04-28 (调休 Sunday), 04-29: 04-30 is still 4 away.
    assert sweep(today=date(2024, 4, 25)).near == 0
    assert sweep(today=date(2024, 4, 26)).near == 1  # 04-28, 04-29, 04-30
    assert sweep(today=date(2024, 4, 29)).near == 0  # raised once
    [event] = CaseEvent.objects.filter(petition=p, action="deadline_near")
    assert event.deadline == date(2024, 4, 30) and event.data == {"due_at": "2024-04-30"}
    assert not Petition.objects.filter(pk=p.pk, version__gt=p.version).exists()  # the row is not rewritten


def test_it_warns_again_for_a_new_deadline(world):
    p = _accepted(world)
    sweep(today=date(2024, 5, 6))
    Petition.objects.filter(pk=p.pk).update(due_at=date(2024, 5, 10))  # e.g. an approved extension
    assert sweep(today=date(2024, 5, 13)).overdue == 1
    events = CaseEvent.objects.filter(petition=p, action="overdue").order_by("pk")
    assert [e.deadline for e in events] == [date(2024, 4, 30), date(2024, 5, 10)]


def test_the_case_shows_near_and_overdue_from_its_deadline_whether_or_not_the_sweep_ran(world, monkeypatch):
    from xinfang.workflow.deadlines import deadline_alert

    p = _accepted(world)  # due 2024-04-30
    assert deadline_alert(p, date(2024, 4, 25)) == ""  # four working days ahead
    assert deadline_alert(p, date(2024, 4, 26)) == "near"  # 04-28 (调休 Sunday), 04-29, 04-30
    assert deadline_alert(p, date(2024, 4, 30)) == "near"
    assert deadline_alert(p, date(2024, 5, 1)) == "overdue"
    b.Clock(monkeypatch).set(date(2024, 5, 6))
    assert deadline_alert(p) == "overdue"
    p.status = Status.REPLIED  # the petitioner's move: no deadline of the organ runs
    assert deadline_alert(p) == ""


def test_it_escalates_repeated_overdue_to_circulation(world):
    p = _accepted(world)
    sweep(today=date(2024, 5, 6))
    cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason="仍未办结")
    latest = Supervision.objects.filter(petition=p).order_by("id").last()
    assert latest is not None
    assert latest.level == SupervisionLevel.CIRCULATE
    p.refresh_from_db()
    Petition.objects.filter(pk=p.pk).update(due_at=date(2024, 5, 10))
    sweep(today=date(2024, 5, 13))
    latest = Supervision.objects.filter(petition=p).order_by("id").last()
    assert latest is not None
    assert latest.level == SupervisionLevel.LISTED


def test_the_command_prints_its_counts(world, capsys):
    _accepted(world)
    call_command("sweep", "--today", "2024-05-06")
    assert '"overdue": 1' in capsys.readouterr().out


def test_the_command_brings_the_statistics_rollups_up_to_date(world, capsys):
    from xinfang.stats.models import RollupDirty

    _accepted(world)
    assert RollupDirty.objects.exists()  # the registration noted its day
    call_command("sweep", "--today", "2024-05-06")
    assert not RollupDirty.objects.exists()
    assert '"rollup_days": ' in capsys.readouterr().out


# --- the set-based sweep: one 督办单, one event and one audit entry per overdue case ------------


def _registered(actor, received=date(2024, 3, 1)):
    return register(actor, received=received)  # the 信访部门 owes its decision within 15 days


def test_xf_dl_03_it_supervises_each_overdue_case_from_the_bureau_overseeing_its_unit(world):
    at_township = _accepted(world)
    at_dept = register(world.clerk, received=date(2024, 3, 1))
    at_dept = cs.case_transfer(petition=at_dept, actor=world.clerk, unit=world.dept, sent_on=date(2024, 3, 1))
    at_dept = cs.case_accept(
        petition=at_dept, actor=world.dept_handler, route=Route.PETITION, accepted_on=date(2024, 3, 1)
    )
    undecided = _registered(world.clerk)
    at_city = _registered(world.city_clerk)
    result = sweep(today=date(2024, 5, 6))
    assert (result.overdue, result.supervisions) == (4, 4)
    expected = {
        at_township.pk: (world.township, world.bureau),
        at_dept.pk: (world.dept, world.bureau),
        undecided.pk: (world.bureau, world.bureau),
        at_city.pk: (world.city_bureau, world.city_bureau),
    }
    for pk, (unit, bureau) in expected.items():
        [s] = Supervision.objects.filter(petition_id=pk)
        p = Petition.objects.get(pk=pk)
        assert p.due_at is not None
        assert (s.unit, s.issued_from, s.automatic, s.missed_due) == (unit, bureau, True, p.due_at)
        assert s.reason == f"办理期限{p.due_at:%Y年%m月%d日}已过，尚未办结（超期），自动督办。"
        assert s.reply_due == date(2024, 5, 16) and s.issued_on == date(2024, 5, 6)
        [event] = CaseEvent.objects.filter(petition_id=pk, action="overdue")
        assert event.deadline == p.due_at
        assert event.data == {
            "due_at": p.due_at.isoformat(),
            "level": "supervise",
            "unit": unit.pk,
            "supervision": s.pk,
        }
        assert (event.old_status, event.new_status) == (p.status, p.status)
        [entry] = AuditLog.objects.filter(petition_id=pk, action="case.supervise")
        assert (entry.object_type, entry.object_id, entry.actor) == ("cases.supervision", str(s.pk), None)
        assert entry.detail == {"level": "supervise", "missed_due": p.due_at.isoformat()}


def test_it_flags_every_case_once_across_batches_and_a_second_run_does_nothing(world, monkeypatch):
    monkeypatch.setattr(sweep_module, "BATCH", 2)
    cases = [_accepted(world) for _ in range(5)]
    near = [_accepted(world, received=date(2024, 3, 28)) for _ in range(3)]  # due 05-27
    first = sweep(today=date(2024, 5, 22))
    assert (first.overdue, first.supervisions, first.near) == (5, 5, 3)
    second = sweep(today=date(2024, 5, 23))
    assert (second.overdue, second.supervisions, second.near) == (0, 0, 0)
    for p in cases:
        assert Supervision.objects.filter(petition=p).count() == 1
        assert CaseEvent.objects.filter(petition=p, action="overdue").count() == 1
        assert AuditLog.objects.filter(petition=p, action="case.supervise").count() == 1
    for p in near:
        assert not Supervision.objects.filter(petition=p).exists()
        [event] = CaseEvent.objects.filter(petition=p, action="deadline_near")
        assert event.data == {"due_at": "2024-05-27"}


def test_it_leaves_cases_the_organ_does_not_owe_alone(world, monkeypatch):
    b.Clock(monkeypatch).set(b.LATE)
    replied = b.replied(world)  # the petitioner's move now: no deadline of the organ runs
    assert replied.status == Status.REPLIED
    assert sweep(today=date(2026, 1, 5)).overdue == 0
    assert not Supervision.objects.filter(petition=replied).exists()


def test_overseeing_bureaus_name_the_bureau_of_the_nearest_government_above(world):
    bureaus = overseeing_bureaus()
    expected = {
        world.village: world.bureau,
        world.township: world.bureau,
        world.dept: world.bureau,
        world.county: world.bureau,
        world.bureau: world.bureau,
        world.city: world.city_bureau,
        world.city_bureau: world.city_bureau,
        world.other_county: world.other_bureau,
    }
    assert {unit.pk: bureaus[unit.pk] for unit in expected} == {
        u.pk: bureau.pk for u, bureau in expected.items()
    }


def test_opening_a_case_issues_its_supervision_order_the_sweep_left_for_later(world, client, monkeypatch):
    monkeypatch.setattr(sweep_module, "NOTICE_BATCH", 0)
    p = _accepted(world)
    assert sweep(today=date(2024, 5, 6)).notices == 0
    assert not p.notices.filter(kind="supervision").exists()
    client.force_login(world.township_handler)
    assert client.get(f"/cases/{p.pk}/").status_code == 200
    notice = p.notices.get(kind="supervision")
    supervision = Supervision.objects.get(petition=p)
    assert notice.source == f"supervision:{supervision.pk}" and notice.unit == world.bureau
    assert supervision.reason in notice.text and p.case_number in notice.text
    client.get(f"/cases/{p.pk}/")
    assert p.notices.filter(kind="supervision").count() == 1


def test_the_sweep_numbers_supervision_orders_consecutively_per_bureau(world):
    cases = [_accepted(world) for _ in range(3)]
    assert sweep(today=date(2024, 5, 6)).notices == 3
    numbers = [Notice.objects.get(petition=p, kind="supervision").number for p in cases]
    assert numbers == [f"清河县信访局信督〔{timezone.localdate().year}〕{i}号" for i in (1, 2, 3)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_sweeps_issue_each_supervision_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions), so two sweeps never overlap")
    monkeypatch.setattr(sweep_module, "BATCH", 3)
    cases = [_accepted(world) for _ in range(12)]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = sweep(today=date(2024, 5, 6))
        except Exception as exc:  # noqa: BLE001 - the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done = [r for r in results if isinstance(r, sweep_module.SweepResult)]
    assert len(done) == len(results), results
    assert sum(r.overdue for r in done) == 12
    assert sum(r.supervisions for r in done) == 12
    for p in cases:
        assert Supervision.objects.filter(petition=p).count() == 1
        assert CaseEvent.objects.filter(petition=p, action="overdue").count() == 1
        assert AuditLog.objects.filter(petition=p, action="case.supervise").count() == 1
        assert Notice.objects.filter(petition=p, kind="supervision").count() == 1


def test_a_batch_leaves_out_a_case_handled_since_the_candidates_were_read(world):
    p = _accepted(world)  # overdue from 2024-05-01
    today = date(2024, 5, 6)
    candidates = sweep_module._owing(sweep_module.OVERDUE_EVENT).filter(due_at__lt=today)

    def work(rows):
        assert [pk for pk, _ in rows] == [p.pk]
        Petition.objects.filter(pk=p.pk).update(status=Status.CLOSED, is_open=False)  # closed meanwhile
        return Counter(
            supervisions=sweep_module._supervise(rows, today, date(2024, 5, 16), overseeing_bureaus())
        )

    assert sweep_module._for_each_batch(candidates, work) == Counter(supervisions=0)
    assert not Supervision.objects.filter(petition=p).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_writes_batches_on_two_connections_at_once_each_case_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: its batches run one after the other")
    monkeypatch.setattr(sweep_module, "BATCH", 2)
    cases = [_accepted(world) for _ in range(7)]  # four batches
    result = sweep(today=date(2024, 5, 6))
    assert (result.overdue, result.supervisions) == (7, 7)
    for p in cases:
        assert Supervision.objects.filter(petition=p).count() == 1
        assert CaseEvent.objects.filter(petition=p, action="overdue").count() == 1
        assert AuditLog.objects.filter(petition=p, action="case.supervise").count() == 1
    assert sweep(today=date(2024, 5, 7)).overdue == 0

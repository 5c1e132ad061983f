"""``xinfang sweep``: graded warnings and automatic 督办 on 超期 (条例第四十条, XF-DL-03)."""

from datetime import date

from django.core.management import call_command

from xinfang.cases import services as cs
from xinfang.cases.models import CaseEvent, Route, Supervision, SupervisionLevel
from xinfang.cases.sweep import sweep
from xinfang.petitions.models import Petition
from xinfang.testing import register


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
    p.refresh_from_db()
    assert p.alert == "near"


def test_it_escalates_repeated_overdue_to_circulation(world):
    p = _accepted(world)
    sweep(today=date(2024, 5, 6))
    cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason="仍未办结")
    assert Supervision.objects.filter(petition=p).order_by("id").last().level == SupervisionLevel.CIRCULATE
    p.refresh_from_db()
    Petition.objects.filter(pk=p.pk).update(due_at=date(2024, 5, 10), alert="")
    sweep(today=date(2024, 5, 13))
    assert Supervision.objects.filter(petition=p).order_by("id").last().level == SupervisionLevel.LISTED


def test_the_command_prints_its_counts(world, capsys):
    _accepted(world)
    call_command("sweep", "--today", "2024-05-06")
    assert '"overdue": 1' in capsys.readouterr().out

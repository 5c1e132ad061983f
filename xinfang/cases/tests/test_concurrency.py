"""Two people acting on one case at the same moment: the compare-and-swap on ``Petition.version`` lets
exactly one win and gives the other ``Conflict``; a stale copy of a case never overwrites a newer one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, transaction

from xinfang.audit.models import AuditLog
from xinfang.cases.models import Assignment, AssignmentStatus, CaseEvent, Notice, NoticeKind, Route
from xinfang.cases.tests import case_builders as b
from xinfang.errors import ActionRefused, Conflict
from xinfang.orgs.models import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.workflow import services as cs

S = Status
TODAY = date(2024, 3, 4)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(TODAY)


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions), so two writers never overlap")


def race(pk: int, *actions: Callable[[Petition], object]) -> list[object]:
    """Run each action in its own thread on its own copy of the case, all released at once; return
    what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[Petition], object]) -> None:
        try:
            petition = Petition.objects.get(pk=pk)
            barrier.wait(timeout=10)
            results[i] = action(petition)
        except Exception as exc:  # noqa: BLE001 - the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def one_won(results: list[object]) -> tuple[Petition, ActionRefused]:
    losers = [r for r in results if isinstance(r, BaseException)]
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], ActionRefused), repr(losers[0])
    assert isinstance(winners[0], Petition), repr(winners[0])
    return winners[0], losers[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_exactly_one_of_two_simultaneous_acceptances_win(world, clock):
    needs_postgresql()
    colleague = b.make_user("township_2", world.township, Role.HANDLER)
    p = b.routed(world)

    def accept_by(user):
        return lambda petition: cs.case_accept(
            petition=petition, actor=user, route=Route.PETITION, accepted_on=TODAY
        )

    winner, loser = one_won(race(p.pk, accept_by(world.township_handler), accept_by(colleague)))
    assert isinstance(loser, Conflict) or loser.code == "invalid_transition"
    p.refresh_from_db()
    assert (p.status, p.version) == (S.ACCEPTED, 2)
    assert CaseEvent.objects.filter(petition=p, action="accept").count() == 1
    assert AuditLog.objects.filter(petition=p, action="case.accept").count() == 1
    assert Notice.objects.filter(petition=p, kind=NoticeKind.ACCEPTANCE).count() == 1
    assert CaseEvent.objects.get(petition=p, action="accept").actor in (world.township_handler, colleague)
    assert winner.version == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_exactly_one_of_two_simultaneous_transfers_win(world, clock):
    needs_postgresql()
    p = b.registered(world)

    def transfer(actor, unit):
        return lambda petition: cs.case_transfer(petition=petition, actor=actor, unit=unit, sent_on=TODAY)

    winner, loser = one_won(
        race(p.pk, transfer(world.clerk, world.township), transfer(world.leader, world.dept))
    )
    assert isinstance(loser, Conflict) or loser.code == "invalid_transition"
    p.refresh_from_db()
    assert (p.status, p.version) == (S.ROUTED, 1)
    [assignment] = Assignment.objects.filter(petition=p)  # the loser's assignment was rolled back
    assert assignment.unit == p.handling_unit == winner.handling_unit
    assert CaseEvent.objects.filter(petition=p, action="transfer").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_exactly_one_of_a_simultaneous_acceptance_and_objection_win(world, clock):
    needs_postgresql()
    p = b.routed(world)
    accept = lambda petition: cs.case_accept(  # noqa: E731
        petition=petition, actor=world.township_handler, route=Route.PETITION, accepted_on=TODAY
    )
    object_ = lambda petition: cs.case_object(  # noqa: E731
        petition=petition, actor=world.township_handler, reason="不属本镇职责", on=TODAY
    )
    winner, _loser = one_won(race(p.pk, accept, object_))
    p.refresh_from_db()
    lead = Assignment.objects.get(petition=p)
    assert p.status == winner.status
    expected = {S.ACCEPTED: AssignmentStatus.ACCEPTED, S.OBJECTED: AssignmentStatus.OBJECTED}[S(p.status)]
    assert lead.status == expected
    assert CaseEvent.objects.filter(petition=p, action__in=["accept", "object"]).count() == 1


# --- a stale copy of a case (both databases) ---------------------------------------------------


def test_it_refuses_a_stale_copy_with_conflict_and_changes_nothing(world, clock):
    p = b.routed(world)
    stale = Petition.objects.get(pk=p.pk)
    cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=TODAY)
    before = b.record_size(p)
    with pytest.raises(Conflict) as exc:
        cs.case_object(petition=stale, actor=world.township_handler, reason="不属本镇职责", on=TODAY)
    assert (exc.value.code, exc.value.status_code) == ("conflict", 409)
    p.refresh_from_db()
    assert (p.status, p.version) == (S.ACCEPTED, 2)
    assert Assignment.objects.get(petition=p).status == AssignmentStatus.ACCEPTED  # the write was rolled back
    assert b.record_size(p) == before


def test_it_refuses_a_second_acceptance_from_a_copy_loaded_before_the_first(world, clock):
    p = b.routed(world)
    stale = Petition.objects.get(pk=p.pk)
    cs.case_accept(petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=TODAY)
    with pytest.raises(Conflict):
        cs.case_accept(petition=stale, actor=world.township_handler, route=Route.DUTY, accepted_on=TODAY)
    p.refresh_from_db()
    assert (p.route, p.due_at) == (Route.PETITION, cs.due(TODAY, 60))
    assert Notice.objects.filter(petition=p, kind=NoticeKind.ACCEPTANCE).count() == 1


def test_it_refuses_a_transfer_from_a_copy_loaded_before_another_transfer(world, clock):
    p = b.registered(world)
    stale = Petition.objects.get(pk=p.pk)
    cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=TODAY)
    with pytest.raises(Conflict):
        cs.case_transfer(petition=stale, actor=world.leader, unit=world.dept, sent_on=TODAY)
    assert list(Assignment.objects.filter(petition=p).values_list("unit_id", flat=True)) == [
        world.township.pk
    ]
    assert CaseEvent.objects.filter(petition=p, action="transfer").count() == 1


def test_it_answers_conflict_to_a_stale_copy_whose_status_has_moved_on(world, clock):
    p = b.routed(world)
    stale = Petition.objects.get(pk=p.pk)
    cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=TODAY)
    with pytest.raises(Conflict):
        cs.case_decide_objection(petition=stale, actor=world.clerk, approve=True)


def test_it_accepts_the_action_once_the_stale_copy_is_reloaded(world, clock):
    p = b.routed(world)
    stale = Petition.objects.get(pk=p.pk)
    cs.case_object(petition=p, actor=world.township_handler, reason="不属本镇职责", on=TODAY)
    with pytest.raises(ActionRefused):
        cs.case_decide_objection(petition=stale, actor=world.clerk, approve=True)
    assert Assignment.objects.get(petition=p).status == AssignmentStatus.OBJECTED  # rolled back
    stale.refresh_from_db()
    stale = cs.case_decide_objection(petition=stale, actor=world.clerk, approve=True)
    assert stale.status == S.REGISTERED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_notices_numbered_at_once_by_one_unit_get_consecutive_numbers(world, clock, monkeypatch):
    # 文号 series per unit, kind and year: the second transaction computes the same next number,
    # waits for the first at the unique index, inserts nothing, and numbers again after it commits.
    import time

    from xinfang.workflow import notices

    needs_postgresql()
    taken: list[int] = []
    real = notices._insert_numbered

    def insert_numbered(notice: Notice, *, prefix: str) -> bool:
        done = real(notice, prefix=prefix)
        if not done:
            taken.append(notice.petition_id)
        return done

    monkeypatch.setattr(notices, "_insert_numbered", insert_numbered)
    notices.ensure_templates()  # as after `migrate`: the threads meet at the number, not the template
    first, second = b.registered(world), b.registered(world, title="反映村道损毁")
    inserted = threading.Event()
    numbers: dict[str, object] = {}

    def issue(name: str, petition: Petition, hold: bool) -> None:
        try:
            if not hold:
                inserted.wait(timeout=10)
            with transaction.atomic():
                notice = notices.notice_issue(
                    petition=petition,
                    kind=NoticeKind.ACCEPTANCE,
                    source="t",
                    unit=world.township,
                    actor=None,
                    extra={},
                )
                if hold:
                    inserted.set()
                    time.sleep(0.5)  # the other transaction now waits for this one's number
            numbers[name] = notice.seq
        except Exception as exc:  # noqa: BLE001 - the result under test
            numbers[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=issue, args=("first", first, True)),
        threading.Thread(target=issue, args=("second", second, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert numbers == {"first": 1, "second": 2}
    assert taken == [second.pk]  # it did find the first number taken, and numbered again
    stored = Notice.objects.filter(kind=NoticeKind.ACCEPTANCE, unit=world.township).order_by("seq")
    assert [(n.petition_id, n.seq) for n in stored] == [(first.pk, 1), (second.pk, 2)]
    assert stored[1].number.endswith("〔2024〕2号")

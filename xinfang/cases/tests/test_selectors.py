"""``cases.selectors.case_records``: the case's records in one statement, exactly as the ORM reads
them (the API's answer after every action is built from it)."""

from datetime import date
from typing import Any

from xinfang.cases.models import Outcome
from xinfang.cases.selectors import case_records
from xinfang.cases.tests import case_builders as b
from xinfang.petitions.models import Petition
from xinfang.workflow import services as cs


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _through_the_orm(p: Petition) -> dict[str, list[dict[str, Any]]]:
    return {
        "assignments": [
            {
                "id": a.pk, "unit": a.unit.code, "kind": a.kind, "duty": a.duty, "is_lead": a.is_lead,
                "status": a.status, "sent_on": _d(a.sent_on), "ack_due": _d(a.ack_due),
                "objection_due": _d(a.objection_due), "due_at": _d(a.due_at),
                "accepted_on": _d(a.accepted_on), "reported_on": _d(a.reported_on), "share": a.share,
            }
            for a in p.assignments.select_related("unit")
        ],
        "extensions": [
            {
                "id": e.pk, "days": e.days, "reason": e.reason, "status": e.status,
                "old_due": _d(e.old_due), "new_due": _d(e.new_due),
            }
            for e in p.extensions.order_by("pk")
        ],
        "decisions": [
            {
                "id": d.pk, "kind": d.kind, "unit": d.unit.code, "outcome": d.outcome,
                "issued_on": _d(d.issued_on), "delivered_on": _d(d.delivered_on),
            }
            for d in p.decisions.select_related("unit")
        ],
        "review_requests": [
            {
                "id": r.pk, "level": r.level, "unit": r.unit.code, "requested_on": _d(r.requested_on),
                "due_at": _d(r.due_at), "hearing_days": r.hearing_days, "decided": r.decided,
            }
            for r in p.review_requests.select_related("unit")
        ],
        "execution_tasks": [
            {"id": t.pk, "description": t.description, "due_at": _d(t.due_at), "done_on": _d(t.done_on)}
            for t in p.execution_tasks.order_by("pk")
        ],
        "supervisions": [
            {
                "id": s.pk, "unit": s.unit.code, "level": s.level, "automatic": s.automatic,
                "issued_on": _d(s.issued_on), "reply_due": _d(s.reply_due), "replied_on": _d(s.replied_on),
            }
            for s in p.supervisions.select_related("unit")
        ],
        "notices": [{"id": n.pk, "kind": n.kind, "number": n.number} for n in p.notices.all()],
    }  # fmt: skip


def _without_notice_times(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    for notice in records["notices"]:
        del notice["created_at"]  # for the order only
    return records


def test_it_reads_a_concluded_case_as_the_orm_does(world, monkeypatch, django_assert_num_queries):
    b.Clock(monkeypatch).set(b.LATE)
    p = b.concluded(world, b.cast(world))
    with django_assert_num_queries(1):
        records = case_records(p)
    assert len(records["decisions"]) == 3 and len(records["review_requests"]) == 2
    assert _without_notice_times(records) == _through_the_orm(p)


def test_it_reads_extensions_supervisions_and_execution_tasks_as_the_orm_does(world, monkeypatch):
    people = b.cast(world)
    b.Clock(monkeypatch).set(date(2024, 3, 5))
    p = b.accepted(world)
    cs.case_request_extension(petition=p, actor=world.township_handler, days=20, reason="需现场核查")
    cs.case_decide_extension(petition=p, actor=people.township_leader, approve=True)
    for reason in ("请加快办理", "仍未办结"):
        cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason=reason)
    cs.case_reply(
        petition=p,
        actor=world.township_handler,
        data=b.decision_input(Outcome.SUPPORT, issued_on=date(2024, 3, 5)),
        execution="补发补偿款",
        execution_due=date(2024, 3, 30),
    )
    records = _without_notice_times(case_records(p))
    assert [len(records[k]) for k in ("extensions", "supervisions", "execution_tasks")] == [1, 2, 1]
    assert records["supervisions"][0]["level"] == "circulate"  # newest first
    assert records == _through_the_orm(p)


def test_a_new_case_has_empty_records(world):
    p = b.registered(world)
    assert all(rows == [] for rows in case_records(p).values())

"""Rows written by ``xinfang.writes`` read back exactly as rows the ORM writes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.cases.models import CaseEvent
from xinfang.errors import Conflict
from xinfang.petitions.models import Petition
from xinfang.testing import register
from xinfang.workflow import services as cs
from xinfang.writes import Insert, update_row

pytestmark = pytest.mark.django_db

EVENT = Insert(
    CaseEvent,
    "petition",
    "action",
    "old_status",
    "new_status",
    "actor",
    "unit",
    "reason",
    "data",
    "deadline",
    "at",
)


def stored(obj: Any) -> dict[str, tuple[type, Any]]:
    """Every column as read back, with its type (1 == True, and a JSON string is not a dict)."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {k: (type(v), v) for k, v in vars(fresh).items() if k not in ("_state", "id")}


def _event_values(at: Any, *, new_status: str) -> dict[str, Any]:
    """An event's values with quotes, a line break, nested JSON with Chinese and a leap day."""
    return {
        "action": "note",
        "old_status": "registered",
        "new_status": new_status,
        "reason": "核实中，“引号”与换行\n",
        "data": {"units": ["430421"], "n": 3, "ok": True, "none": None, "中文": "值"},
        "deadline": date(2028, 2, 29),
        "at": at,
    }


def test_an_insert_stores_json_dates_times_and_related_rows_as_the_orm_does(world):
    petition = register(world.clerk)
    at = timezone.now() - timedelta(minutes=5)
    values = _event_values(at, new_status="registered")
    other = register(world.clerk)  # a deadline is warned of once per case (caseevent_warning_once)
    by_orm = CaseEvent.objects.create(petition=petition, actor=world.clerk, unit=world.bureau, **values)
    pk = EVENT.run(petition=other, actor=world.clerk.pk, unit=world.bureau, **values)
    written, by_model = stored(CaseEvent(pk=pk)), stored(by_orm)
    assert written.pop("at") == (type(at), at)  # the model's auto_now_add puts its own time instead
    by_model.pop("at")
    assert written == {**by_model, "petition_id": (int, other.pk)}


def test_an_insert_takes_none_for_optional_relations_and_refuses_missing_or_extra_values(world):
    petition = register(world.clerk)
    pk = EVENT.run(
        petition=petition.pk,
        action="sweep",
        old_status="",
        new_status="registered",
        actor=None,
        unit=None,
        reason="",
        data={},
        deadline=None,
        at=timezone.now(),
    )
    event = CaseEvent.objects.get(pk=pk)
    assert (event.actor_id, event.unit_id, event.deadline, event.data) == (None, None, None, {})
    with pytest.raises(TypeError, match="give exactly"):
        EVENT.run(petition=petition.pk, action="x")
    with pytest.raises(ValueError, match="not a column"):
        Insert(Petition, "links")


def test_the_audit_entry_written_by_a_service_reads_back_with_its_detail_and_time(world):
    from xinfang.audit.services import audit_record

    petition = register(world.clerk)
    before = timezone.now()
    entry = audit_record(
        actor=world.clerk, action="test.read", obj=petition, petition=petition, ip="10.0.0.1"
    )
    row = AuditLog.objects.get(pk=entry.pk)
    assert (row.actor_id, row.actor_unit_id, row.object_type, row.object_id, row.petition_id, row.ip) == (
        world.clerk.pk,
        world.clerk.unit_id,
        "petitions.petition",
        str(petition.pk),
        petition.pk,
        "10.0.0.1",
    )
    assert row.detail == {} and before <= row.at <= timezone.now()
    with pytest.raises(Exception, match="append-only"):
        entry.save()  # the returned entry is a stored row: the model still refuses to rewrite it


def test_update_row_is_a_compare_and_swap_on_the_given_columns(world):
    petition = register(world.clerk)
    version = petition.version
    moved = update_row(
        Petition,
        pk=petition.pk,
        where={"version": version},
        values={"status": "routed", "handling_unit": world.township, "due_at": date(2027, 1, 4)},
        increment=("version",),
    )
    again = update_row(
        Petition,
        pk=petition.pk,
        where={"version": version},
        values={"status": "closed"},
        increment=("version",),
    )
    petition.refresh_from_db()
    assert (moved, again) == (1, 0)
    assert (petition.status, petition.handling_unit_id, petition.due_at, petition.version) == (
        "routed",
        world.township.pk,
        date(2027, 1, 4),
        version + 1,
    )
    assert update_row(Petition, pk=petition.pk, values={"due_at": None}) == 1
    petition.refresh_from_db()
    assert petition.due_at is None


def test_a_transition_that_loses_the_compare_and_swap_writes_no_event_and_no_audit_entry(world):
    # The status, the event and the audit entry are three statements in one transaction: a stale
    # copy of the case gets a conflict and leaves nothing behind.
    petition = register(world.clerk)
    stale = Petition.objects.get(pk=petition.pk)
    cs.case_transfer(petition=petition, actor=world.clerk, unit=world.township)
    events, entries = CaseEvent.objects.count(), AuditLog.objects.count()
    with pytest.raises(Conflict):
        cs.case_transfer(petition=stale, actor=world.clerk, unit=world.township)
    assert (CaseEvent.objects.count(), AuditLog.objects.count()) == (events, entries)
    moved = CaseEvent.objects.filter(petition=petition, action="transfer").get()
    entry = AuditLog.objects.get(action="case.transfer", petition=petition)
    assert (moved.old_status, moved.new_status, moved.actor_id) == ("registered", "routed", world.clerk.pk)
    assert entry.detail["from"] == "registered" and entry.detail["to"] == "routed"

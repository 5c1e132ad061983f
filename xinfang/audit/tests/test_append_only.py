"""The audit log and the case timeline are append-only: the model, the queryset and the database
each refuse to change or remove a row (domain.md: nothing is deleted; corrections are new records)."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from xinfang.audit.models import AppendOnlyError, AuditLog
from xinfang.cases.models import CaseEvent
from xinfang.orgs.models import Role, User
from xinfang.sqlite import base as sqlite_base
from xinfang.testing import register

MODELS = [AuditLog, CaseEvent]
ON_SQLITE = connection.vendor == "sqlite"
# What the triggers of migration audit 0003 raise: SQLite's RAISE(ABORT) is a constraint failure;
# PostgreSQL's RAISE EXCEPTION (SQLSTATE P0001) reaches Django as psycopg's RaiseException.
DB_REFUSAL = IntegrityError if ON_SQLITE else ProgrammingError


@pytest.fixture
def petition(world):
    return register(world.clerk)


def _row(model, petition):
    return model.objects.filter(petition=petition).first()


def _unchanged(model, row) -> bool:
    fresh = model.objects.get(pk=row.pk)
    return fresh.action == row.action and fresh.petition_id == row.petition_id


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_to_save_an_existing_row(petition, model):
    row = _row(model, petition)
    original = row.action
    row.action = "forged"
    with pytest.raises(AppendOnlyError):
        row.save()
    assert model.objects.get(pk=row.pk).action == original


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_to_delete_a_row(petition, model):
    row = _row(model, petition)
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_a_queryset_update(petition, model):
    row = _row(model, petition)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(action="forged")
    assert _unchanged(model, row)


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_a_queryset_delete(petition, model):
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    assert model.objects.filter(petition=petition).exists()


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_a_bulk_update(petition, model):
    row = _row(model, petition)
    original = row.action
    row.action = "forged"
    # bulk_update joins the caller's transaction (no savepoint of its own): give it one.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        model.objects.bulk_update([row], ["action"])
    assert model.objects.get(pk=row.pk).action == original


def test_it_refuses_an_update_through_the_petitions_related_managers(petition):
    with pytest.raises(AppendOnlyError):
        petition.events.update(reason="forged")
    with pytest.raises(AppendOnlyError):
        petition.audit_entries.all().delete()


def test_it_still_appends_new_rows(petition, world):
    before = AuditLog.objects.count()
    AuditLog.objects.create(actor=world.clerk, action="test.append", object_type="x", object_id="1")
    assert AuditLog.objects.count() == before + 1


@pytest.mark.parametrize("table", ["audit_auditlog", "cases_caseevent"])
def test_it_has_the_database_refuse_a_raw_update(petition, table):
    with pytest.raises(DB_REFUSAL) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET action = %s", ["forged"])  # noqa: S608
    assert "append-only" in str(exc.value)
    assert not AuditLog.objects.filter(action="forged").exists()
    assert not CaseEvent.objects.filter(action="forged").exists()


@pytest.fixture
def no_maintenance():
    """As in production: the test suite's permission to flush (conftest.py) withdrawn."""
    sqlite_base.maintenance.flush_allowed = False
    if not ON_SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("SET xinfang.maintenance = 'off'")
    yield
    sqlite_base.maintenance.flush_allowed = True
    if not ON_SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("SET xinfang.maintenance = 'on'")


@pytest.mark.parametrize("table", ["audit_auditlog", "cases_caseevent"])
def test_it_has_the_database_refuse_a_raw_delete(petition, table, no_maintenance):
    with pytest.raises(DB_REFUSAL) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert "append-only" in str(exc.value)
    assert AuditLog.objects.filter(petition=petition).exists()
    assert CaseEvent.objects.filter(petition=petition).exists()


def test_it_writes_one_audit_entry_when_registering_a_petition(world):
    petition = register(world.clerk)
    entries = AuditLog.objects.filter(action="petition.create")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == world.clerk
    assert entry.actor_unit == world.bureau
    assert entry.petition == petition
    assert (entry.object_type, entry.object_id) == ("petitions.petition", str(petition.pk))
    assert entry.detail["case_number"] == petition.case_number


def test_it_records_the_registering_users_own_unit_as_actor_unit(world):
    township_clerk = User.objects.create_user(username="township_clerk", unit=world.township, role=Role.CLERK)
    petition = register(township_clerk)
    entry = AuditLog.objects.get(action="petition.create", petition=petition)
    assert (entry.actor, entry.actor_unit) == (township_clerk, world.township)


@pytest.mark.parametrize("table", ["audit_auditlog", "cases_caseevent"])
def test_it_has_the_database_refuse_an_insert_that_would_replace_a_row(petition, table):
    # SQLite's INSERT OR REPLACE deletes the row it collides with, firing no delete trigger.
    verb = "INSERT OR REPLACE INTO" if ON_SQLITE else "INSERT INTO"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1")  # noqa: S608
        (first,) = cursor.fetchone()
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"{verb} {table} SELECT * FROM {table} WHERE id = %s", [first])  # noqa: S608
    model = AuditLog if table == "audit_auditlog" else CaseEvent
    assert model.objects.filter(pk=first).exists()


@pytest.mark.skipif(ON_SQLITE, reason="SQLite has no TRUNCATE (its DELETE is refused above)")
@pytest.mark.parametrize("table", ["audit_auditlog", "cases_caseevent"])
def test_it_has_the_database_refuse_a_truncate(petition, table, no_maintenance):
    with pytest.raises(DB_REFUSAL) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks first
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert "append-only" in str(exc.value)
    assert AuditLog.objects.filter(petition=petition).exists()

"""The audit log's hash chain: someone with the database's own tools gets past the append-only
triggers, and `xinfang audit verify` then names the entry edited, removed or moved (等保 2.0: audit
records protected from deletion and overwriting)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from xinfang.audit.chain import verify
from xinfang.audit.models import AuditLog
from xinfang.testing import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    for _ in range(3):
        register(world.clerk)
    return list(AuditLog.objects.order_by("pk"))


@pytest.fixture
def raw(entries):
    """A cursor that writes past the triggers, as an intruder with database access would: on
    SQLite by dropping them, on PostgreSQL as a replica session (both undone with the test's
    transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_auditlog'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor


def _problems():
    return {(b.entry_id, b.problem) for b in verify()[2]}


def test_entries_written_by_the_system_form_an_intact_chain(entries, capsys):
    assert len(entries) >= 3 and all(e.hash and len(e.hash) == 64 for e in entries)
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert verify()[2] == []
    call_command("audit", "verify")
    assert "哈希链完整" in capsys.readouterr().out


def test_it_reports_an_edited_entry(entries, raw):
    target = entries[1]
    raw.execute("UPDATE audit_auditlog SET action = %s WHERE id = %s", ["case.forged", target.pk])
    assert _problems() == {(target.pk, "changed")}


def test_it_reports_an_edited_detail_or_time(entries, raw):
    raw.execute("UPDATE audit_auditlog SET ip = %s WHERE id = %s", ["10.6.6.6", entries[0].pk])
    raw.execute("UPDATE audit_auditlog SET at = at WHERE id = %s", [entries[2].pk])  # no change: no report
    assert _problems() == {(entries[0].pk, "changed")}


def test_it_reports_a_removed_entry(entries, raw):
    raw.execute("DELETE FROM audit_auditlog WHERE id = %s", [entries[1].pk])
    assert _problems() == {(entries[2].pk, "link")}


def test_it_reports_reordered_entries(entries, raw):
    first, second = entries[0], entries[1]
    columns = "at, action, object_type, object_id, detail, prev_hash, hash"
    raw.execute(f"SELECT {columns} FROM audit_auditlog WHERE id = %s", [first.pk])  # noqa: S608
    a = raw.fetchone()
    raw.execute(f"SELECT {columns} FROM audit_auditlog WHERE id = %s", [second.pk])  # noqa: S608
    b = raw.fetchone()
    assign = ", ".join(f"{c.strip()} = %s" for c in columns.split(","))
    raw.execute(f"UPDATE audit_auditlog SET {assign} WHERE id = %s", [*b, first.pk])  # noqa: S608
    raw.execute(f"UPDATE audit_auditlog SET {assign} WHERE id = %s", [*a, second.pk])  # noqa: S608
    assert _problems() and {pk for pk, _ in _problems()} <= {first.pk, second.pk, entries[2].pk}


def test_the_command_fails_and_names_the_entry(entries, raw):
    raw.execute("UPDATE audit_auditlog SET object_id = %s WHERE id = %s", ["999", entries[1].pk])
    with pytest.raises(CommandError, match="1 处异常"):
        call_command("audit", "verify")

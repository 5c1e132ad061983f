"""The audit log's hash chain: every entry's hash covers its content and its predecessor's hash, so
an entry edited, removed or moved in the raw table breaks the chain from there on.

Entries are chained in id order. Writers take the chain's tail one at a time, and hold it until
their commit, so that the next writer reads this entry as its predecessor: on SQLite the read
begins the write transaction (xinfang.sqlite's one writer); on PostgreSQL it is a function that
takes a transaction-scoped advisory lock and then reads (audit migration 0005)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections, router

from xinfang.audit.models import AuditLog
from xinfang.sqlite.base import FOR_UPDATE

TAIL_SQL = {
    "sqlite": f"SELECT hash FROM audit_auditlog ORDER BY id DESC LIMIT 1 {FOR_UPDATE}",  # noqa: S608 - constants
    "postgresql": f"SELECT xinfang_audit_tail() {FOR_UPDATE}",  # the comment marks a locking read
}


def entry_hash(values: dict[str, Any], prev_hash: str) -> str:
    """The hash of an entry's content (as stored and read back) and its predecessor's hash."""
    at: datetime = values["at"]
    content = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": values["actor_id"],
        "unit": values["actor_unit_id"],
        "action": values["action"],
        "type": values["object_type"],
        "object": values["object_id"],
        "petition": values["petition_id"],
        "detail": values["detail"],
        "ip": values["ip"],
        "prev": prev_hash,
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def chain_tail() -> str:
    """The newest entry's hash, read under the chain's lock; call inside the writing transaction."""
    connection = connections[router.db_for_write(AuditLog)]
    with connection.cursor() as cursor:
        cursor.execute(TAIL_SQL[connection.vendor])
        row = cursor.fetchone()
    return (row[0] if row else "") or ""


@dataclass(frozen=True)
class Break:
    entry_id: int
    problem: str  # "changed": its content no longer gives its hash; "link": its predecessor is not the one it was written after; "unchained": written without a hash after the chain began


FIELDS = ("id", "at", "actor_id", "actor_unit_id", "action", "object_type", "object_id", "petition_id",
          "detail", "ip", "prev_hash", "hash")  # fmt: skip


def verify(chunk: int = 5000) -> tuple[int, int, list[Break]]:
    """Walk the log in id order: (entries checked, entries from before the chain, breaks)."""
    checked = before = 0
    breaks: list[Break] = []
    previous: str | None = None  # None until the first chained entry
    for row in _rows(chunk):
        if previous is None and not row["hash"]:
            before += 1
            continue
        checked += 1
        if not row["hash"]:
            breaks.append(Break(row["id"], "unchained"))
            continue
        if previous is not None and row["prev_hash"] != previous:
            breaks.append(Break(row["id"], "link"))
        if entry_hash(row, row["prev_hash"]) != row["hash"]:
            breaks.append(Break(row["id"], "changed"))
        previous = row["hash"]
    return checked, before, breaks


def _rows(chunk: int) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = list(AuditLog.objects.filter(pk__gt=last).order_by("pk").values(*FIELDS)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]["id"]

"""Transitions of a case. Each one runs in the caller's transaction and writes a CaseEvent."""

from __future__ import annotations

from typing import Any

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Status, next_status


def record_transition(
    *, petition: Any, action: str, old: Status | None, actor: Any, reason: str = "", data: dict | None = None
) -> CaseEvent:
    new = next_status(old, action)
    return CaseEvent.objects.create(
        petition=petition,
        action=action,
        old_status=old or "",
        new_status=new,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit_id=getattr(actor, "unit_id", None),
        reason=reason,
        data=data or {},
    )

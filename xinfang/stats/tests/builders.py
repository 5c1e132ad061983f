"""Direct ORM builders for statistics tests (not collected: no ``test_`` prefix).

Statistics read stored rows only, so the tests create the rows of handled cases directly
(status, assignments, decisions, evaluations) instead of driving every transition.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from xinfang.cases.models import (
    Assignment,
    Decision,
    DecisionKind,
    Evaluation,
    Supervision,
    SupervisionLevel,
)
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import Status
from xinfang.testing import World

_seq = itertools.count(1)
OPEN = {
    Status.REGISTERED,
    Status.ROUTED,
    Status.OBJECTED,
    Status.ACCEPTED,
    Status.REPLIED,
    Status.REVIEW,
    Status.REVIEWED,
    Status.RECHECK,
}


def category(code: str = "0202") -> Category:
    return Category.objects.get(code=code)


def petition(world: World, **fields: Any) -> Petition:
    """A petition registered by the 清河县信访局 on 2024-03-05 unless told otherwise."""
    return Petition.objects.create(**_fields(world, **fields))


def unsaved(world: World, **fields: Any) -> Petition:
    """An unsaved petition, for ``bulk_create``."""
    return Petition(**_fields(world, **fields))


_categories: dict[str, Category] = {}


def _fields(world: World, **fields: Any) -> dict[str, Any]:
    code = fields.pop("category", "0202")
    status = fields.pop("status", Status.REGISTERED)
    data: dict[str, Any] = {
        "case_number": f"T-2024-{next(_seq):06d}",
        "registering_unit": world.bureau,
        "channel": "letter",
        "received_at": date(2024, 3, 5),
        "persons": 1,
        "title": "测试",
        "content": "测试内容",
        "category": category(code),
        "request_class": "claim",
        "status": status,
        "is_open": status in OPEN,
    }
    data.update(fields)
    return data


def visits(world: World, n: int, persons: int = 1, **fields: Any) -> list[Petition]:
    fields.setdefault("visit_level", "local")
    return [petition(world, channel="visit", persons=persons, **fields) for _ in range(n)]


def items(world: World, channel: str, n: int, **fields: Any) -> list[Petition]:
    return [petition(world, channel=channel, **fields) for _ in range(n)]


def assignment(p: Petition, unit: Unit, world: World, **fields: Any) -> Assignment:
    data: dict[str, Any] = {
        "petition": p,
        "unit": unit,
        "kind": "transfer",
        "is_lead": True,
        "sent_from": world.bureau,
        "sent_by": world.clerk,
        "sent_on": p.received_at,
        "ack_due": p.received_at + timedelta(days=15),
        "objection_due": p.received_at + timedelta(days=7),
    }
    data.update(fields)
    return Assignment.objects.create(**data)


def reply(p: Petition, world: World, issued_on: date | None = None) -> Decision:
    return Decision.objects.create(
        petition=p,
        kind=DecisionKind.OPINION,
        unit=p.handling_unit or world.dept,
        requests="r",
        facts="f",
        opinion="o",
        basis="b",
        outcome="explain",
        issued_on=issued_on or p.received_at + timedelta(days=30),
        issued_by=world.dept_handler,
    )


def evaluate(p: Petition, world: World, satisfaction: str, target: str = "handler") -> Evaluation:
    return Evaluation.objects.create(
        petition=p, target=target, unit=p.handling_unit or world.dept, satisfaction=satisfaction
    )


def supervise(p: Petition, world: World, *, automatic: bool = True, level: str = "supervise") -> Supervision:
    return Supervision.objects.create(
        petition=p,
        unit=p.handling_unit or world.dept,
        issued_from=world.bureau,
        automatic=automatic,
        missed_due=p.received_at + timedelta(days=60) if automatic else None,
        level=level or SupervisionLevel.SUPERVISE,
        reason="超期",
        issued_on=p.received_at + timedelta(days=61),
        reply_due=p.received_at + timedelta(days=66),
    )

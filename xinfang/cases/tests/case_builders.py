"""Builders shared by the lifecycle tests of ``xinfang.cases`` (not collected: no ``test_`` prefix).

Every builder drives the real services, with explicit dates on one fixed timeline, so a case can be
brought to any status of ``states.TRANSITIONS``:

    received / sent / accepted 2024-03-01 (Fri) → reply issued 04-01, delivered 04-02
    → 复查 asked 04-10 (county), decided 04-20, delivered 04-22
    → 复核 asked 05-06 (city), decided 05-20

``Clock`` freezes "today" (``django.utils.timezone.localdate``), which every service, the intake
validation and the notice numbering read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.cases.models import (
    CaseEvent,
    Decision,
    DecisionKind,
    Outcome,
    RefusalGround,
    ReviewRequest,
    Route,
)
from xinfang.orgs.models import Role, Unit, UnitKind, UnitLevel, User
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.testing import PASSWORD, World, register
from xinfang.workflow import services as cs

RECEIVED = date(2024, 3, 1)
REPLY_ISSUED = date(2024, 4, 1)
REPLY_DELIVERED = date(2024, 4, 2)
REVIEW_ASKED = date(2024, 4, 10)
REVIEW_ISSUED = date(2024, 4, 20)
REVIEW_DELIVERED = date(2024, 4, 22)
RECHECK_ASKED = date(2024, 5, 6)
RECHECK_ISSUED = date(2024, 5, 20)
# Late enough for every date of the timeline to lie in the past.
LATE = date(2024, 7, 1)
# Each test builds its personas afresh; the default PBKDF2 would hash every password a million times.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Clock:
    """Freezes ``timezone.localdate()`` (without an argument) at ``day``."""

    def __init__(self, monkeypatch: Any) -> None:
        self._monkeypatch = monkeypatch
        self._real = timezone.localdate
        self.day = self._real()

    def set(self, day: date) -> Clock:
        self.day = day
        real = self._real

        def localdate(value: Any = None, timezone: Any = None) -> date:
            if value is None:
                return day
            return real(value, timezone)

        self._monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return self


def make_unit(code: str, name: str, level: str, kind: str, parent: Unit | None) -> Unit:
    return Unit.objects.create(
        code=code, name=name, level=level, kind=kind, parent=parent, region_code=code[:6]
    )


def make_user(username: str, unit: Unit, role: str = Role.HANDLER) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, unit=unit, role=role)


@dataclass
class Cast:
    """People and units the ``world`` personas lack: heads of the reviewing governments, a township
    head, a 政法 unit and handlers of the assisting units."""

    county_leader: User
    city_leader: User
    township_leader: User
    legal: Unit
    legal_handler: User
    discipline_handler: User
    village_handler: User
    other_leader: User


def cast(world: World) -> Cast:
    legal = make_unit("990121ZF", "清河县委政法委", UnitLevel.COUNTY, UnitKind.LEGAL, world.county)
    return Cast(
        county_leader=make_user("county_leader", world.county, Role.LEADER),
        city_leader=make_user("city_leader", world.city, Role.LEADER),
        township_leader=make_user("township_leader", world.township, Role.LEADER),
        legal=legal,
        legal_handler=make_user("legal_handler", legal),
        discipline_handler=make_user("discipline_handler", world.discipline),
        village_handler=make_user("village_handler", world.village),
        other_leader=make_user("other_leader", world.other_bureau, Role.LEADER),
    )


def decision_input(outcome: str = Outcome.EXPLAIN, issued_on: date | None = None, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "requests": "足额发放征地补偿款",
        "facts": "经查，补偿款已按2023年标准发放到户",
        "opinion": "予以解释说明",
        "basis": "《中华人民共和国土地管理法》第四十八条",
        "outcome": outcome,
        "issued_on": issued_on,
    }
    values.update(overrides)
    return cs.DecisionInput(**values)


# --- the timeline, one status at a time -------------------------------------------------------


def registered(world: World, **overrides: Any) -> Petition:
    return register(world.clerk, received=overrides.pop("received", RECEIVED), **overrides)


def routed(world: World, unit: Unit | None = None, **overrides: Any) -> Petition:
    petition = registered(world, **overrides)
    return cs.case_transfer(
        petition=petition, actor=world.clerk, unit=unit or world.township, sent_on=RECEIVED
    )


def objected(world: World) -> Petition:
    petition = routed(world)
    return cs.case_object(
        petition=petition, actor=world.township_handler, reason="不属本单位职责", on=RECEIVED
    )


def accepted(world: World, route: str = Route.PETITION, **overrides: Any) -> Petition:
    petition = routed(world, **overrides)
    return cs.case_accept(petition=petition, actor=world.township_handler, route=route, accepted_on=RECEIVED)


def replied(world: World, outcome: str = Outcome.EXPLAIN, **reply: Any) -> Petition:
    petition = accepted(world)
    cs.case_reply(
        petition=petition,
        actor=world.township_handler,
        data=decision_input(outcome, issued_on=REPLY_ISSUED),
        **reply,
    )
    petition.refresh_from_db()
    return petition


def delivered(world: World) -> Petition:
    petition = replied(world)
    return cs.case_deliver(petition=petition, actor=world.township_handler, delivered_on=REPLY_DELIVERED)


def under_review(world: World, people: Cast) -> Petition:
    petition = delivered(world)
    cs.case_request_review(
        petition=petition, actor=people.county_leader, unit=world.county, requested_on=REVIEW_ASKED
    )
    petition.refresh_from_db()
    return petition


def reviewed(world: World, people: Cast) -> Petition:
    petition = under_review(world, people)
    cs.case_review_decide(
        petition=petition, actor=people.county_leader, data=decision_input(issued_on=REVIEW_ISSUED)
    )
    petition.refresh_from_db()
    return petition


def review_delivered(world: World, people: Cast) -> Petition:
    petition = reviewed(world, people)
    return cs.case_deliver(petition=petition, actor=people.county_leader, delivered_on=REVIEW_DELIVERED)


def under_recheck(world: World, people: Cast) -> Petition:
    petition = review_delivered(world, people)
    cs.case_request_recheck(
        petition=petition, actor=people.city_leader, unit=world.city, requested_on=RECHECK_ASKED
    )
    petition.refresh_from_db()
    return petition


def concluded(world: World, people: Cast) -> Petition:
    petition = under_recheck(world, people)
    cs.case_review_decide(
        petition=petition, actor=people.city_leader, data=decision_input(issued_on=RECHECK_ISSUED)
    )
    petition.refresh_from_db()
    return petition


def closed(world: World) -> Petition:
    return cs.case_close(petition=delivered(world), actor=world.township_handler, reason="信访人表示满意")


def not_accepted(world: World) -> Petition:
    return cs.case_refuse(
        petition=registered(world),
        actor=world.clerk,
        ground=RefusalGround.NOT_IN_REMIT,
        reason="不属信访事项",
    )


def archived(world: World) -> Petition:
    return cs.case_archive(petition=closed(world), actor=world.clerk)


def reach(world: World, people: Cast, status: Status) -> Petition:
    """A case in ``status``, brought there through the services."""
    builders = {
        Status.REGISTERED: lambda: registered(world),
        Status.ROUTED: lambda: routed(world),
        Status.OBJECTED: lambda: objected(world),
        Status.ACCEPTED: lambda: accepted(world),
        Status.REPLIED: lambda: replied(world),
        Status.REVIEW: lambda: under_review(world, people),
        Status.REVIEWED: lambda: reviewed(world, people),
        Status.RECHECK: lambda: under_recheck(world, people),
        Status.CONCLUDED: lambda: concluded(world, people),
        Status.CLOSED: lambda: closed(world),
        Status.NOT_ACCEPTED: lambda: not_accepted(world),
        Status.ARCHIVED: lambda: archived(world),
    }
    petition = builders[status]()
    petition.refresh_from_db()
    assert petition.status == status
    return petition


# --- reading the record -------------------------------------------------------------------------


def last_event(petition: Petition) -> CaseEvent:
    event = CaseEvent.objects.filter(petition=petition).order_by("-at", "-id").first()
    assert event is not None
    return event


def audit_actions(petition: Petition) -> list[str]:
    return list(AuditLog.objects.filter(petition=petition).order_by("id").values_list("action", flat=True))


def record_size(petition: Petition) -> tuple[int, int, int]:
    """Events, audit entries and assignments of a case: a refused action must add none."""
    return (
        CaseEvent.objects.filter(petition=petition).count(),
        AuditLog.objects.filter(petition=petition).count(),
        petition.assignments.count(),
    )


def opinion_of(petition: Petition) -> Decision:
    return Decision.objects.get(petition=petition, kind=DecisionKind.OPINION)


def open_recheck(petition: Petition) -> ReviewRequest:
    return ReviewRequest.objects.get(petition=petition, level="recheck", decided=False)

"""Readers of one case's records: its assignments, extensions, decisions, reviews, execution tasks,
supervisions and notices. The API's case state and the transitions read them on every request, so
each is compiled to SQL once per process (``xinfang.prepared``) and run with the case's id. The
caller has reached the case through ``petitions.selectors.access_petition``.
"""

from __future__ import annotations

from xinfang.cases.models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    Decision,
    ExecutionTask,
    Extension,
    Notice,
    ReviewRequest,
    Supervision,
)
from xinfang.petitions.models import Petition
from xinfang.prepared import Prepared

_ASSIGNMENTS = Prepared(
    lambda petition: Assignment.objects.filter(petition_id=petition).select_related("unit"), petition=int
)
_EXTENSIONS = Prepared(lambda petition: Extension.objects.filter(petition_id=petition), petition=int)
_DECISIONS = Prepared(
    lambda petition: Decision.objects.filter(petition_id=petition).select_related("unit"), petition=int
)
_REVIEW_REQUESTS = Prepared(
    lambda petition: ReviewRequest.objects.filter(petition_id=petition).select_related("unit"), petition=int
)
_EXECUTION_TASKS = Prepared(lambda petition: ExecutionTask.objects.filter(petition_id=petition), petition=int)
_SUPERVISIONS = Prepared(
    lambda petition: Supervision.objects.filter(petition_id=petition).select_related("unit"), petition=int
)
_NOTICES = Prepared(lambda petition: Notice.objects.filter(petition_id=petition), petition=int)
_LEAD = Prepared(
    lambda petition: Assignment.objects.filter(
        petition_id=petition, is_lead=True, status__in=ACTIVE_ASSIGNMENT
    )[:1],
    petition=int,
)
_OPEN_DUTIES = Prepared(
    lambda petition: Assignment.objects.filter(
        petition_id=petition, is_lead=False, status__in=ACTIVE_ASSIGNMENT
    ).select_related("unit"),
    petition=int,
)
_LATEST_DECISION = Prepared(
    lambda petition, kind: Decision.objects.filter(petition_id=petition, kind=kind).order_by(
        "-issued_on", "-id"
    )[:1],
    petition=int,
    kind=str,
)


def assignments_of(petition: Petition) -> list[Assignment]:
    """Every unit the case went to, lead first, with the unit."""
    return _ASSIGNMENTS.all(petition=petition.pk)


def extensions_of(petition: Petition) -> list[Extension]:
    return _EXTENSIONS.all(petition=petition.pk)


def decisions_of(petition: Petition) -> list[Decision]:
    return _DECISIONS.all(petition=petition.pk)


def review_requests_of(petition: Petition) -> list[ReviewRequest]:
    return _REVIEW_REQUESTS.all(petition=petition.pk)


def execution_tasks_of(petition: Petition) -> list[ExecutionTask]:
    return _EXECUTION_TASKS.all(petition=petition.pk)


def supervisions_of(petition: Petition) -> list[Supervision]:
    return _SUPERVISIONS.all(petition=petition.pk)


def notices_of(petition: Petition) -> list[Notice]:
    return _NOTICES.all(petition=petition.pk)


def lead_assignment(petition: Petition) -> Assignment | None:
    """The open 主办 (or the one unit of a 转送)."""
    return _LEAD.first(petition=petition.pk)


def open_duties(petition: Petition) -> list[Assignment]:
    """The open duties besides the lead's (协办 and the other 交办 duties), with their units."""
    return _OPEN_DUTIES.all(petition=petition.pk)


def latest_decision(petition: Petition, kind: str) -> Decision | None:
    return _LATEST_DECISION.first(petition=petition.pk, kind=kind)

"""The rules of repeat, parallel and escalated petitions (《信访工作条例》). Each is a function that
reads and proposes; ``services`` applies what a rule or a clerk decides.

- ``rule_parallel``: the same matter by letter and by visit (信访并行) → link ``parallel_of``.
- ``rule_skip_level``: a visit above the competent level without that level's handling (越级, 第二十条).
- ``rule_accepted_below``: a matter accepted or in progress below, brought upward within its time
  limit → a proposed 不予受理 (第十九条第三款).
- ``rule_concluded``: the same facts and reasons after 复核 → a proposed 不再受理 (第三十六条).
- ``rule_collective``: 集体访 (five or more persons) and 联名.
- ``rule_second_assignment``: a second 交办 of a matter already assigned, from any level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from xinfang.cases.models import ACTIVE_ASSIGNMENT, Assignment, AssignmentKind, RefusalGround
from xinfang.detection.selectors import Candidate, similar_to
from xinfang.orgs.models import LEVEL_ORDER, Unit, UnitLevel, User
from xinfang.petitions.models import COLLECTIVE_VISIT_MIN_PERSONS, Channel, Petition, VisitLevel
from xinfang.petitions.states import Status
from xinfang.prepared import Prepared

# Channels that are written (a letter in the wide sense) as against a visit.
WRITTEN_CHANNELS = frozenset({Channel.LETTER, Channel.ONLINE, Channel.MAILBOX, Channel.FAX, Channel.PHONE})
# How far apart a letter and a visit on one matter may be to count as parallel (days).
PARALLEL_WINDOW_DAYS = 180
# How many candidates ``same_matter`` asks ``similar_to`` for.
SAME_MATTER_LIMIT = 20
# 第十九条第三款: "accepted or in progress" below.
IN_PROGRESS = frozenset({Status.ROUTED, Status.OBJECTED, Status.ACCEPTED})
VISIT_LEVELS: dict[str, str] = {
    VisitLevel.CITY: UnitLevel.CITY,
    VisitLevel.PROVINCE: UnitLevel.PROVINCE,
    VisitLevel.NATIONAL: UnitLevel.NATIONAL,
}


@dataclass(frozen=True)
class Earlier:
    """An earlier petition of the same matter, and how it was found."""

    petition: Petition
    linked: bool  # by repeat_of / parallel_of
    candidate: Candidate | None = None


# Run by every registration: compiled once (xinfang.prepared).
_REPEATS = Prepared(
    lambda key: Petition.objects.filter(repeat_of_id=key).values_list("pk", flat=True), key=int
)
_PARALLELS = Prepared(
    lambda key: Petition.objects.filter(parallel_of_id=key).values_list("pk", flat=True), key=int
)


def _linked(petition: Petition, roots: set[int]) -> list[Petition]:
    """The petitions linked to this one (its roots, and what repeats or parallels it or them). Three
    indexed lookups: one OR across the three columns is a full table scan on SQLite (1 s at 1M)."""
    ids: set[int] = set(roots)
    for key in roots | {petition.pk}:  # one or three keys
        ids.update(_REPEATS.all(key=key))
        ids.update(_PARALLELS.all(key=key))
    ids.discard(petition.pk)
    if not ids:
        return []
    return list(Petition.objects.filter(pk__in=ids).select_related("handling_unit"))


def same_matter(
    petition: Petition,
    *,
    user: User,
    limit: int = SAME_MATTER_LIMIT,
    candidates: list[Candidate] | None = None,
    keywords: bool = True,
    fresh: bool = False,
) -> list[Earlier]:
    """Earlier petitions of this matter: those linked to it, then the likely candidates (``candidates``
    when the caller has already computed ``similar_to``; ``keywords=False`` leaves out the keyword
    block and compares the person's and the unit's earlier petitions only). ``fresh``: the petition
    was inserted in this transaction, so nothing links to it yet."""
    roots = {pk for pk in (petition.repeat_of_id, petition.parallel_of_id) if pk}
    found: dict[int, Earlier] = {}
    for other in _linked(petition, roots) if roots or not fresh else ():
        found[other.pk] = Earlier(other, linked=True)
    if candidates is None:
        candidates = similar_to(user, petition, limit=limit, keywords=keywords)
    candidates = [c for c in candidates if c.likely and c.id not in found]
    if candidates:
        by_id = Petition.objects.select_related("handling_unit").in_bulk([c.id for c in candidates])
        for cand in candidates:
            if cand.id in by_id:
                found[cand.id] = Earlier(by_id[cand.id], linked=False, candidate=cand)
    return [
        e
        for e in found.values()
        if (e.petition.received_at, e.petition.pk) <= (petition.received_at, petition.pk) or e.linked
    ]


def _is_visit(petition: Petition) -> bool:
    return petition.channel == Channel.VISIT


def _same_person(e: Earlier) -> bool:
    """Whether an earlier matter may drive a rule: linked by staff, or the same petitioner's. Similar
    text alone (the same template letter of another villager, the same unit complained about) is
    shown to the clerk, but never links or refuses on its own."""
    return e.linked or (e.candidate is not None and e.candidate.same_person)


def rule_parallel(petition: Petition, *, user: User, earlier: list[Earlier] | None = None) -> Earlier | None:
    """信访并行: the same matter raised by letter (or another written channel) and by visit."""
    if petition.parallel_of_id:
        return None
    for e in earlier if earlier is not None else same_matter(petition, user=user):
        other = e.petition
        if not _same_person(e) or _is_visit(other) == _is_visit(petition) or other.pk == petition.pk:
            continue
        if abs((petition.received_at - other.received_at).days) <= PARALLEL_WINDOW_DAYS:
            return e
    return None


def _level_index(level: str) -> int:
    try:
        return LEVEL_ORDER.index(UnitLevel(level))
    except ValueError:
        return -1


def visited_level(petition: Petition) -> str:
    """The level of the organ where the visit was made."""
    return VISIT_LEVELS.get(petition.visit_level, petition.registering_unit.level)


def competent_unit(petition: Petition) -> Unit | None:
    return petition.complained_unit or petition.handling_unit


def rule_skip_level(petition: Petition, *, earlier: list[Petition] | None = None) -> bool:
    """越级访 (条例第二十条): a visit to an organ more than one level above the competent one, while no
    organ from the competent level up to the one below the visited has handled the matter.

    The competent level is that of the unit complained about (a village's matter belongs to its
    township); ``earlier`` are the earlier petitions of the same matter (person and category)."""
    if not _is_visit(petition):
        return False
    unit = competent_unit(petition)
    if unit is None:
        return False
    competent = max(_level_index(unit.level), _level_index(UnitLevel.TOWNSHIP))
    visited = _level_index(visited_level(petition))
    if visited <= competent + 1:
        return False
    if earlier is None:
        earlier = _earlier_of_person(petition)
    for other in earlier:
        for handler in (other.registering_unit, other.handling_unit):
            if handler is not None and competent <= _level_index(handler.level) < visited:
                return False
    return True


def _earlier_of_person(petition: Petition) -> list[Petition]:
    people = petition.links.values("petitioner_id")
    return list(
        Petition.objects.filter(
            links__petitioner_id__in=people,
            category_id=petition.category_id,
            received_at__lte=petition.received_at,
        )
        .exclude(pk=petition.pk)
        .select_related("registering_unit", "handling_unit")
        .distinct()[:50]
    )


@dataclass(frozen=True)
class RefusalProposal:
    """A proposed 不予受理 / 不再受理; the clerk confirms it (``workflow.services.refusal_confirm``)."""

    petition_id: int
    ground: str  # cases.models.RefusalGround
    article: str
    earlier_id: int
    earlier_case_number: str
    reason: str


def rule_accepted_below(
    petition: Petition, *, user: User, earlier: list[Earlier] | None = None, today: date | None = None
) -> RefusalProposal | None:
    """第十九条第三款: the matter is already accepted or in progress at a lower organ, and its time
    limit has not passed; the same matter brought to this higher organ is not accepted again."""
    here = _level_index(petition.registering_unit.level)
    when = today or petition.received_at
    for e in earlier if earlier is not None else same_matter(petition, user=user):
        other = e.petition
        holder = other.handling_unit or other.registering_unit
        if not _same_person(e) or other.status not in IN_PROGRESS or holder is None:
            continue
        if _level_index(holder.level) >= here:
            continue
        if other.due_at is not None and other.due_at < when:
            continue  # its time limit passed: the higher organ may act (督办)
        reason = _(
            "The same matter (case %(case)s) has already been accepted by %(unit)s and is being handled "
            "within its time limit; under article 19(3) of the Regulation it is not accepted again here."
        ) % {"case": other.case_number, "unit": holder.name}
        return RefusalProposal(
            petition.pk, RefusalGround.ACCEPTED_BELOW, "第十九条第三款", other.pk, other.case_number, reason
        )
    return None


def rule_concluded(
    petition: Petition, *, user: User, earlier: list[Earlier] | None = None
) -> RefusalProposal | None:
    """第三十六条: a matter concluded after 复核 is not accepted again on the same facts and reasons."""
    for e in earlier if earlier is not None else same_matter(petition, user=user):
        other = e.petition
        if not _same_person(e):
            continue
        if other.status != Status.CONCLUDED and not (
            other.status == Status.ARCHIVED and other.events.filter(action="recheck_decide").exists()
        ):
            continue
        reason = _(
            "The same facts and reasons were concluded after re-examination in case %(case)s; under "
            "article 36 of the Regulation they are not accepted again."
        ) % {"case": other.case_number}
        return RefusalProposal(
            petition.pk, RefusalGround.CONCLUDED, "第三十六条", other.pk, other.case_number, reason
        )
    return None


def refusal_proposals(petition: Petition, *, user: User, earlier: list[Earlier]) -> list[RefusalProposal]:
    """The proposals of ``rule_concluded`` (第三十六条) and ``rule_accepted_below`` (第十九条第三款)."""
    found = (rule(petition, user=user, earlier=earlier) for rule in (rule_concluded, rule_accepted_below))
    return [proposal for proposal in found if proposal is not None]


@dataclass(frozen=True)
class CollectiveMarks:
    is_collective: bool  # 集体访: a visit of five or more persons
    is_joint: bool  # 联名: signed by two or more petitioners


def rule_collective(petition: Petition) -> CollectiveMarks:
    signers = petition.links.count()
    return CollectiveMarks(
        is_collective=_is_visit(petition) and petition.persons >= COLLECTIVE_VISIT_MIN_PERSONS,
        is_joint=signers > 1,
    )


def rule_second_assignment(petition: Petition, *, user: User | None = None) -> Assignment | None:
    """Before a 交办: the active 交办 of the same matter, from any level, if there is one. The caller
    links this petition to that matter instead of assigning it a second time."""
    own = Assignment.objects.filter(
        petition=petition, kind=AssignmentKind.ASSIGN, status__in=ACTIVE_ASSIGNMENT
    )
    first = own.order_by("created_at", "id").first()
    if first is not None:
        return first
    roots = {pk for pk in (petition.repeat_of_id, petition.parallel_of_id) if pk}
    ids = {other.pk for other in _linked(petition, roots)}
    if user is not None:
        # The same person's likely matters come from the person block; no keyword search needed.
        ids |= {c.id for c in similar_to(user, petition, keywords=False) if c.likely and c.same_person}
    if not ids:
        return None
    return (
        Assignment.objects.filter(
            petition_id__in=ids, kind=AssignmentKind.ASSIGN, status__in=ACTIVE_ASSIGNMENT
        )
        .select_related("petition", "unit", "sent_from")
        .order_by("created_at", "id")
        .first()
    )

"""What the detection panels of the staff pages show: at intake, before anything is saved, and on
every case page. Each panel has the person's history (who the petitioner is, their earlier
petitions, the 老户 flag) and the likely earlier matters, ranked with reasons.

Readers only, except ``audit_people``: showing petitioners' personal data is audited. Nothing on a
panel may lead to the accuser of a 检举控告 hidden from the user (``identity_hidden_q``): for such a
case the panel shows no person and no candidate whose petitioners the user could open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from xinfang.audit.services import audit_personal_data_view, audit_record
from xinfang.cases.access import identity_hidden_q, identity_visible, visible_petitions
from xinfang.detection import rules, selectors
from xinfang.detection.selectors import Candidate, OldHand
from xinfang.orgs.models import Unit, User
from xinfang.petitions.models import Category, Petition, Petitioner
from xinfang.petitions.states import can

# Rows of a person's history shown on a panel (the person page lists them all).
HISTORY_ROWS = 5
# People shown at intake, best first; and on a case page (a collective visit may name many).
INTAKE_PEOPLE = 5
CASE_PEOPLE = 10
# From this identity score a candidate counts as the same person when ranking earlier matters
# (the same 身份证号, or the same name and phone).
SAME_PERSON_SCORE = 0.9


@dataclass
class PersonHistory:
    petitioner: Petitioner
    petitions: list[Petition]
    old_hand: OldHand
    score: float = 1.0
    reasons: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.old_hand.petitions


def person_history(
    user: User, person: Petitioner, *, score: float = 1.0, reasons: Sequence[str] = ()
) -> PersonHistory:
    """The person's newest petitions the user may see, and the 老户 flag over all of them."""
    petitions = selectors.person_petitions(user, person)
    dates = petitions.values_list("received_at", flat=True)
    return PersonHistory(
        petitioner=person,
        petitions=list(petitions[:HISTORY_ROWS]),
        old_hand=selectors.old_hand_of(dates),
        score=score,
        reasons=list(reasons),
    )


# --- intake --------------------------------------------------------------------------------------


@dataclass
class IntakeCheck:
    """The panel of the intake form: who the petitioners may be and the earlier matters."""

    people: list[PersonHistory]
    matters: list[Candidate]
    threshold: float = selectors.SAME_MATTER_THRESHOLD


def intake_check(
    user: User,
    *,
    title: str,
    content: str,
    petitioners: Sequence[Mapping[str, str]],
    complained_unit: str = "",
    category: str = "",
    region: str = "",
) -> IntakeCheck:
    """Check an unsaved registration (the raw form values; codes for unit and category). Reads only."""
    found: dict[int, selectors.PersonCandidate] = {}
    id_numbers: list[str] = []
    for row in petitioners:
        name, id_number = row.get("name", "").strip(), row.get("id_number", "").strip().upper()
        if id_number:
            id_numbers.append(id_number)
        if not name and not id_number:
            continue
        for cand in selectors.identity_candidates(
            user,
            name=name,
            id_number=id_number,
            phone=row.get("phone", "").strip(),
            address=row.get("address", "").strip(),
            limit=INTAKE_PEOPLE,
        ):
            known = found.get(cand.petitioner.pk)
            if known is None or cand.score > known.score:
                found[cand.petitioner.pk] = cand
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.petitioner.pk))[:INTAKE_PEOPLE]
    people = [person_history(user, c.petitioner, score=c.score, reasons=c.reasons) for c in ranked]
    same = [p.petitioner.pk for p in people if p.score >= SAME_PERSON_SCORE]
    matters = selectors.similar_petitions(
        user,
        text=f"{title}\n{content}",
        petitioner_ids=same,
        id_numbers=id_numbers,
        complained_unit=_pk(Unit, complained_unit),
        category=_pk(Category, category),
        region=region.strip(),
    )
    return IntakeCheck(people=people, matters=matters)


def _pk(model: type[Unit] | type[Category], code: str) -> int | None:
    code = code.strip()
    if not code:
        return None
    return model.objects.filter(code=code).values_list("pk", flat=True).first()


# --- a case page ---------------------------------------------------------------------------------


@dataclass
class CasePanel:
    petition: Petition
    identity_visible: bool
    people: list[PersonHistory]
    matters: list[Candidate]
    proposals: list[rules.RefusalProposal]
    can_link: bool
    threshold: float = selectors.SAME_MATTER_THRESHOLD


def case_panel(user: User, petition: Petition) -> CasePanel:
    """The panel of a case the user has reached through ``access_petition``."""
    visible = identity_visible(user, petition)
    if visible:
        links = petition.links.select_related("petitioner").order_by("position")[:CASE_PEOPLE]
        people = [person_history(user, link.petitioner) for link in links]
        matters = selectors.similar_to(user, petition)
    else:
        people = []
        matters = _hidden_safe(user, _similar_by_matter(user, petition))
    proposals: list[rules.RefusalProposal] = []
    if user.can_register and visible and can(petition.status, "refuse"):
        earlier = rules.same_matter(petition, user=user, candidates=matters)
        proposals = rules.refusal_proposals(petition, user=user, earlier=earlier)
    return CasePanel(
        petition=petition,
        identity_visible=visible,
        people=people,
        matters=matters,
        proposals=proposals,
        can_link=bool(user.can_register),
    )


def refusal_proposals(user: User, petition: Petition) -> list[rules.RefusalProposal]:
    """The 不予受理 / 不再受理 the rules propose now (re-computed when the clerk confirms one)."""
    if not can(petition.status, "refuse"):
        return []
    return rules.refusal_proposals(petition, user=user, earlier=rules.same_matter(petition, user=user))


def _similar_by_matter(user: User, petition: Petition) -> list[Candidate]:
    """Candidates by text, unit, category and place only: not through the hidden petitioner."""
    return selectors.similar_petitions(
        user,
        text=f"{petition.title}\n{petition.content}",
        complained_unit=petition.complained_unit_id,
        category=petition.category_id,
        region=petition.region_code,
        exclude_id=petition.pk,
    )


def _hidden_safe(user: User, candidates: list[Candidate]) -> list[Candidate]:
    """Keep only candidates whose petitioners are hidden from the user as well, so that no link on
    the panel of a protected accusation opens a page naming the accuser."""
    ids = [c.id for c in candidates]
    safe = set(
        visible_petitions(user).filter(Q(pk__in=ids) & identity_hidden_q(user)).values_list("pk", flat=True)
    )
    return [c for c in candidates if c.id in safe]


# --- audit ---------------------------------------------------------------------------------------


def audit_people(
    *, user: User, people: Sequence[PersonHistory], petition: Petition | None, ip: str | None, via: str
) -> None:
    """Record that the panel showed these people (name, masked numbers, history)."""
    if not people:
        return
    ids = [p.petitioner.pk for p in people]
    if petition is not None:
        audit_personal_data_view(actor=user, petition=petition, petitioner_ids=ids, ip=ip, channel=via)
        return
    audit_record(
        actor=user,
        action="personal_data.view",
        obj=people[0].petitioner,
        detail={"petitioners": ids, "via": via},
        ip=ip,
    )

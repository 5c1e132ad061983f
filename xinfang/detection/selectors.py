"""Readers of detection: who a petitioner is (identity candidates, a person's history, the 老户
flag), and which earlier matters a petition repeats (``similar_petitions``).

Every list starts from ``cases.access.visible_petitions``; identity lookups leave out the
检举控告 cases whose accuser is hidden from the user (``identity_hidden_q``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Left
from django.utils.translation import gettext as _

from xinfang.cases.access import PetitionNotFound, identity_hidden_q, identity_visible, visible_petitions
from xinfang.detection import names, similarity, weights
from xinfang.detection.models import IdentityReview, PetitionerMerge, ReviewStatus
from xinfang.lib.textnorm import normalize, to_simplified
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner

# The text score from which two petitions are taken to be the same matter. Chosen on the generated
# evaluation set (seed 4) and checked on another (bench/detection.py, docs/detection.md).
SAME_MATTER_THRESHOLD = 0.70
# With the same petitioner, a lower text score suffices.
SAME_PERSON_THRESHOLD = 0.45
# Candidates below this score and without another reason are not shown.
MIN_SCORE = 0.15
# Blocking limits: how many petitions each block may bring to the text comparison.
PERSON_LINKS = 2000  # a 老户's petitions, newest first, before scoping
PERSON_BLOCK = 100
UNIT_BLOCK = 60
KEYWORD_TERMS = 5
KEYWORD_HITS = 200
SCORED = 60
# A small boost for the structure of a candidate, added to the text score for ranking.
BOOST = {"same_person": 0.15, "same_unit_category": 0.05, "same_region": 0.03}

# 老户: a petitioner with at least this many petitions spread over at least this many years
# (settings XINFANG_OLD_HAND_MIN_PETITIONS / XINFANG_OLD_HAND_MIN_YEARS).
OLD_HAND_MIN_PETITIONS = 5
OLD_HAND_MIN_YEARS = 2


# --- identity ------------------------------------------------------------------------------------


@dataclass
class PersonCandidate:
    petitioner: Petitioner
    score: float
    reasons: list[str] = field(default_factory=list)


def identity_scope(user: User) -> QuerySet[Petitioner]:
    """Petitioners the user may look up: those of visible cases whose identity is not hidden."""
    petitions = visible_petitions(user).exclude(identity_hidden_q(user))
    ids = PetitionPetitioner.objects.filter(petition__in=petitions).values("petitioner_id")
    return Petitioner.objects.filter(pk__in=ids)


def access_person(user: User, petitioner_id: int | str) -> Petitioner:
    """The only door to a person page: missing and not visible both raise ``PetitionNotFound``."""
    try:
        pk = int(petitioner_id)
    except (TypeError, ValueError):
        raise PetitionNotFound from None
    person = identity_scope(user).filter(pk=pk).first()
    if person is None:
        raise PetitionNotFound
    return person


def identity_candidates(
    user: User, *, name: str, id_number: str = "", phone: str = "", address: str = "", limit: int = 10
) -> list[PersonCandidate]:
    """Records that may be this person: exactly by 身份证号; otherwise by name and phone, or name and
    address, with a pinyin-aware name comparison. Each candidate says why."""
    scope = identity_scope(user)
    found: dict[int, PersonCandidate] = {}

    def add(person: Petitioner, score: float, reason: str) -> None:
        cand = found.setdefault(person.pk, PersonCandidate(person, 0.0))
        cand.score = max(cand.score, score)
        if reason not in cand.reasons:
            cand.reasons.append(reason)

    if id_number:
        for person in scope.filter(id_number=id_number)[:limit]:
            add(person, 1.0, _("same ID card number"))
            if name and names.name_match(name, person.name)[0] < 1.0:
                add(person, 1.0, _("same ID card number under another name: check"))
    key = names.phone_key(phone)
    if name and key:
        for person in scope.filter(phone__endswith=key[-8:])[:200]:
            if names.phone_key(person.phone) != key:
                continue
            score, why = names.name_match(name, person.name)
            if score:
                add(person, 0.6 + 0.35 * score, _("same phone number") + "; " + _name_reason(why))
    if name and address:
        keys = names.address_keys(address)
        surname = normalize(name)[:1]
        if keys:
            q = Q(address__contains=keys[0]) & (Q(name=name) | Q(name__startswith=surname))
            for person in scope.filter(q)[:500]:
                score, why = names.name_match(name, person.name)
                place = names.address_similarity(address, person.address)
                if score and place >= 0.3:
                    add(
                        person,
                        0.4 + 0.3 * score + 0.25 * place,
                        _name_reason(why) + "; " + _("similar address"),
                    )
    if name and not found:
        for person in scope.filter(name=name)[:limit]:
            add(person, 0.3, _("same name only"))
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.petitioner.pk))
    return ranked[:limit]


def _name_reason(code: str) -> str:
    return {
        "same_name": _("same name"),
        "same_pronunciation": _("name with the same pronunciation"),
        "one_char_differs": _("name differs by one character"),
        "similar_pronunciation": _("name with a similar pronunciation"),
    }.get(code, _("similar name"))


def person_petitions(user: User, person: Petitioner) -> QuerySet[Petition]:
    """Every petition of this person the user may see, across channels, levels and units."""
    mine = PetitionPetitioner.objects.filter(petitioner=person).values("petition_id")
    return (
        visible_petitions(user)
        .filter(pk__in=mine)
        .exclude(identity_hidden_q(user))
        .select_related("registering_unit", "handling_unit", "category__parent")
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class OldHand:
    is_old_hand: bool
    petitions: int
    years: int
    first: date | None
    last: date | None


def old_hand(petitions: Iterable[Petition]) -> OldHand:
    """老户: at least N petitions over at least M years (settings, with the defaults above)."""
    return old_hand_of(p.received_at for p in petitions)


def old_hand_of(received: Iterable[date]) -> OldHand:
    """``old_hand`` from the received dates of a person's petitions."""
    dates = sorted(received)
    min_n = getattr(settings, "XINFANG_OLD_HAND_MIN_PETITIONS", OLD_HAND_MIN_PETITIONS)
    min_years = getattr(settings, "XINFANG_OLD_HAND_MIN_YEARS", OLD_HAND_MIN_YEARS)
    if not dates:
        return OldHand(False, 0, 0, None, None)
    span_years = (dates[-1] - dates[0]).days // 365
    return OldHand(
        len(dates) >= min_n and span_years >= min_years, len(dates), span_years, dates[0], dates[-1]
    )


def shared_id_names(person: Petitioner) -> list[str]:
    """Other names recorded under this person's 身份证号 (a flag for review)."""
    if not person.id_number:
        return []
    others = (
        Petitioner.objects.filter(id_number=person.id_number)
        .exclude(name=person.name)
        .values_list("name", flat=True)
        .distinct()
    )
    return sorted(others)


def open_reviews() -> QuerySet[IdentityReview]:
    return IdentityReview.objects.filter(status=ReviewStatus.OPEN)


def merges_of(person: Petitioner) -> QuerySet[PetitionerMerge]:
    return PetitionerMerge.objects.filter(Q(source=person) | Q(target=person)).select_related(
        "source", "target", "merged_by", "undone_by"
    )


# --- matters -------------------------------------------------------------------------------------


@dataclass
class Candidate:
    id: int
    score: float
    reasons: list[str]
    case_number: str = ""
    text_score: float = 0.0
    same_person: bool = False
    likely: bool = False
    row: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Query:
    """What a petition (or the intake form) tells about its matter."""

    text: str
    petitioner_ids: Sequence[int] = ()
    id_numbers: Sequence[str] = ()
    complained_unit: int | None = None
    category: int | None = None
    region: str = ""


def query_for(petition: Petition) -> Query:
    links = list(petition.links.select_related("petitioner"))
    return Query(
        text=f"{petition.title}\n{petition.content}",
        petitioner_ids=[link.petitioner_id for link in links],
        id_numbers=[link.petitioner.id_number for link in links if link.petitioner.id_number],
        complained_unit=petition.complained_unit_id,
        category=petition.category_id,
        region=petition.region_code,
    )


def _keyword_ids(terms: list[str]) -> dict[str, list[int]]:
    """For each word, up to KEYWORD_HITS petitions whose keyword index holds it (newest first on
    SQLite; on PostgreSQL the GIN index returns them in table order)."""
    hits: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        for term in terms:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT id FROM petitions_petition WHERE to_tsvector('simple', search_text) @@ "
                    "plainto_tsquery('simple', %s) LIMIT %s",
                    [term, KEYWORD_HITS],
                )
            else:
                cursor.execute(
                    "SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                    ['"' + term.replace('"', "") + '"', KEYWORD_HITS],
                )
            hits[term] = [row[0] for row in cursor.fetchall()]
    return hits


def _rare_terms(words: Iterable[str], w: weights.Weights) -> list[str]:
    """The rarest words of the text (by the counted frequencies; words never counted first)."""
    unique = {
        word for word in words if len(word) >= (4 if similarity.is_number(word) else 2) and len(word) <= 64
    }
    return sorted(unique, key=lambda word: (w.df(word), -len(word), word))[:KEYWORD_TERMS]


def similar_petitions(
    user: User,
    *,
    text: str,
    petitioner_ids: Sequence[int] = (),
    id_numbers: Sequence[str] = (),
    complained_unit: int | None = None,
    category: int | None = None,
    region: str = "",
    exclude_id: int | None = None,
    limit: int = 10,
    keywords: bool = True,
) -> list[Candidate]:
    """Earlier petitions that may be the same matter, best first, each with its reasons.

    Blocking first (the same person; the same 被反映单位 and category; the petitions sharing the
    text's rarest words in the keyword index), then the text score (``similarity``) within the
    block. Read from the database, so a petition registered a moment ago is found."""
    scope: list[QuerySet[Petition]] = []

    def visible() -> QuerySet[Petition]:  # the scope costs a query: asked only when a block needs it
        if not scope:
            qs = visible_petitions(user)
            scope.append(qs.exclude(pk=exclude_id) if exclude_id is not None else qs)
        return scope[0]

    normalized = similarity.match_text("", text)
    informative = similarity.is_informative(normalized)

    # 1. the same person (identity lookups leave out hidden accusations)
    person_ids: set[int] = set()
    if petitioner_ids or id_numbers:
        # Each step an index lookup: the petitioner records (by id, by 身份证号), their links, then
        # the cases. As one query with an OR and a subquery, PostgreSQL walks a global index and
        # filters (1.5–2 s per registration at 1M).
        people = set(petitioner_ids)
        numbers = [n for n in id_numbers if n]
        if numbers:
            people.update(Petitioner.objects.filter(id_number__in=numbers).values_list("pk", flat=True))
        linked = list(
            PetitionPetitioner.objects.filter(petitioner_id__in=people).values_list("petition_id", flat=True)[
                :PERSON_LINKS
            ]
        )
        person_ids = (
            set(
                visible()
                .filter(pk__in=linked)
                .exclude(identity_hidden_q(user))
                .order_by(Coalesce("received_at", "received_at").desc(), "-id")
                .values_list("pk", flat=True)[:PERSON_BLOCK]
            )
            if linked
            else set()
        )
    # 2. the same 被反映单位 and category
    unit_ids: set[int] = set()
    if complained_unit and category:
        unit_ids = set(
            visible()
            .filter(complained_unit_id=complained_unit, category_id=category)
            .order_by("-received_at", "-id")
            .values_list("pk", flat=True)[:UNIT_BLOCK]
        )
    if not (person_ids or unit_ids or (keywords and informative)):
        return []  # nothing to compare with: the text is not even cut into words
    query_words = similarity.words_of(normalized) if informative else []
    w = weights.current()
    table = w.table
    query_feats = similarity.features(normalized, query_words) if informative else frozenset()
    query_specifics = similarity.specifics(query_words)
    query_total = table.total(query_feats)
    # 3. the rarest words of the text, through the keyword index
    keyword_score: dict[int, float] = defaultdict(float)
    if query_words and keywords:
        for term, ids in _keyword_ids(_rare_terms(query_words, w)).items():
            for pk in ids:
                keyword_score[pk] += table.weight(term)
    ranked_keyword = sorted(keyword_score, key=lambda pk: -keyword_score[pk])
    wanted = list(person_ids | unit_ids) + [pk for pk in ranked_keyword if pk not in person_ids][:SCORED]
    if exclude_id is not None:
        wanted = [pk for pk in wanted if pk != exclude_id]
    if not wanted:
        return []
    rows = (
        visible()
        .filter(pk__in=wanted)
        .annotate(head=Left("content", similarity.MAX_MATCH_CHARS))
        .values(
            "pk",
            "case_number",
            "title",
            "head",
            "search_text",
            "complained_unit_id",
            "category_id",
            "region_code",
            "channel",
            "received_at",
            "status",
            "registering_unit_id",
            "handling_unit_id",
            "request_class",
        )
    )
    out: list[Candidate] = []
    for row in rows:
        text_score = 0.0
        shared: frozenset[str] = frozenset()
        if query_feats:
            cand_text = similarity.match_text(row["title"], row["head"] or "")
            cand_words = to_simplified(row["search_text"]).split()
            cand_feats = similarity.features(cand_text, cand_words)
            text_score = similarity.cosine(query_feats, cand_feats, table, total_a=query_total)
            cand_specifics = similarity.specifics(cand_words)
            if similarity.specifics_match(text_score, query_specifics, cand_specifics):
                shared = query_specifics & cand_specifics
        reasons: list[str] = []
        score = text_score
        same_person = row["pk"] in person_ids
        if text_score >= MIN_SCORE:
            reasons.append(_("similar text (%(percent)d%%)") % {"percent": round(text_score * 100)})
        if shared:
            reasons.append(
                _("the same places, bodies or numbers: %(items)s") % {"items": "、".join(sorted(shared)[:4])}
            )
        if same_person:
            reasons.append(_("same petitioner"))
            score += BOOST["same_person"]
        if row["pk"] in unit_ids:
            reasons.append(_("same unit complained about and category"))
            score += BOOST["same_unit_category"]
        elif category and row["category_id"] == category:
            reasons.append(_("same category"))
        if region and row["region_code"] and row["region_code"] == region:
            reasons.append(_("same place"))
            score += BOOST["same_region"]
        if text_score < MIN_SCORE and not same_person:
            continue
        likely = (
            text_score >= SAME_MATTER_THRESHOLD
            or (same_person and text_score >= SAME_PERSON_THRESHOLD)
            or bool(shared)
        )
        out.append(
            Candidate(
                id=row["pk"],
                score=round(min(score, 1.0), 4),
                reasons=reasons,
                case_number=row["case_number"],
                text_score=round(text_score, 4),
                same_person=same_person,
                likely=likely,
                row=row,
            )
        )
    out.sort(key=lambda c: (-c.score, -c.text_score, -c.id))
    return out[:limit]


def similar_to(user: User, petition: Petition, *, limit: int = 10, keywords: bool = True) -> list[Candidate]:
    """``similar_petitions`` for a stored petition (the case page and the API). ``keywords=False``
    compares only within the person's and the unit's blocks (registration's rules, below)."""
    q = query_for(petition)
    # 条例第三十条、第四十六条: a user hidden from an accusation's petitioners must not learn from the
    # list that any case shares them, so the person block is left out for that user.
    known = identity_visible(user, petition)
    return similar_petitions(
        user,
        text=q.text,
        petitioner_ids=q.petitioner_ids if known else (),
        id_numbers=q.id_numbers if known else (),
        complained_unit=q.complained_unit,
        category=q.category,
        region=q.region,
        exclude_id=petition.pk,
        limit=limit,
        keywords=keywords,
    )

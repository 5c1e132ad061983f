"""Writers of detection. Each is keyword-only and atomic and writes an ``AuditLog`` entry (and a
``MatterDecision`` for links) in the same transaction."""

from __future__ import annotations

import random
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record
from xinfang.cases.access import access_petition
from xinfang.detection import rules, similarity, weights
from xinfang.detection.models import (
    IdentityReview,
    LinkKind,
    MatterDecision,
    PetitionerMerge,
    ReviewStatus,
    StatsBuild,
    TermStat,
)
from xinfang.detection.selectors import Candidate, similar_petitions
from xinfang.errors import ActionRefused
from xinfang.lib.textnorm import to_simplified
from xinfang.orgs.models import User
from xinfang.petitions.intake import PetitionInput
from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner

# How many stored petitions the term frequencies are counted over (a random sample beyond that).
STATS_SAMPLE = 50_000
MAX_TERM_CHARS = 64


def _refuse(message: str, field_name: str | None = None, code: str = "refused") -> ActionRefused:
    return ActionRefused(message, {field_name: message} if field_name else None, code=code)


# --- identity ------------------------------------------------------------------------------------


@transaction.atomic
def petitioner_merge(
    *, source: Petitioner, target: Petitioner, actor: User, reason: str = ""
) -> PetitionerMerge:
    """Merge ``source`` into ``target``: every petition of ``source`` now names ``target``. The merge
    record keeps which links moved, so that ``petitioner_merge_undo`` restores them."""
    if not actor.can_register:
        raise _refuse(_("Only registration staff may merge petitioner records."), code="forbidden")
    if source.pk == target.pk:
        raise _refuse(_("Choose two different records to merge."), "target")
    if PetitionerMerge.objects.filter(source=target, undone_at__isnull=True).exists():
        raise _refuse(_("The record to keep was itself merged into another; merge into that one."), "target")
    shared = PetitionPetitioner.objects.filter(petitioner=target).values("petition_id")
    if PetitionPetitioner.objects.filter(petitioner=source, petition_id__in=shared).exists():
        raise _refuse(
            _("Both records sign the same petition, so they are two people; they cannot be merged."), "target"
        )
    links = list(PetitionPetitioner.objects.filter(petitioner=source).values_list("pk", flat=True))
    PetitionPetitioner.objects.filter(pk__in=links).update(petitioner=target)
    merge = PetitionerMerge.objects.create(
        source=source, target=target, moved_links=links, reason=reason.strip(), merged_by=actor
    )
    audit_record(
        actor=actor,
        action="petitioner.merge",
        obj=merge,
        detail={"source": source.pk, "target": target.pk, "links": links},
    )
    return merge


@transaction.atomic
def petitioner_merge_undo(*, merge: PetitionerMerge, actor: User) -> PetitionerMerge:
    if not actor.can_register:
        raise _refuse(_("Only registration staff may merge petitioner records."), code="forbidden")
    merge = PetitionerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise _refuse(_("This merge was already undone."), code="already_undone")
    moved = PetitionPetitioner.objects.filter(pk__in=merge.moved_links)
    if moved.exclude(petitioner_id=merge.target_id).exists():
        raise _refuse(_("Some of the moved petitions were merged again since; undo that merge first."))
    moved.update(petitioner_id=merge.source_id)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor,
        action="petitioner.merge_undo",
        obj=merge,
        detail={"source": merge.source_id, "target": merge.target_id, "links": merge.moved_links},
    )
    return merge


def identity_check(*, id_number: str) -> IdentityReview | None:
    """Flag a 身份证号 recorded under two or more different names for review (once while open)."""
    if not id_number:
        return None
    people = list(Petitioner.objects.filter(id_number=id_number).values_list("pk", "name"))
    names = sorted({name.strip() for _pk, name in people})
    if len(names) < 2:
        return None
    with transaction.atomic():
        review = (
            IdentityReview.objects.select_for_update()
            .filter(id_number=id_number, status=ReviewStatus.OPEN)
            .first()
        )
        if review is None:
            review = IdentityReview.objects.create(
                id_number=id_number, names=names, petitioners=[pk for pk, _name in people]
            )
        elif review.names != names:
            review.names, review.petitioners = names, [pk for pk, _name in people]
            review.save(update_fields=["names", "petitioners"])
    return review


@transaction.atomic
def identity_review_resolve(*, review: IdentityReview, actor: User, note: str) -> IdentityReview:
    note = note.strip()
    if not note:
        raise _refuse(_("Note: say what was found."), "note")
    if review.status != ReviewStatus.OPEN:
        raise _refuse(_("This review is already resolved."), code="already_resolved")
    review.status, review.resolved_by, review.resolved_at, review.note = (
        ReviewStatus.RESOLVED,
        actor,
        timezone.now(),
        note,
    )
    review.save(update_fields=["status", "resolved_by", "resolved_at", "note"])
    audit_record(actor=actor, action="identity.review_resolve", obj=review, detail={"note": note})
    return review


# --- matters -------------------------------------------------------------------------------------


def _root(petition: Petition) -> Petition:
    """The first petition of a matter: follow ``repeat_of`` / ``parallel_of`` to the start."""
    seen = {petition.pk}
    current = petition
    while True:
        nxt = current.repeat_of_id or current.parallel_of_id
        if not nxt or nxt in seen:
            return current
        seen.add(nxt)
        current = Petition.objects.get(pk=nxt)


@transaction.atomic
def matter_link(
    *,
    petition: Petition,
    actor: User | None,
    kind: str,
    target: Petition | None = None,
    score: float | None = None,
    reasons: list[str] | None = None,
    automatic: bool = False,
) -> MatterDecision:
    """Link a petition to the earlier matter it repeats (重信重访: ``is_repeat``, ``repeat_of``) or
    runs parallel to (信访并行: ``parallel_of``), or confirm it as a new matter (初信初访), which
    clears a repeat link set before. A chain is linked to its first petition."""
    if kind not in LinkKind.values:
        raise _refuse(_("Kind: choose repeat, parallel or new."), "kind")
    fields: dict[str, object]
    if kind == LinkKind.NEW:
        target = None
        fields = {"is_repeat": False, "repeat_of": None}
    else:
        if target is None:
            raise _refuse(_("Earlier matter: choose the petition this one repeats."), "target")
        root = _root(target)
        if petition.pk in (root.pk, target.pk):
            raise _refuse(_("Earlier matter: a petition cannot be linked to itself."), "target")
        target = root
        fields = {"is_repeat": True, "repeat_of": root} if kind == LinkKind.REPEAT else {"parallel_of": root}
    for name, value in fields.items():
        setattr(petition, name, value)
    petition.save(update_fields=list(fields))
    decision = MatterDecision.objects.create(
        petition=petition,
        kind=kind,
        target=target,
        score=score,
        reasons=reasons or [],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        automatic=automatic,
    )
    audit_record(
        actor=actor,
        action=f"matter.{kind}",
        obj=petition,
        petition=petition,
        detail={"target": target.pk if target else None, "score": score, "automatic": automatic},
    )
    return decision


def matter_link_by_id(*, actor: User, petition_id: int, kind: str, target_id: int | None) -> MatterDecision:
    """``matter_link`` for the API and the forms: both petitions are reached through access rules;
    only registration staff decide."""
    if not actor.can_register:
        raise ActionRefused(_("Only registration staff may link petitions."), code="forbidden")
    petition = access_petition(actor, petition_id, write=True)
    target = access_petition(actor, target_id) if target_id is not None and kind != LinkKind.NEW else None
    return matter_link(petition=petition, actor=actor, kind=kind, target=target)


@transaction.atomic(savepoint=False)  # inside a registration: no savepoint of its own
def mark_skip_level(*, petition: Petition, actor: User | None) -> bool:
    """Apply ``rules.rule_skip_level``: set ``is_skip_level`` (越级访) when the rule says so."""
    skip = rules.rule_skip_level(petition)
    if skip != petition.is_skip_level:
        petition.is_skip_level = skip
        petition.save(update_fields=["is_skip_level"])
        audit_record(
            actor=actor,
            action="matter.skip_level",
            obj=petition,
            petition=petition,
            detail={"skip_level": skip},
        )
    return skip


@dataclass
class Detection:
    """What ``on_registered`` found and did."""

    skip_level: bool = False
    parallel_of: int | None = None
    reviews: list[IdentityReview] = field(default_factory=list)
    proposals: list[rules.RefusalProposal] = field(default_factory=list)


def registration_candidates(*, data: PetitionInput, actor: User) -> list[Candidate]:
    """The earlier petitions registration's rules compare with (``on_registered``), read from the
    input *before* the registration's write transaction, so that its reads do not hold SQLite's one
    writer (or PostgreSQL's row locks) while they run. The result is what ``similar_to`` finds after
    the insert: a petition being registered has no links yet, its petitioners are either new (no
    earlier petitions) or found again by their 身份证号, and it cannot find itself. As with two
    registrations in flight on PostgreSQL, one committed between this read and the insert is not
    compared: the keyword panels of the case page still show it."""
    return similar_petitions(
        actor,
        text=f"{data.title}\n{data.content}",
        id_numbers=[item.id_number for item in data.petitioners if item.id_number],
        complained_unit=data.complained_unit.pk if data.complained_unit is not None else None,
        category=data.category.pk,
        region=data.region_code,
        limit=rules.SAME_MATTER_LIMIT,
        keywords=False,
    )


def on_registered(
    *,
    petition: Petition,
    actor: User,
    candidates: list[Candidate] | None = None,
    id_numbers: list[str] | None = None,
) -> Detection:
    """Run after a registration: flag shared 身份证号, mark 越级, link an obvious 信访并行, and
    propose 不予受理 / 不再受理 for the clerk to confirm. ``candidates`` and ``id_numbers`` (its
    petitioners' 身份证号) come from ``registration_candidates`` and the input when the petition was
    registered in this transaction; without them they are read from the database."""
    found = Detection()
    if id_numbers is None:
        id_numbers = list(
            petition.links.exclude(petitioner__id_number="").values_list("petitioner__id_number", flat=True)
        )
    for number in dict.fromkeys(id_numbers):
        review = identity_check(id_number=number)
        if review is not None:
            found.reviews.append(review)
    found.skip_level = mark_skip_level(petition=petition, actor=actor)
    # The rules below concern the same person's (or the same unit's) earlier matters: 信访并行,
    # 第十九条第三款 and 第三十六条. Registration therefore compares within those blocks only, which
    # costs a few index lookups; the keyword search over every stored petition (tens of ms at 1M)
    # is for the panels the clerk reads, before saving and on the case page.
    earlier = rules.same_matter(
        petition, user=actor, keywords=False, candidates=candidates, fresh=candidates is not None
    )
    parallel = rules.rule_parallel(petition, user=actor, earlier=earlier)
    if parallel is not None:
        cand = parallel.candidate
        matter_link(
            petition=petition,
            actor=actor,
            kind=LinkKind.PARALLEL,
            target=parallel.petition,
            score=cand.text_score if cand else None,
            reasons=cand.reasons if cand else [],
            automatic=True,
        )
        found.parallel_of = petition.parallel_of_id
    found.proposals = rules.refusal_proposals(petition, user=actor, earlier=earlier)
    return found


# --- the term frequencies ------------------------------------------------------------------------


@dataclass
class StatsResult:
    build: StatsBuild
    peak_bytes: int


def stats_rebuild(*, sample: int = STATS_SAMPLE, seed: int = 0, min_df: int = 2) -> StatsResult:
    """Count in how many petitions each word and bigram occurs, over all stored petitions or a random
    sample of ``sample`` of them, and replace the table. Terms seen fewer than ``min_df`` times are
    not stored (an unknown term weighs as the rarest)."""
    started = time.perf_counter()
    tracemalloc.start()
    try:
        total = Petition.objects.count()
        ids = list(Petition.objects.values_list("pk", flat=True))
        if len(ids) > sample:
            ids = random.Random(seed).sample(ids, sample)  # noqa: S311 - sampling, not secrets
        counts: Counter[str] = Counter()
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            rows = Petition.objects.filter(pk__in=chunk).values_list("title", "content", "search_text")
            for title, content, search_text in rows:
                text = similarity.match_text(title, content)
                feats = similarity.features(text, to_simplified(search_text).split())
                counts.update(f for f in feats if len(f) <= MAX_TERM_CHARS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with transaction.atomic():
        TermStat.objects.all().delete()
        batch = [TermStat(term=t, df=n) for t, n in counts.items() if n >= min_df]
        TermStat.objects.bulk_create(batch, batch_size=5000)
        build = StatsBuild.objects.create(
            docs=len(ids), total=total, terms=len(batch), seconds=round(time.perf_counter() - started, 3)
        )
    weights.forget()
    return StatsResult(build=build, peak_bytes=peak)


def stats_outdated(*, factor: float = 1.5) -> bool:
    """True when no build exists or the stored petitions grew by ``factor`` since the last one."""
    build = StatsBuild.objects.order_by("-built_at", "-id").first()
    if build is None:
        return Petition.objects.exists()
    return Petition.objects.count() > max(build.total, 1) * factor


__all__ = [
    "Detection",
    "identity_check",
    "identity_review_resolve",
    "mark_skip_level",
    "matter_link",
    "matter_link_by_id",
    "on_registered",
    "petitioner_merge",
    "petitioner_merge_undo",
    "stats_rebuild",
]

"""Registration (登记) of every channel: the petition record, its first case event and deadline,
and what detection finds, in one transaction (条例第十九条)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.audit.services import audit_record
from xinfang.detection.selectors import Candidate
from xinfang.detection.services import Detection, on_registered, registration_candidates
from xinfang.lib.text import index_tokens
from xinfang.lib.uploads import stored_name
from xinfang.orgs.models import User
from xinfang.petitions.intake import DuplicateSubmission, PetitionerInput, PetitionInput, RepeatedContent
from xinfang.petitions.models import Attachment, Channel, Petition, Petitioner, PetitionPetitioner
from xinfang.petitions.services import next_case_number
from xinfang.petitions.states import OPEN_STATES, next_status
from xinfang.workflow.services import DECISION_DAYS, due, record_registration


def _petitioner_for(item: PetitionerInput) -> Petitioner:
    """Reuse the person already on record with the same 身份证号 and name; otherwise a new record.
    Different names under one number stay separate records (issue 4 flags them for review)."""
    if item.id_number:
        existing = Petitioner.objects.filter(id_number=item.id_number, name=item.name).order_by("pk").first()
        if existing is not None:
            changed = [
                f
                for f in ("phone", "address", "region_code")
                if getattr(item, f) and not getattr(existing, f)
            ]
            for f in changed:
                setattr(existing, f, getattr(item, f))
            if changed:
                existing.save(update_fields=changed)
            return existing
    return Petitioner.objects.create(
        name=item.name,
        id_number=item.id_number,
        phone=item.phone,
        address=item.address,
        region_code=item.region_code,
    )


def petition_register(*, data: PetitionInput, actor: User, submission_key: str | None = None) -> Petition:
    """登记 (条例第十九条): record one item of any channel with its case number and first deadline.

    All or nothing: the petition, its petitioners, attachments, the case event, the audit entry and
    what detection finds (``detection.services.on_registered``: a shared 身份证号 flagged, 越级
    marked, 信访并行 linked, 第十九条第三款 / 第三十六条 refusals proposed) are written in one
    transaction. The outcome is on ``petition.detection`` for the caller to show. A repeated
    ``submission_key`` raises DuplicateSubmission."""
    if submission_key:
        earlier = (
            Petition.objects.filter(submission_key=submission_key).values_list("pk", "case_number").first()
        )
        if earlier:
            raise DuplicateSubmission(earlier[1], earlier[0])
    if not data.confirmed_new:
        _refuse_repeated_content(data, actor)
    # What only reads runs before the write transaction, so that SQLite's one writer (or a
    # PostgreSQL transaction) is held for the writes alone: the keyword-index words (jieba), the
    # first deadline, and detection's search for earlier petitions of the same person or unit.
    derived = _Derived(
        search_text=index_tokens(data.title, data.content),
        due_at=due(data.received_at, DECISION_DAYS),
        candidates=registration_candidates(data=data, actor=actor),
    )
    try:
        with transaction.atomic():
            petition = _create(data=data, actor=actor, submission_key=submission_key or None, derived=derived)
            petition.detection = _detect(petition=petition, actor=actor, data=data, derived=derived)
    except IntegrityError:
        earlier = (
            Petition.objects.filter(submission_key=submission_key).values_list("pk", "case_number").first()
        )
        if submission_key and earlier:
            raise DuplicateSubmission(earlier[1], earlier[0]) from None
        raise
    return petition


REPEAT_WINDOW = timedelta(minutes=10)


def _refuse_repeated_content(data: PetitionInput, actor: User) -> None:
    """The same registrar, the same text and the same petitioners within ``REPEAT_WINDOW``:
    RepeatedContent (409), unless ``data.confirmed_new``. Identical letters from different villagers
    (a circulated template) are separate items and pass. (A petitioner's real repeat is detection's
    business, not this.)"""
    earlier = list(
        Petition.objects.filter(
            created_by=actor, created_at__gte=timezone.now() - REPEAT_WINDOW, content=data.content
        ).values_list("pk", "case_number")[:10]
    )
    if not earlier:
        return
    names = sorted(p.name for p in data.petitioners)
    by_petition: dict[int, list[str]] = {pk: [] for pk, _ in earlier}
    for petition_id, name in PetitionPetitioner.objects.filter(petition_id__in=by_petition).values_list(
        "petition_id", "petitioner__name"
    ):
        by_petition[petition_id].append(name)
    for pk, case_number in earlier:
        if sorted(by_petition[pk]) == names:
            raise RepeatedContent(case_number, pk, int(REPEAT_WINDOW.total_seconds() // 60))


@dataclass(frozen=True)
class _Derived:
    """What a registration computes from its input before the write transaction."""

    search_text: str
    due_at: date
    candidates: list[Candidate]


def _detect(*, petition: Petition, actor: User, data: PetitionInput, derived: _Derived) -> Detection:
    return on_registered(
        petition=petition,
        actor=actor,
        candidates=derived.candidates,
        id_numbers=[item.id_number for item in data.petitioners if item.id_number],
    )


def _create(*, data: PetitionInput, actor: User, submission_key: str | None, derived: _Derived) -> Petition:
    status = next_status(None, "register")
    petition = Petition.objects.create(
        case_number=next_case_number(unit=data.unit, year=data.received_at.year),
        registering_unit=data.unit,
        channel=data.channel,
        received_at=data.received_at,
        persons=data.persons,
        visit_level=data.visit_level if data.channel == Channel.VISIT else "",
        is_collective=data.is_collective,
        is_joint=len(data.petitioners) > 1,
        is_oral=data.is_oral,
        category=data.category,
        request_class=data.request_class,
        complained_unit=data.complained_unit,
        complained_party=data.complained_party,
        region_code=data.region_code,
        address=data.address,
        title=data.title,
        content=data.content,
        search_text=derived.search_text,
        status=status,
        is_open=status in OPEN_STATES,
        due_at=derived.due_at,
        created_by=actor,
        submission_key=submission_key,
    )
    for position, item in enumerate(data.petitioners):
        PetitionPetitioner.objects.create(
            petition=petition,
            petitioner=_petitioner_for(item),
            is_representative=item.is_representative or data.channel == Channel.VISIT,
            position=position,
        )
    for upload in data.attachments:
        attachment = Attachment(
            petition=petition,
            original_name=stored_name(upload.name),
            content_type=upload.content_type,
            size=len(upload.stored),
            sha256=upload.sha256,
            stored_sha256=upload.stored_sha256,
            uploaded_by=actor,
        )
        # On disk under its hash: a file name (the petitioner's, in Chinese) can pass the
        # file system's 255 bytes, and says nothing to whoever lists the directory.
        suffix = Path(attachment.original_name).suffix.lower()[:10]
        attachment.file.save(f"{upload.stored_sha256[:24]}{suffix}", ContentFile(upload.stored), save=False)
        attachment.save()
    record_registration(petition=petition, actor=actor)
    audit_record(
        actor=actor,
        action="petition.create",
        obj=petition,
        petition=petition,
        detail={"case_number": petition.case_number, "channel": petition.channel},
    )
    return petition

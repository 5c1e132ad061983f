"""/api/v1/petitions: register (登记), list and read petitions.

Validation is ``petitions.intake.validate_registration`` and creation ``petition_register``; a single
case is reached only through ``access_petition`` and lists start from ``search_petitions`` (built on
``visible_petitions``). The input schema accepts any JSON value per field so that the Chinese
messages of the intake rules, not pydantic's, answer bad input; it exists to document the fields.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from xinfang.api.core import ERROR_RESPONSES, ApiError, ErrorOut
from xinfang.audit.services import audit_personal_data_view, client_ip
from xinfang.cases.access import access_petition, identity_visible, search_petitions
from xinfang.cases.exports import audit_identity_list
from xinfang.lib.idcard import mask, mask_phone
from xinfang.orgs.models import Unit, User
from xinfang.petitions.intake import validate_registration
from xinfang.petitions.models import (
    Attachment,
    Category,
    Channel,
    Petition,
    PetitionPetitioner,
    RequestClass,
    VisitLevel,
)
from xinfang.petitions.selectors import filter_petitions, list_related
from xinfang.workflow.registration import petition_register

router = Router(tags=["petitions"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_IDEMPOTENCY_KEY_CHARS = 200


def _doc(description: str, **schema: Any) -> Any:
    """A permissive field (any JSON value) documented with the type it should have."""
    return Field(None, description=description, json_schema_extra=schema)


class PetitionerIn(Schema):
    name: str = Field(description="姓名 (required)")
    id_number: str | None = Field(None, description="身份证号, 18 characters, checked (GB 11643)")
    phone: str | None = Field(None, description="phone, 7 to 20 digits")
    address: str | None = Field(None, description="address")
    region_code: str | None = Field(None, description="region code of the address")
    is_representative: bool | None = Field(None, description="代表 of a collective visit (at most 5)")


class PetitionIn(Schema):
    """A registration (登记). Every field is checked by the intake rules; errors name the field."""

    channel: Any = _doc("信访渠道", type="string", enum=list(Channel.values))
    received_at: Any = _doc("received date, YYYY-MM-DD, not in the future", type="string", format="date")
    persons: Any = _doc("人次, for visits (default 1; other channels count 1)", type="integer", minimum=1)
    visit_level: Any = _doc(
        "for visits: where the visit was made", type="string", enum=list(VisitLevel.values)
    )
    title: Any = _doc("title (default: start of the content)", type="string", maxLength=200)
    content: Any = _doc("content, verbatim for an oral petition (required)", type="string")
    category: Any = _doc("问题类别 code (required)", type="string")
    request_class: Any = _doc("请求类别", type="string", enum=list(RequestClass.values))
    unit: Any = _doc("code of the registering unit (default: the user's unit)", type="string")
    complained_unit: Any = _doc("code of the unit complained about", type="string")
    complained_party: Any = _doc("person complained about", type="string", maxLength=100)
    region_code: Any = _doc("region code of the matter", type="string", maxLength=12)
    address: Any = _doc("location of the matter", type="string", maxLength=200)
    is_oral: Any = _doc("oral petition recorded verbatim (条例第十九条)", type="boolean")
    confirmed_new: Any = _doc(
        "true: a new item although you registered the same content in the last 10 minutes (else 409)",
        type="boolean",
    )
    petitioners: Any = _doc(
        "信访人 (a visit needs at least one)", type="array", items=PetitionerIn.model_json_schema()
    )


class UnitOut(Schema):
    code: str
    name: str


class CategoryOut(Schema):
    code: str
    name: str
    full_name: str


class ProposalOut(Schema):
    ground: str = Field(description="accepted_below (第十九条第三款) | concluded (第三十六条)")
    article: str
    earlier_id: int
    earlier_case_number: str
    reason: str


class DetectionOut(Schema):
    """What detection found at registration (issue 4)."""

    is_skip_level: bool = Field(description="marked 越级访 (条例第二十条)")
    parallel_of: int | None = Field(description="linked 信访并行 to this earlier petition")
    identity_reviews: int = Field(description="身份证号 recorded under different names: reviews opened")
    proposals: list[ProposalOut] = Field(
        description="proposed 不予受理 / 不再受理; confirm on the case page or through the case API"
    )


class PetitionCreated(Schema):
    id: int
    case_number: str
    url: str
    status: str
    is_open: bool
    received_at: date
    due_at: date | None
    registering_unit: UnitOut
    title: str
    detection: DetectionOut


class PetitionerListItem(Schema):
    name: str
    id_number: str = Field(description="masked unless the user's role sees full identity in lists")
    phone: str = Field(description="masked unless the user's role sees full identity in lists")
    is_representative: bool


class PetitionListItem(Schema):
    id: int
    case_number: str
    url: str
    title: str
    channel: str
    request_class: str
    status: str
    is_open: bool
    received_at: date
    due_at: date | None
    persons: int
    is_collective: bool
    category: CategoryOut
    registering_unit: UnitOut
    handling_unit: UnitOut | None
    identity_protected: bool = Field(description="检举控告 whose accuser is hidden from this user")
    petitioners: list[PetitionerListItem]


class PetitionList(Schema):
    count: int
    limit: int
    offset: int
    next_offset: int | None
    results: list[PetitionListItem]


class PetitionerOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    address: str
    region_code: str
    is_representative: bool


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str  # of the file as received
    stored_sha256: str  # of the file served: differs for an image stored without its metadata
    uploaded_at: datetime


class PetitionDetail(Schema):
    id: int
    case_number: str
    url: str
    registering_unit: UnitOut
    handling_unit: UnitOut | None
    channel: str
    received_at: date
    persons: int
    visit_level: str
    is_collective: bool
    is_joint: bool
    is_oral: bool
    category: CategoryOut
    request_class: str
    complained_unit: UnitOut | None
    complained_party: str
    region_code: str
    address: str
    title: str
    content: str
    status: str
    is_open: bool
    due_at: date | None
    created_at: datetime
    created_by: str | None
    identity_protected: bool = Field(description="检举控告 whose accuser is hidden from this user")
    petitioners: list[PetitionerOut] = Field(
        description="empty when identity_protected; each read is audited"
    )
    attachments: list[AttachmentOut]


class PetitionFilters(Schema):
    limit: int = Field(DEFAULT_LIMIT, description=f"page size, at most {MAX_LIMIT}")
    offset: int = Field(0, description="results to skip")
    q: str = Field("", description="search: case number, 身份证号, phone, name or Chinese keywords")
    channel: str = ""
    request_class: str = ""
    visit_level: str = ""
    status: str = ""
    category: str = Field("", description="category code (a top-level code includes its children)")
    date_from: str = Field("", alias="from", description="received on or after, YYYY-MM-DD")
    to: str = Field("", description="received on or before, YYYY-MM-DD")
    unit: str = Field("", description="code of the registering or responsible unit")
    open: str = Field("", description="1: open cases only, 0: closed only")
    collective: str = Field("", description="1: collective visits only")
    overdue: str = Field("", description="1: open cases past their deadline only")


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth, not an HttpRequest field
    assert isinstance(user, User)
    return user


def _url(petition_id: int) -> str:
    return reverse("api-v1:petition_detail", kwargs={"petition_id": petition_id})


def _unit(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _category(category: Category) -> dict[str, str]:
    return {"code": category.code, "name": category.name, "full_name": str(category)}


def _submission_key(user: User, raw: str | None) -> str | None:
    """The Idempotency-Key header, scoped to the user so two clients' keys never meet."""
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS:
        message = _(
            "Idempotency-Key: give 1 to %(max)d characters, the same for every retry of one submission."
        ) % {"max": MAX_IDEMPOTENCY_KEY_CHARS}
        raise ApiError(422, "invalid", message, {"idempotency_key": message})
    return hashlib.sha256(f"api:{user.pk}:{key}".encode()).hexdigest()


@router.post(
    "/petitions",
    response={201: PetitionCreated, 409: ErrorOut, **ERROR_RESPONSES},
    url_name="petition_create",
    summary="Register a petition (登记)",
)
def petition_create(
    request: HttpRequest,
    payload: PetitionIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="repeat it on a retry: a second submission answers 409"
    ),
) -> Status[dict[str, Any]]:
    user = _user(request)
    if not user.can_register:
        raise ApiError(403, "forbidden", _("Your role may not register petitions."))
    submission_key = _submission_key(user, idempotency_key)
    data = validate_registration(payload.model_dump(), actor=user)
    petition = petition_register(data=data, actor=user, submission_key=submission_key)
    response["Location"] = _url(petition.pk)
    return Status(
        201,
        {
            "id": petition.pk,
            "case_number": petition.case_number,
            "url": _url(petition.pk),
            "status": petition.status,
            "is_open": petition.is_open,
            "received_at": petition.received_at,
            "due_at": petition.due_at,
            "registering_unit": _unit(petition.registering_unit),
            "title": petition.title,
            "detection": _detection(petition),
        },
    )


def _detection(petition: Petition) -> dict[str, Any]:
    found = petition.detection
    return {
        "is_skip_level": petition.is_skip_level,
        "parallel_of": petition.parallel_of_id,
        "identity_reviews": len(found.reviews) if found else 0,
        "proposals": [
            {
                "ground": p.ground,
                "article": p.article,
                "earlier_id": p.earlier_id,
                "earlier_case_number": p.earlier_case_number,
                "reason": p.reason,
            }
            for p in (found.proposals if found else [])
        ],
    }


def _list_item(petition: Petition, *, user: User, full_identity: bool) -> dict[str, Any]:
    protected = not identity_visible(user, petition)
    petitioners = (
        [] if protected else [_listed_petitioner(link, full_identity) for link in petition.links.all()]
    )
    return {
        "id": petition.pk,
        "case_number": petition.case_number,
        "url": _url(petition.pk),
        "title": petition.title,
        "channel": petition.channel,
        "request_class": petition.request_class,
        "status": petition.status,
        "is_open": petition.is_open,
        "received_at": petition.received_at,
        "due_at": petition.due_at,
        "persons": petition.persons,
        "is_collective": petition.is_collective,
        "category": _category(petition.category),
        "registering_unit": _unit(petition.registering_unit),
        "handling_unit": _unit(petition.handling_unit),
        "identity_protected": protected,
        "petitioners": petitioners,
    }


def _listed_petitioner(link: PetitionPetitioner, full_identity: bool) -> dict[str, Any]:
    person = link.petitioner
    return {
        "name": person.name,
        "id_number": person.id_number if full_identity else mask(person.id_number),
        "phone": person.phone if full_identity else mask_phone(person.phone),
        "is_representative": link.is_representative,
    }


@router.get(
    "/petitions",
    response={200: PetitionList, **ERROR_RESPONSES},
    url_name="petition_list",
    summary="List petitions, newest first",
)
def petition_list(request: HttpRequest, filters: Query[PetitionFilters]) -> dict[str, Any]:
    user = _user(request)
    params = filters.model_dump(by_alias=True, exclude={"limit", "offset", "q"})
    qs = filter_petitions(search_petitions(user, filters.q), params).order_by("-received_at", "-id")
    limit = min(max(filters.limit, 1), MAX_LIMIT)
    offset = max(filters.offset, 0)
    count = qs.count()
    page = list_related(qs)[offset : offset + limit]
    full_identity = user.sees_full_identity_in_lists
    results = [_list_item(p, user=user, full_identity=full_identity) for p in page]
    shown = [item["case_number"] for item in results if item["petitioners"]]
    audit_identity_list(user=user, case_numbers=shown, via="api.petition_list", ip=client_ip(request))
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if offset + limit < count else None,
        "results": results,
    }


def _petitioner(link: PetitionPetitioner) -> dict[str, Any]:
    person = link.petitioner
    return {
        "id": person.pk,
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "address": person.address,
        "region_code": person.region_code,
        "is_representative": link.is_representative,
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "stored_sha256": attachment.stored_sha256 or attachment.sha256,
        "uploaded_at": timezone.localtime(attachment.uploaded_at),
    }


@router.get(
    "/petitions/{int:petition_id}",
    response={200: PetitionDetail, **ERROR_RESPONSES},
    url_name="petition_detail",
    summary="One petition with its petitioners (each read of personal data is audited)",
)
def petition_detail(request: HttpRequest, petition_id: int) -> dict[str, Any]:
    user = _user(request)
    petition = access_petition(user, petition_id)
    protected = not identity_visible(user, petition)
    links = [] if protected else list(petition.links.select_related("petitioner"))
    body = {
        "id": petition.pk,
        "case_number": petition.case_number,
        "url": _url(petition.pk),
        "registering_unit": _unit(petition.registering_unit),
        "handling_unit": _unit(petition.handling_unit),
        "channel": petition.channel,
        "received_at": petition.received_at,
        "persons": petition.persons,
        "visit_level": petition.visit_level,
        "is_collective": petition.is_collective,
        "is_joint": petition.is_joint,
        "is_oral": petition.is_oral,
        "category": _category(petition.category),
        "request_class": petition.request_class,
        "complained_unit": _unit(petition.complained_unit),
        "complained_party": petition.complained_party,
        "region_code": petition.region_code,
        "address": petition.address,
        "title": petition.title,
        "content": petition.content,
        "status": petition.status,
        "is_open": petition.is_open,
        "due_at": petition.due_at,
        "created_at": timezone.localtime(petition.created_at),
        "created_by": str(petition.created_by) if petition.created_by else None,
        "identity_protected": protected,
        "petitioners": [_petitioner(link) for link in links],
        # 条例第三十条: attachment names and hashes can give the accuser away, as the page hides them.
        "attachments": [] if protected else [_attachment(a) for a in petition.attachments.order_by("pk")],
    }
    if links:
        audit_personal_data_view(
            actor=user,
            petition=petition,
            petitioner_ids=[link.petitioner_id for link in links],
            ip=client_ip(request),
            channel="api",
        )
    return body

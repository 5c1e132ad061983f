"""JSON endpoints of this app, mounted under /api/v1 by xinfang.api.urls.

- ``GET /petitions/{id}/similar``: the likely earlier matters, ranked, each with its reasons.
- ``POST /petitions/{id}/link``: link as a repeat or parallel petition, or confirm as new.

The petition is reached only through ``access_petition``; candidates come only from
``visible_petitions``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from xinfang.api.core import ERROR_RESPONSES, ApiError
from xinfang.cases.access import access_petition
from xinfang.detection import selectors, services
from xinfang.detection.models import LinkKind
from xinfang.errors import ActionRefused
from xinfang.orgs.models import User

router = Router(tags=["detection"])
MAX_LIMIT = 50


class CandidateOut(Schema):
    id: int
    case_number: str
    score: float = Field(description="ranking score: text similarity plus small boosts, 0–1")
    text_score: float = Field(description="text similarity alone, 0–1")
    likely: bool = Field(description="likely the same matter (the chosen threshold)")
    same_person: bool
    reasons: list[str]


class SimilarOut(Schema):
    petition: int
    threshold: float
    candidates: list[CandidateOut]


class LinkIn(Schema):
    kind: str = Field(
        "", description="repeat | parallel | new", json_schema_extra={"enum": [*LinkKind.values]}
    )
    target: int | None = Field(None, description="id of the earlier petition (for repeat and parallel)")


class LinkOut(Schema):
    petition: int
    kind: str
    target: int | None
    is_repeat: bool
    repeat_of: int | None
    parallel_of: int | None


class LimitIn(Schema):
    limit: int = Field(10, ge=1, le=MAX_LIMIT)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # the router's auth: an authenticated User


@router.get("/petitions/{petition_id}/similar", response={200: SimilarOut, **ERROR_RESPONSES})
def similar(request: HttpRequest, petition_id: int, params: Query[LimitIn]) -> dict[str, Any]:
    user = _user(request)
    petition = access_petition(user, petition_id)
    found = selectors.similar_to(user, petition, limit=params.limit)
    return {
        "petition": petition.pk,
        "threshold": selectors.SAME_MATTER_THRESHOLD,
        "candidates": [
            {
                "id": c.id,
                "case_number": c.case_number,
                "score": c.score,
                "text_score": c.text_score,
                "likely": c.likely,
                "same_person": c.same_person,
                "reasons": c.reasons,
            }
            for c in found
        ],
    }


@router.post("/petitions/{petition_id}/link", response={200: LinkOut, **ERROR_RESPONSES})
def link(request: HttpRequest, petition_id: int, payload: LinkIn) -> dict[str, Any]:
    user = _user(request)
    kind = payload.kind
    if kind not in LinkKind.values:
        msg = _("Kind: choose repeat, parallel or new.")
        raise ApiError(422, "invalid", msg, {"kind": msg})
    target_id: int | None = None
    if kind != LinkKind.NEW:
        if payload.target is None:
            msg = _("Earlier matter: give the id of the earlier petition.")
            raise ApiError(422, "invalid", msg, {"target": msg})
        target_id = payload.target
    try:
        decision = services.matter_link_by_id(
            actor=user, petition_id=petition_id, kind=kind, target_id=target_id
        )
    except ActionRefused as exc:
        status = 403 if exc.code == "forbidden" else exc.status_code
        raise ApiError(status, exc.code, exc.message, exc.fields) from None
    petition = decision.petition
    return {
        "petition": petition.pk,
        "kind": decision.kind,
        "target": decision.target_id,
        "is_repeat": petition.is_repeat,
        "repeat_of": petition.repeat_of_id,
        "parallel_of": petition.parallel_of_id,
    }

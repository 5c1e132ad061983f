"""/api/v1/cases: the case state and one endpoint per lifecycle action (``POST /cases/{id}/<action>``).

Each endpoint reaches the case through ``cases.access.access_petition`` and calls exactly one
service of ``workflow.services``; a refused guard answers 422 (409 for a conflict, 403 for the wrong
unit) in the one error shape, with the field at fault named.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xinfang.api.core import ERROR_RESPONSES, ApiError, api, error_response
from xinfang.cases import selectors
from xinfang.cases.access import access_petition
from xinfang.cases.models import Notice, Supervision
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import unit_by_code
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status, actions_from
from xinfang.workflow import services as cs
from xinfang.workflow.calendar import unknown_year_warning
from xinfang.workflow.deadlines import deadline_alert
from xinfang.workflow.notices import case_supervision_notices_issue, notice_response

router = Router(tags=["cases"])
RESPONSES: dict[int, Any] = {200: dict[str, Any], **ERROR_RESPONSES, 409: ERROR_RESPONSES[422]}

REFUSED_STATUS = {"forbidden": 403, "conflict": 409}


@api.exception_handler(ActionRefused)
def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    return error_response(request, REFUSED_STATUS.get(exc.code, 422), exc.code, exc.message, exc.fields)


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _case(request: HttpRequest, case_id: int) -> Petition:
    return access_petition(_user(request), case_id, write=True)


def _date(value: Any, field: str, label: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        msg = _("%(field)s: not a real calendar date (use YYYY-MM-DD).") % {"field": label}
        raise ApiError(422, "invalid", msg, {field: msg}) from None


def _unit(code: Any, field: str) -> Unit:
    unit = unit_by_code(str(code or "").strip())
    if unit is None:
        msg = _("Unit: unknown unit code “%(code)s”.") % {"code": code or ""}
        raise ApiError(422, "invalid", msg, {field: msg})
    return unit


def _int(value: Any, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        msg = _("%(field)s: enter a whole number.") % {"field": label}
        raise ApiError(422, "invalid", msg, {field: msg}) from None


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_state(petition: Petition) -> dict[str, Any]:
    """Everything a client needs to show where a case stands and what it owes, with every due date."""
    return {
        "id": petition.pk,
        "case_number": petition.case_number,
        "status": petition.status,
        "status_label": str(Status(petition.status).label),
        "is_open": petition.is_open,
        "actions": actions_from(petition.status),
        "received_at": _d(petition.received_at),
        "due_at": _d(petition.due_at),
        "alert": deadline_alert(petition),
        "route": petition.route,
        "accepted_on": _d(petition.accepted_on),
        "registering_unit": petition.registering_unit.code,
        "handling_unit": petition.handling_unit.code if petition.handling_unit else None,
        "calendar_warning": bool(petition.due_at and unknown_year_warning(petition.due_at)),
        **_records(petition),
    }


def _records(petition: Petition) -> dict[str, list[dict[str, Any]]]:
    records = selectors.case_records(petition)
    records["notices"] = [
        {
            "id": n["id"],
            "kind": n["kind"],
            "number": n["number"],
            "docx": f"/api/v1/cases/{petition.pk}/notices/{n['id']}/docx",
            "pdf": f"/api/v1/cases/{petition.pk}/notices/{n['id']}/pdf",
        }
        for n in records["notices"]
    ]
    return records


def _ok(petition: Petition) -> dict[str, Any]:
    """The state after an action. The services change a case only through their compare-and-swap,
    which also updates the copy they were given, so that copy is the case as stored."""
    return case_state(petition)


@router.get("/cases/{case_id}", response=RESPONSES, summary="Case state, due dates and documents")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    petition = access_petition(_user(request), case_id)
    case_supervision_notices_issue(petition)
    return case_state(petition)


class TransferIn(Schema):
    unit: Any = Field(None, description="code of the competent unit")
    reason: Any = None
    sent_on: Any = Field(None, description="YYYY-MM-DD, default today")


@router.post("/cases/{case_id}/transfer", response=RESPONSES, summary="转送 (条例第二十二条)")
def case_transfer(request: HttpRequest, case_id: int, payload: TransferIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_transfer(
        petition=petition,
        actor=_user(request),
        unit=_unit(payload.unit, "unit"),
        reason=str(payload.reason or ""),
        sent_on=_date(payload.sent_on, "sent_on", _("Date sent")),
    )
    return _ok(petition)


class AssignUnitIn(Schema):
    unit: Any = None
    duty: Any = Field("lead", description="lead, assist, track, mediate, stabilize, legal_aid, audit")
    due_at: Any = Field(None, description="YYYY-MM-DD")
    share: Any = Field("", description="责任分摊")


class AssignIn(Schema):
    units: list[AssignUnitIn] = Field(default_factory=list)
    reason: Any = None
    sent_on: Any = None


@router.post("/cases/{case_id}/assign", response=RESPONSES, summary="交办 to one or several units")
def case_assign(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    specs = [
        cs.AssignmentSpec(
            unit=_unit(u.unit, f"units[{i}].unit"),
            duty=str(u.duty or "lead"),
            due_at=_date(u.due_at, f"units[{i}].due_at", _("Deadline")),
            share=str(u.share or ""),
        )
        for i, u in enumerate(payload.units)
    ]
    cs.case_assign(
        petition=petition,
        actor=_user(request),
        specs=specs,
        reason=str(payload.reason or ""),
        sent_on=_date(payload.sent_on, "sent_on", _("Date sent")),
    )
    return _ok(petition)


class RefuseIn(Schema):
    ground: Any = Field(
        None, description="not_in_remit, accepted_below (第十九条第三款), concluded (第三十六条)"
    )
    reason: Any = None


@router.post("/cases/{case_id}/refuse", response=RESPONSES, summary="不予受理 / 不再受理")
def case_refuse(request: HttpRequest, case_id: int, payload: RefuseIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_refuse(
        petition=petition,
        actor=_user(request),
        ground=str(payload.ground or ""),
        reason=str(payload.reason or ""),
    )
    return _ok(petition)


class TextIn(Schema):
    text: Any = None


@router.post("/cases/{case_id}/direct-reply", response=RESPONSES, summary="Answer a suggestion directly")
def case_direct_reply(request: HttpRequest, case_id: int, payload: TextIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_direct_reply(petition=petition, actor=_user(request), text=str(payload.text or ""))
    return _ok(petition)


class AcceptIn(Schema):
    route: Any = Field(
        None,
        description="petition (六), litigation, arbitration, party_appeal, administrative, "
        "duty, suggestion, accusation",
    )
    accepted_on: Any = None


@router.post("/cases/{case_id}/accept", response=RESPONSES, summary="受理 (条例第二十三、三十四条)")
def case_accept(request: HttpRequest, case_id: int, payload: AcceptIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_accept(
        petition=petition,
        actor=_user(request),
        route=str(payload.route or ""),
        accepted_on=_date(payload.accepted_on, "accepted_on", _("Acceptance date")),
    )
    return _ok(petition)


class ObjectIn(Schema):
    reason: Any = None
    on: Any = None


@router.post("/cases/{case_id}/object", response=RESPONSES, summary="异议 within 5 working days")
def case_object(request: HttpRequest, case_id: int, payload: ObjectIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_object(
        petition=petition,
        actor=_user(request),
        reason=str(payload.reason or ""),
        on=_date(payload.on, "on", _("Objection date")),
    )
    return _ok(petition)


class DecideIn(Schema):
    approve: bool = False
    reason: Any = None


@router.post("/cases/{case_id}/objection", response=RESPONSES, summary="Approve or reject an objection")
def case_decide_objection(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_decide_objection(
        petition=petition, actor=_user(request), approve=payload.approve, reason=str(payload.reason or "")
    )
    return _ok(petition)


class ExtensionRequestIn(Schema):
    days: Any = None
    reason: Any = None


@router.post("/cases/{case_id}/extension-request", response=RESPONSES, summary="Ask for 延期 (第三十四条)")
def case_request_extension(request: HttpRequest, case_id: int, payload: ExtensionRequestIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_request_extension(
        petition=petition,
        actor=_user(request),
        days=_int(payload.days, "days", _("Days")),
        reason=str(payload.reason or ""),
    )
    return _ok(petition)


@router.post("/cases/{case_id}/extension", response=RESPONSES, summary="A head approves or refuses 延期")
def case_decide_extension(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_decide_extension(
        petition=petition, actor=_user(request), approve=payload.approve, reason=str(payload.reason or "")
    )
    return _ok(petition)


@router.post("/cases/{case_id}/report", response=RESPONSES, summary="办结报告 of a unit's part")
def case_report(request: HttpRequest, case_id: int, payload: TextIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_report(petition=petition, actor=_user(request), text=str(payload.text or ""))
    return _ok(petition)


class ProcedureIn(Schema):
    procedure: Any = None
    outcome: Any = None


@router.post(
    "/cases/{case_id}/procedure", response=RESPONSES, summary="Routes (一)–(五): record the procedure"
)
def case_record_procedure(request: HttpRequest, case_id: int, payload: ProcedureIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_record_procedure(
        petition=petition,
        actor=_user(request),
        procedure=str(payload.procedure or ""),
        outcome=str(payload.outcome or ""),
    )
    return _ok(petition)


class DecisionIn(Schema):
    requests: Any = Field(None, description="投诉请求")
    facts: Any = Field(None, description="事实和理由")
    opinion: Any = Field(None, description="处理意见")
    basis: Any = Field(None, description="法律法规依据")
    outcome: Any = Field(None, description="support (支持), explain (解释说明), reject (不予支持)")
    issued_on: Any = None
    execution: Any = Field(None, description="for support: what must be done")
    execution_due: Any = None


def _decision(payload: DecisionIn) -> cs.DecisionInput:
    return cs.DecisionInput(
        requests=str(payload.requests or ""),
        facts=str(payload.facts or ""),
        opinion=str(payload.opinion or ""),
        basis=str(payload.basis or ""),
        outcome=str(payload.outcome or ""),
        issued_on=_date(payload.issued_on, "issued_on", _("Date issued")),
    )


@router.post("/cases/{case_id}/reply", response=RESPONSES, summary="信访处理意见书 (第三十二条)")
def case_reply(request: HttpRequest, case_id: int, payload: DecisionIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_reply(
        petition=petition,
        actor=_user(request),
        data=_decision(payload),
        execution=str(payload.execution or ""),
        execution_due=_date(payload.execution_due, "execution_due", _("Execution deadline")),
    )
    return _ok(petition)


class DeliverIn(Schema):
    delivered_on: Any = None


@router.post("/cases/{case_id}/deliver", response=RESPONSES, summary="送达 of the latest decision")
def case_deliver(request: HttpRequest, case_id: int, payload: DeliverIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_deliver(
        petition=petition,
        actor=_user(request),
        delivered_on=_date(payload.delivered_on, "delivered_on", _("Delivery date")),
    )
    return _ok(petition)


class ReviewRequestIn(Schema):
    unit: Any = Field(None, description="code of the unit one level above the one that decided")
    requested_on: Any = None


@router.post("/cases/{case_id}/review-request", response=RESPONSES, summary="复查 request (第三十五条)")
def case_request_review(request: HttpRequest, case_id: int, payload: ReviewRequestIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_request_review(
        petition=petition,
        actor=_user(request),
        unit=_unit(payload.unit, "unit"),
        requested_on=_date(payload.requested_on, "requested_on", _("Request date")),
    )
    return _ok(petition)


@router.post("/cases/{case_id}/recheck-request", response=RESPONSES, summary="复核 request (第三十六条)")
def case_request_recheck(request: HttpRequest, case_id: int, payload: ReviewRequestIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_request_recheck(
        petition=petition,
        actor=_user(request),
        unit=_unit(payload.unit, "unit"),
        requested_on=_date(payload.requested_on, "requested_on", _("Request date")),
    )
    return _ok(petition)


class HearingIn(Schema):
    start: bool = True
    on: Any = None


@router.post("/cases/{case_id}/hearing", response=RESPONSES, summary="听证 start or end (pauses 复核)")
def case_hearing(request: HttpRequest, case_id: int, payload: HearingIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_hearing(
        petition=petition,
        actor=_user(request),
        start=payload.start,
        on=_date(payload.on, "on", _("Hearing date")),
    )
    return _ok(petition)


@router.post("/cases/{case_id}/review-decision", response=RESPONSES, summary="复查意见书 or 复核意见书")
def case_review_decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_review_decide(petition=petition, actor=_user(request), data=_decision(payload))
    return _ok(petition)


class EvaluateIn(Schema):
    target: Any = Field(None, description="bureau or handler")
    satisfaction: Any = Field(None, description="satisfied, basic, dissatisfied")
    comment: Any = None


@router.post("/cases/{case_id}/evaluate", response=RESPONSES, summary="满意度评价")
def case_evaluate(request: HttpRequest, case_id: int, payload: EvaluateIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_evaluate(
        petition=petition,
        actor=_user(request),
        target=str(payload.target or ""),
        satisfaction=str(payload.satisfaction or ""),
        comment=str(payload.comment or ""),
    )
    return _ok(petition)


class ReasonIn(Schema):
    reason: Any = None


@router.post("/cases/{case_id}/close", response=RESPONSES, summary="办结")
def case_close(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_close(petition=petition, actor=_user(request), reason=str(payload.reason or ""))
    return _ok(petition)


@router.post("/cases/{case_id}/archive", response=RESPONSES, summary="归档")
def case_archive(request: HttpRequest, case_id: int) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.case_archive(petition=petition, actor=_user(request))
    return _ok(petition)


class SuperviseIn(Schema):
    unit: Any = None
    reason: Any = None
    reply_days: Any = 10


@router.post("/cases/{case_id}/supervise", response=RESPONSES, summary="督办单 (第三十八至四十条)")
def case_supervise(request: HttpRequest, case_id: int, payload: SuperviseIn) -> dict[str, Any]:
    petition = _case(request, case_id)
    cs.supervision_issue(
        petition=petition,
        actor=_user(request),
        unit=_unit(payload.unit, "unit"),
        reason=str(payload.reason or ""),
        reply_days=_int(payload.reply_days, "reply_days", _("Reply days")),
    )
    return _ok(petition)


@router.post("/supervisions/{supervision_id}/reply", response=RESPONSES, summary="Answer a 督办单")
def supervision_reply(request: HttpRequest, supervision_id: int, payload: TextIn) -> dict[str, Any]:
    supervision = Supervision.objects.filter(pk=supervision_id).first()
    if supervision is None:
        raise Http404
    petition = access_petition(_user(request), supervision.petition_id, write=True)
    cs.supervision_reply(supervision=supervision, actor=_user(request), text=str(payload.text or ""))
    return _ok(petition)


@router.get("/cases/{case_id}/notices/{notice_id}/{fmt}", summary="A notice as DOCX or PDF")
def notice_download(request: HttpRequest, case_id: int, notice_id: int, fmt: str) -> HttpResponse:
    petition = access_petition(_user(request), case_id)
    notice = Notice.objects.filter(pk=notice_id, petition=petition).first()
    if notice is None or fmt not in ("docx", "pdf"):
        raise Http404
    return notice_response(request, notice, fmt)

"""/api/v1/cases: the case state and one endpoint per lifecycle action (``POST /cases/{id}/<action>``),
derived from the action definitions (``workflow.actions``): the body is the action's typed input,
and the endpoint runs the same guard and service as the handling page.

Each endpoint reaches the case through ``cases.access.access_petition``; a refused guard answers 422
(409 for a conflict, 403 for the wrong unit) in the one error shape, with the field at fault named.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from xinfang.api.core import ERROR_RESPONSES, api, error_response
from xinfang.cases import selectors
from xinfang.cases.access import access_petition, notices_visible
from xinfang.cases.models import Notice, Supervision
from xinfang.errors import ActionRefused
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status, actions_from
from xinfang.workflow.actions import ACTIONS, Action
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
    return request.auth  # type: ignore[attr-defined]  # set by the router's bearer auth


def _case(request: HttpRequest, case_id: int) -> Petition:
    return access_petition(_user(request), case_id, write=True)


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_state(petition: Petition, user: User) -> dict[str, Any]:
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
        **_records(petition, notices=notices_visible(user, petition)),
    }


def _records(petition: Petition, *, notices: bool) -> dict[str, list[dict[str, Any]]]:
    records = selectors.case_records(petition)
    if not notices:
        records["notices"] = []
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


def _ok(petition: Petition, user: User) -> dict[str, Any]:
    """The state after an action. The services change a case only through their compare-and-swap,
    which also updates the copy they were given, so that copy is the case as stored."""
    return case_state(petition, user)


@router.get("/cases/{case_id}", response=RESPONSES, summary="Case state, due dates and documents")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    petition = access_petition(user, case_id)
    case_supervision_notices_issue(petition)
    return case_state(petition, user)


def _endpoint(action: Action) -> Callable[..., dict[str, Any]]:
    """``POST /cases/{case_id}/<name>`` (or ``/supervisions/{id}/<name>``) of one action, its body
    typed by the action's input: ninja validates it, the input's validator names a wrong value in
    Chinese, and the service runs as on the page."""
    takes_input = bool(action.input.model_fields)
    id_name = "supervision_id" if action.on == "supervision" else "case_id"

    def view(request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        user = _user(request)
        if action.on == "supervision":
            supervision = Supervision.objects.filter(pk=kwargs[id_name]).first()
            if supervision is None:
                raise Http404
            petition = access_petition(user, supervision.petition_id, write=True)
            target: Any = supervision
        else:
            petition = target = access_petition(user, kwargs[id_name], write=True)
        # A service changes the case only through its compare-and-swap, which updates this copy;
        # answering a 督办单 does not change the case.
        action.run(target, user, kwargs["payload"] if takes_input else action.input())
        return _ok(petition, user)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
        inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=int),
    ]
    if takes_input:
        parameters.append(
            inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=action.input)
        )
    view.__signature__ = inspect.Signature(parameters, return_annotation=dict[str, Any])  # type: ignore[attr-defined]  # read by ninja
    view.__name__ = view.__qualname__ = f"{action.on}_{action.name.replace('-', '_')}"
    view.__doc__ = _doc(action)
    return view


def _doc(action: Action) -> str:
    return f"{action.summary}. {action.input.__doc__ or ''}".strip()


for _action in ACTIONS:
    _path = (
        f"/supervisions/{{supervision_id}}/{_action.name}"
        if _action.on == "supervision"
        else (f"/cases/{{case_id}}/{_action.name}")
    )
    router.post(
        _path, response=RESPONSES, summary=_action.summary, operation_id=f"{_action.on}_{_action.name}"
    )(_endpoint(_action))


@router.get("/cases/{case_id}/notices/{notice_id}/{fmt}", summary="A notice as DOCX or PDF")
def notice_download(request: HttpRequest, case_id: int, notice_id: int, fmt: str) -> HttpResponse:
    user = _user(request)
    petition = access_petition(user, case_id)
    notice = Notice.objects.filter(pk=notice_id, petition=petition).first()
    if notice is None or fmt not in ("docx", "pdf") or not notices_visible(user, petition):
        raise Http404
    return notice_response(request, notice, fmt)

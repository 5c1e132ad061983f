"""Staff pages of the lifecycle: a case's handling page with one form per possible action, the
unit inbox sorted by deadline, the bureau's overdue and supervision page, and pending approvals.

The page offers only the actions the user can take on the case now, asked of their guards; each
form is derived from the action's definition (``workflow.actions``, rendered by
``workflow.actionforms``), and a POST is parsed by that definition and runs its one service. A refusal
re-renders the page with the message next to the field at fault.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.access import access_petition, notices_visible, visible_petitions
from xinfang.cases.models import (
    Assignment,
    AssignmentStatus,
    Extension,
    ExtensionStatus,
    Notice,
    Supervision,
    SupervisionLevel,
)
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.workflow import services as cs
from xinfang.workflow.actionforms import form_of, form_values
from xinfang.workflow.actions import CASE_ACTIONS, SUPERVISION_ACTIONS, Action, Offer, offers
from xinfang.workflow.calendar import unknown_year_warning
from xinfang.workflow.notices import case_supervision_notices_issue, notice_response

PAGE_SIZE = 50


def _unit_choices(user: User) -> list[Unit]:
    """Units a case can be sent to or reviewed by: the user's area and the units above it."""
    ids = set(scope_unit_ids(user))
    if user.unit is not None:
        ids.update(user.unit.ancestor_ids)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("path"))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required: a signed-in User


def _context(request: HttpRequest, petition: Petition, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    case_supervision_notices_issue(petition)
    data, errors = extra.pop("data", {}), extra.get("errors", {})
    shown = notices_visible(user, petition)
    failed = extra.get("failed", "")
    forms = [
        form_of(
            offer,
            petition,
            user,
            data if _key(offer) == failed else {},
            errors if _key(offer) == failed else {},
        )
        for offer in offers(petition, user)
    ]
    return {
        "p": petition,
        "forms": [f for f in forms if not f.blocked],
        "blocked": [f for f in forms if f.blocked],
        "assignments": petition.assignments.select_related("unit", "sent_from"),
        "extensions": petition.extensions.select_related("requested_by", "decided_by"),
        "decisions": petition.decisions.select_related("unit"),
        "reviews": petition.review_requests.select_related("unit"),
        "tasks": petition.execution_tasks.select_related("unit"),
        "supervisions": petition.supervisions.select_related("unit", "issued_from"),
        "notices": petition.notices.select_related("unit") if shown else [],
        "notices_hidden": not shown,
        "units": _unit_choices(user),
        "calendar_warning": bool(petition.due_at and unknown_year_warning(petition.due_at)),
        "errors": {},
        **extra,
    }


def _key(offer: Offer) -> str:
    return offer.action.name if offer.action.on == "case" else f"{offer.action.name}-{offer.target.pk}"


@login_required
@require_GET
def handle(request: HttpRequest, case_id: int) -> HttpResponse:
    petition = access_petition(_user(request), case_id)
    return render(request, "cases/handle.html", _context(request, petition))


def _perform(request: HttpRequest, petition: Petition, action: Action, target: Any, key: str) -> HttpResponse:
    """Parse the posted form with the action's input, run it, and show the case again: with the
    message next to the field at fault when it was refused."""
    try:
        action.run(target, _user(request), action.parse(form_values(action.input, request.POST)))
    except ActionRefused as exc:
        petition.refresh_from_db()
        status = {"forbidden": 403, "conflict": 409}.get(exc.code, 422)
        context = _context(
            request, petition, errors=exc.fields, error=exc.message, failed=key, data=request.POST
        )
        return render(request, "cases/handle.html", context, status=status)
    messages.success(
        request,
        _("Done: %(case)s is now “%(status)s”.")
        % {"case": petition.case_number, "status": Status(Petition.objects.get(pk=petition.pk).status).label},
    )
    return redirect("cases:handle", case_id=petition.pk)


@login_required
@require_POST
def act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    petition = access_petition(_user(request), case_id, write=True)
    definition = CASE_ACTIONS.get(action)
    if definition is None:
        raise Http404
    return _perform(request, petition, definition, petition, action)


@login_required
@require_POST
def act_on(request: HttpRequest, case_id: int, kind: str, object_id: int, action: str) -> HttpResponse:
    """An action on one of the case's records (answering a 督办单)."""
    petition = access_petition(_user(request), case_id, write=True)
    definition = SUPERVISION_ACTIONS.get(action)
    supervision = petition.supervisions.filter(pk=object_id).first()
    if kind != "supervisions" or definition is None or supervision is None:
        raise Http404
    return _perform(request, petition, definition, supervision, f"{action}-{object_id}")


@login_required
@require_GET
def notice_download(request: HttpRequest, case_id: int, notice_id: int, fmt: str) -> HttpResponse:
    user = _user(request)
    petition = access_petition(user, case_id)
    notice = Notice.objects.filter(pk=notice_id, petition=petition).select_related("unit").first()
    if notice is None or fmt not in ("docx", "pdf") or not notices_visible(user, petition):
        raise Http404
    return notice_response(request, notice, fmt)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The unit's inbox, by deadline: parts waiting for 受理 or 异议, cases in handling, duties of
    交办 packages, and unanswered 督办单."""
    user: User = request.user  # type: ignore[assignment]  # login_required: a signed-in User
    # A user without a unit holds nothing (``unit_id=None`` would read as IS NULL: every unassigned case).
    unit_id = user.unit_id or 0
    parts = (
        Assignment.objects.filter(
            unit_id=unit_id, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
        )
        .select_related("petition", "sent_from")
        .order_by("petition__due_at", "due_at", "objection_due")
    )
    handling = (
        Petition.objects.filter(handling_unit_id=unit_id, is_open=True)
        .exclude(status=Status.ROUTED)
        .select_related("category")
        .order_by("due_at", "pk")
    )
    supervisions = Supervision.objects.filter(unit_id=unit_id, replied_on__isnull=True).select_related(
        "petition"
    )
    page = Paginator(handling, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "cases/inbox.html", {"parts": parts[:200], "page": page, "supervisions": supervisions}
    )


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Everything overdue or under supervision in the user's scope (条例第四十条)."""
    user = _user(request)
    today = cs.today()
    cases = (
        visible_petitions(user)
        .filter(is_open=True, due_at__lt=today)
        .select_related("handling_unit", "registering_unit")
        .order_by("due_at", "pk")
    )
    supervised = (
        Supervision.objects.filter(petition__in=visible_petitions(user))
        .filter(
            Q(replied_on__isnull=True) | Q(level__in=[SupervisionLevel.CIRCULATE, SupervisionLevel.LISTED])
        )
        .select_related("petition", "unit")
        .order_by("-issued_on")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "cases/overdue.html", {"page": page, "supervised": supervised[:200], "today": today}
    )


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Objections waiting for the sender, and extension requests waiting for a head."""
    user = _user(request)
    objections = Assignment.objects.filter(
        sent_from_id=user.unit_id, status=AssignmentStatus.OBJECTED
    ).select_related("petition", "unit")
    extensions = Extension.objects.filter(
        status=ExtensionStatus.PENDING, petition__handling_unit_id__in=scope_unit_ids(user)
    ).select_related("petition", "requested_by")
    return render(request, "cases/approvals.html", {"objections": objections, "extensions": extensions})

"""Staff pages of the lifecycle: a case's handling page with one form per possible action, the
unit inbox sorted by deadline, the bureau's overdue and supervision page, and pending approvals.

Each POST calls exactly one service of ``workflow.services``; a refused guard re-renders the page
with the message next to the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.access import access_petition, visible_petitions
from xinfang.cases.models import (
    Assignment,
    AssignmentStatus,
    Duty,
    EvaluationTarget,
    Extension,
    ExtensionStatus,
    Notice,
    Outcome,
    Route,
    Satisfaction,
    Supervision,
    SupervisionLevel,
)
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status, actions_from
from xinfang.workflow import services as cs
from xinfang.workflow.calendar import unknown_year_warning
from xinfang.workflow.notices import case_supervision_notices_issue, notice_response

PAGE_SIZE = 50


def _post_date(request: HttpRequest, name: str, label: str) -> date | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        msg = _("%(field)s: not a real calendar date (use YYYY-MM-DD).") % {"field": label}
        raise ActionRefused(msg, {name: msg}) from None


def _post_unit(request: HttpRequest, name: str) -> Unit:
    unit = Unit.objects.filter(code=request.POST.get(name, "").strip(), is_active=True).first()
    if unit is None:
        msg = _("Unit: choose a unit from the list.")
        raise ActionRefused(msg, {name: msg})
    return unit


def _post_int(request: HttpRequest, name: str, label: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        msg = _("%(field)s: enter a whole number.") % {"field": label}
        raise ActionRefused(msg, {name: msg}) from None


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")


def _decision(request: HttpRequest) -> cs.DecisionInput:
    return cs.DecisionInput(
        requests=_text(request, "requests"),
        facts=_text(request, "facts"),
        opinion=_text(request, "opinion"),
        basis=_text(request, "basis"),
        outcome=_text(request, "outcome"),
        issued_on=_post_date(request, "issued_on", _("Date issued")),
    )


def _assign_specs(request: HttpRequest) -> list[cs.AssignmentSpec]:
    specs = []
    for i in range(6):
        code = request.POST.get(f"unit_{i}", "").strip()
        if not code:
            continue
        specs.append(
            cs.AssignmentSpec(
                unit=_post_unit(request, f"unit_{i}"),
                duty=request.POST.get(f"duty_{i}", Duty.LEAD),
                due_at=_post_date(request, f"due_{i}", _("Deadline")),
                share=request.POST.get(f"share_{i}", ""),
            )
        )
    return specs


Action = Callable[[HttpRequest, Petition, User], Any]

ACTIONS: dict[str, Action] = {
    "transfer": lambda r, p, u: cs.case_transfer(
        petition=p,
        actor=u,
        unit=_post_unit(r, "unit"),
        reason=_text(r, "reason"),
        sent_on=_post_date(r, "sent_on", _("Date sent")),
    ),
    "assign": lambda r, p, u: cs.case_assign(
        petition=p,
        actor=u,
        specs=_assign_specs(r),
        reason=_text(r, "reason"),
        sent_on=_post_date(r, "sent_on", _("Date sent")),
    ),
    "refuse": lambda r, p, u: cs.case_refuse(
        petition=p, actor=u, ground=_text(r, "ground"), reason=_text(r, "reason")
    ),
    "direct_reply": lambda r, p, u: cs.case_direct_reply(petition=p, actor=u, text=_text(r, "text")),
    "accept": lambda r, p, u: cs.case_accept(
        petition=p,
        actor=u,
        route=_text(r, "route"),
        accepted_on=_post_date(r, "accepted_on", _("Acceptance date")),
    ),
    "object": lambda r, p, u: cs.case_object(
        petition=p, actor=u, reason=_text(r, "reason"), on=_post_date(r, "on", _("Objection date"))
    ),
    "objection_approve": lambda r, p, u: cs.case_decide_objection(
        petition=p, actor=u, approve=True, reason=_text(r, "reason")
    ),
    "objection_reject": lambda r, p, u: cs.case_decide_objection(
        petition=p, actor=u, approve=False, reason=_text(r, "reason")
    ),
    "request_extension": lambda r, p, u: cs.case_request_extension(
        petition=p, actor=u, days=_post_int(r, "days", _("Days")), reason=_text(r, "reason")
    ),
    "extend": lambda r, p, u: cs.case_decide_extension(
        petition=p, actor=u, approve=True, reason=_text(r, "reason")
    ),
    "refuse_extension": lambda r, p, u: cs.case_decide_extension(
        petition=p, actor=u, approve=False, reason=_text(r, "reason")
    ),
    "report": lambda r, p, u: cs.case_report(petition=p, actor=u, text=_text(r, "text")),
    "record_procedure": lambda r, p, u: cs.case_record_procedure(
        petition=p, actor=u, procedure=_text(r, "procedure"), outcome=_text(r, "outcome")
    ),
    "reply": lambda r, p, u: cs.case_reply(
        petition=p,
        actor=u,
        data=_decision(r),
        execution=_text(r, "execution"),
        execution_due=_post_date(r, "execution_due", _("Execution deadline")),
    ),
    "deliver": lambda r, p, u: cs.case_deliver(
        petition=p, actor=u, delivered_on=_post_date(r, "delivered_on", _("Delivery date"))
    ),
    "request_review": lambda r, p, u: cs.case_request_review(
        petition=p,
        actor=u,
        unit=_post_unit(r, "unit"),
        requested_on=_post_date(r, "requested_on", _("Request date")),
    ),
    "request_recheck": lambda r, p, u: cs.case_request_recheck(
        petition=p,
        actor=u,
        unit=_post_unit(r, "unit"),
        requested_on=_post_date(r, "requested_on", _("Request date")),
    ),
    "hearing_start": lambda r, p, u: cs.case_hearing(
        petition=p, actor=u, start=True, on=_post_date(r, "on", _("Hearing date"))
    ),
    "hearing_end": lambda r, p, u: cs.case_hearing(
        petition=p, actor=u, start=False, on=_post_date(r, "on", _("Hearing date"))
    ),
    "review_decide": lambda r, p, u: cs.case_review_decide(petition=p, actor=u, data=_decision(r)),
    "recheck_decide": lambda r, p, u: cs.case_review_decide(petition=p, actor=u, data=_decision(r)),
    "evaluate": lambda r, p, u: cs.case_evaluate(
        petition=p,
        actor=u,
        target=_text(r, "target"),
        satisfaction=_text(r, "satisfaction"),
        comment=_text(r, "comment"),
    ),
    "close": lambda r, p, u: cs.case_close(petition=p, actor=u, reason=_text(r, "reason")),
    "archive": lambda r, p, u: cs.case_archive(petition=p, actor=u),
    "supervise": lambda r, p, u: cs.supervision_issue(
        petition=p,
        actor=u,
        unit=_post_unit(r, "unit"),
        reason=_text(r, "reason"),
        reply_days=_post_int(r, "reply_days", _("Reply days")),
    ),
}
# Actions shown on the page; the "extend" row of TRANSITIONS is offered as approve/refuse.
STATE_INDEPENDENT = ("evaluate", "supervise")


def _unit_choices(user: User) -> list[Unit]:
    """Units a case can be sent to or reviewed by: the user's area and the units above it."""
    ids = set(scope_unit_ids(user))
    if user.unit is not None:
        ids.update(user.unit.ancestor_ids)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("path"))


def _visible_actions(petition: Petition) -> list[str]:
    names = [a for a in actions_from(petition.status) if a in ACTIONS]
    if "extend" in names:
        names.append("refuse_extension")
    if "objection_approve" in names:
        names.append("objection_reject")
    if petition.is_open:
        names.append("supervise")
    if petition.status in (Status.REPLIED, Status.REVIEWED, Status.CONCLUDED, Status.CLOSED):
        names.append("evaluate")
    if petition.status == Status.REVIEW:
        names = [n for n in names if n != "recheck_decide"]
    if petition.status == Status.RECHECK:
        names = [n for n in names if n != "review_decide"]
    return names


def _context(request: HttpRequest, petition: Petition, **extra: Any) -> dict[str, Any]:
    case_supervision_notices_issue(petition)
    return {
        "p": petition,
        "actions": _visible_actions(petition),
        "assignments": petition.assignments.select_related("unit", "sent_from"),
        "extensions": petition.extensions.select_related("requested_by", "decided_by"),
        "decisions": petition.decisions.select_related("unit"),
        "reviews": petition.review_requests.select_related("unit"),
        "tasks": petition.execution_tasks.select_related("unit"),
        "supervisions": petition.supervisions.select_related("unit", "issued_from"),
        "notices": petition.notices.select_related("unit"),
        "units": _unit_choices(request.user),  # type: ignore[arg-type]
        "routes": Route.choices,
        "duties": Duty.choices,
        "outcomes": Outcome.choices,
        "satisfactions": Satisfaction.choices,
        "targets": EvaluationTarget.choices,
        "slots": range(4),
        "calendar_warning": bool(petition.due_at and unknown_year_warning(petition.due_at)),
        "errors": {},
        **extra,
    }


@login_required
@require_GET
def handle(request: HttpRequest, case_id: int) -> HttpResponse:
    petition = access_petition(request.user, case_id)  # type: ignore[arg-type]
    return render(request, "cases/handle.html", _context(request, petition))


@login_required
@require_POST
def act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    petition = access_petition(request.user, case_id, write=True)  # type: ignore[arg-type]
    perform = ACTIONS.get(action)
    if perform is None:
        raise Http404
    try:
        perform(request, petition, request.user)  # type: ignore[arg-type]
    except ActionRefused as exc:
        petition.refresh_from_db()
        status = {"forbidden": 403, "conflict": 409}.get(exc.code, 422)
        context = _context(
            request, petition, errors=exc.fields, error=exc.message, failed=action, data=request.POST
        )
        return render(request, "cases/handle.html", context, status=status)
    messages.success(
        request,
        _("Done: %(case)s is now “%(status)s”.")
        % {"case": petition.case_number, "status": Status(Petition.objects.get(pk=petition.pk).status).label},
    )
    return redirect("cases:handle", case_id=petition.pk)


@login_required
@require_GET
def notice_download(request: HttpRequest, case_id: int, notice_id: int, fmt: str) -> HttpResponse:
    petition = access_petition(request.user, case_id)  # type: ignore[arg-type]
    notice = Notice.objects.filter(pk=notice_id, petition=petition).select_related("unit").first()
    if notice is None or fmt not in ("docx", "pdf"):
        raise Http404
    return notice_response(request, notice, fmt)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The unit's inbox, by deadline: parts waiting for 受理 or 异议, cases in handling, duties of
    交办 packages, and unanswered 督办单."""
    user: User = request.user  # type: ignore[assignment]
    parts = (
        Assignment.objects.filter(
            unit_id=user.unit_id, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
        )
        .select_related("petition", "sent_from")
        .order_by("petition__due_at", "due_at", "objection_due")
    )
    handling = (
        Petition.objects.filter(handling_unit_id=user.unit_id, is_open=True)
        .exclude(status=Status.ROUTED)
        .select_related("category")
        .order_by("due_at", "pk")
    )
    supervisions = Supervision.objects.filter(unit_id=user.unit_id, replied_on__isnull=True).select_related(
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
    user: User = request.user  # type: ignore[assignment]
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
    user: User = request.user  # type: ignore[assignment]
    objections = Assignment.objects.filter(
        sent_from_id=user.unit_id, status=AssignmentStatus.OBJECTED
    ).select_related("petition", "unit")
    extensions = Extension.objects.filter(
        status=ExtensionStatus.PENDING, petition__handling_unit_id__in=scope_unit_ids(user)
    ).select_related("petition", "requested_by")
    return render(request, "cases/approvals.html", {"objections": objections, "extensions": extensions})

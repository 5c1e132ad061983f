"""The staff UI: work queue, all-cases list with search, Excel export, intake per channel and the
case page. Function views; every page needs a signed-in user, and a single case is reached only
through ``cases.access.access_petition``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from xinfang.audit.services import audit_personal_data_view, audit_record, client_ip
from xinfang.cases import exports
from xinfang.cases.access import (
    access_petition,
    identity_visible,
    search_petitions,
    visible_petitions,
    work_queue,
)
from xinfang.detection.panels import IntakeCheck, audit_people, intake_check
from xinfang.orgs.models import User
from xinfang.petitions.forms import (
    RegistrationForm,
    active_filters,
    blank_form,
    category_groups,
    clean_submission_key,
    filter_params,
    form_from_post,
    new_submission_key,
    unit_choices,
    uploads_from,
)
from xinfang.petitions.intake import (
    ATTACHMENT_TYPES,
    DuplicateSubmission,
    InputInvalid,
    validate_registration,
)
from xinfang.petitions.models import Channel, Petition, RequestClass, VisitLevel
from xinfang.petitions.selectors import QUEUE_ORDERINGS, filter_petitions, list_related
from xinfang.petitions.states import Status
from xinfang.workflow.registration import petition_register

PAGE_SIZE = 50
EXPORT_CHUNK = 2000

View = Callable[..., HttpResponse]


def registrar_required(view: View) -> View:
    """Only users who may register (登记) petitions; the others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can_register:  # type: ignore[union-attr]  # login_required: an authenticated User
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# -- lists ----------------------------------------------------------------------------------------


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """工作队列: the open cases of the user's scope, by deadline (default) or by received date."""
    sort = _sort(request, "due")
    qs = work_queue(_user(request), sort=sort)
    return _list_page(request, qs, list_name="queue", sort=sort, title=_("Work queue"))


@login_required
@require_safe
def petition_list(request: HttpRequest) -> HttpResponse:
    """全部信访件, with the search box: case number, name, 身份证号, phone or Chinese keywords."""
    user = _user(request)
    q = request.GET.get("q", "").strip()[:100]
    sort = _sort(request, "received")
    qs = search_petitions(user, q) if q else visible_petitions(user)
    qs = qs.order_by(*QUEUE_ORDERINGS[sort])
    return _list_page(request, qs, list_name="all", sort=sort, title=_("All petitions"), q=q)


def _sort(request: HttpRequest, default: str) -> str:
    sort = request.GET.get("sort", default)
    return sort if sort in QUEUE_ORDERINGS else default


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required: an authenticated User


def _list_page(
    request: HttpRequest, qs: QuerySet[Petition], *, list_name: str, sort: str, title: str, q: str = ""
) -> HttpResponse:
    user = _user(request)
    params = filter_params(request.GET)
    qs = filter_petitions(qs, params)
    if request.GET.get("format") == "xlsx":
        return _export(request, qs, list_name=list_name, params=params, sort=sort, q=q, title=title)
    page = Paginator(list_related(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(exports.petition_rows(user, page.object_list))
    exports.audit_identity_list(
        user=user, case_numbers=exports.shown_cases(rows), via=f"petitions.{list_name}", ip=client_ip(request)
    )
    context = {
        "title": title,
        "list_name": list_name,
        "page": page,
        "rows": rows,
        "q": q,
        "sort": sort,
        "filters": params,
        "filtering": bool(active_filters(params)),
        "choices": _filter_choices(),
        "category_groups": category_groups(),
    }
    return render(request, "petitions/list.html", context)


def _filter_choices() -> dict[str, Any]:
    return {
        "channel": Channel.choices,
        "request_class": RequestClass.choices,
        "visit_level": VisitLevel.choices,
        "status": Status.choices,
    }


def _export(
    request: HttpRequest,
    qs: QuerySet[Petition],
    *,
    list_name: str,
    params: dict[str, str],
    sort: str,
    q: str,
    title: str,
) -> HttpResponse:
    """The list as .xlsx, with the same scope, filters and masking; every export is audited."""
    user = _user(request)
    count = qs.count()
    if count > exports.EXPORT_MAX_ROWS:
        messages.error(request, exports.export_limit_message(count))
        query = request.GET.copy()
        query.pop("format", None)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    written = 0
    shown: list[str] = []

    def counted() -> Iterator[exports.PetitionRow]:
        nonlocal written
        for row in exports.petition_rows(user, list_related(qs).iterator(chunk_size=EXPORT_CHUNK)):
            written += 1
            if row.petitioners:
                shown.append(row.petition.case_number)
            yield row

    content = exports.petitions_workbook(counted(), sheet_title=title)
    audit_record(
        actor=user,
        action="petition.export",
        obj=user,
        detail={"list": list_name, "filters": active_filters(params), "q": q, "sort": sort, "rows": written},
        ip=client_ip(request),
    )
    exports.audit_identity_list(
        user=user, case_numbers=shown, via=f"export.{list_name}", ip=client_ip(request)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}-{stamp}.xlsx")
    return response


# -- intake (登记) ---------------------------------------------------------------------------------


@registrar_required
@require_safe
def new(request: HttpRequest) -> HttpResponse:
    """Choose the channel of the item to register."""
    return render(request, "petitions/new.html", {"channels": Channel.choices})


@registrar_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, channel: str) -> HttpResponse:
    """登记 one item of ``channel``. Checked only by ``intake.validate_registration`` and saved only by
    ``services.petition_register``; the hidden one-time submission key stops a double submit."""
    if channel not in Channel.values:
        raise Http404
    user = _user(request)
    if request.method != "POST":
        return _render_register(request, blank_form(channel))
    form = form_from_post(channel, request.POST)
    key = clean_submission_key(form.submission_key)
    if key is None:  # a tampered form: the re-rendered one carries a fresh key
        form.submission_key = new_submission_key()
    if request.POST.get("action") == "check":
        return _render_register(request, form, check=_intake_check(request, form))
    uploads = uploads_from(request.FILES.getlist("attachments"))
    try:
        data = validate_registration(form.raw(), actor=user, uploads=uploads)
        if key is None:
            raise InputInvalid(
                {"submission_key": _("The form was incomplete; check the entries and submit again.")}
            )
        petition = petition_register(data=data, actor=user, submission_key=key)
    except DuplicateSubmission as exc:
        form.show_errors(exc.fields, exc.message)
        form.duplicate_of = exc.petition_id
        return _render_register(request, form, status=409)
    except InputInvalid as exc:
        form.show_errors(exc.fields, exc.message)
        return _render_register(request, form, status=422)
    messages.success(
        request,
        _("The petition was registered as case %(case_number)s.") % {"case_number": petition.case_number},
    )
    for level, text in _detection_messages(petition):
        messages.add_message(request, level, text)
    return redirect("petitions:detail", petition_id=petition.pk)


def _intake_check(request: HttpRequest, form: RegistrationForm) -> IntakeCheck:
    """The panel before saving: who the petitioners may be, and the likely earlier matters. Reads
    only; showing the people found is audited."""
    user = _user(request)
    values = form.values
    found = intake_check(
        user,
        title=values.get("title", ""),
        content=values.get("content", ""),
        petitioners=[row.as_input() for row in form.rows if not row.is_blank],
        complained_unit=values.get("complained_unit", ""),
        category=values.get("category", ""),
        region=values.get("region_code", ""),
    )
    audit_people(user=user, people=found.people, petition=None, ip=client_ip(request), via="intake_check")
    return found


def _detection_messages(petition: Petition) -> list[tuple[int, str]]:
    """What detection did or proposes at registration, for the clerk to see after saving."""
    found = petition.detection
    if found is None:
        return []
    out: list[tuple[int, str]] = []
    if found.parallel_of is not None and petition.parallel_of is not None:
        out.append(
            (
                messages.INFO,
                _("Linked as a parallel petition (the same matter by letter and by visit) to case %(case)s.")
                % {"case": petition.parallel_of.case_number},
            )
        )
    if found.skip_level:
        out.append((messages.WARNING, _("Marked as a level-skipping visit (Regulation art. 20).")))
    if found.reviews:
        out.append(
            (
                messages.WARNING,
                _(
                    "An ID card number of this petition is recorded under different names; a review was opened."
                ),
            )
        )
    for proposal in found.proposals:
        out.append(
            (
                messages.WARNING,
                _("Proposed refusal: %(reason)s Confirm it below if it is right.")
                % {"reason": proposal.reason},
            )
        )
    return out


def _render_register(
    request: HttpRequest, form: RegistrationForm, *, status: int = 200, check: IntakeCheck | None = None
) -> HttpResponse:
    context = {
        "check": check,
        "form": form,
        "channel_label": Channel(form.channel).label,
        "category_groups": category_groups(),
        "units": unit_choices(_user(request)),
        "visit_levels": VisitLevel.choices,
        "request_classes": RequestClass.choices,
        "today": timezone.localdate().isoformat(),
        "upload_max_mb": _upload_max_mb(),
        "accept": ",".join(sorted({s for _m, suffixes, _t in ATTACHMENT_TYPES.values() for s in suffixes})),
    }
    return render(request, "petitions/register.html", context, status=status)


def _upload_max_mb() -> int:
    return max(1, settings.XINFANG_UPLOAD_MAX_BYTES // (1024 * 1024))


# -- one case ------------------------------------------------------------------------------------


@login_required
@require_safe
def detail(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The case page. Showing petitioners' personal data is audited; an accuser's identity and the
    materials never reach the unit complained about (条例第三十条)."""
    user = _user(request)
    petition = access_petition(user, petition_id)
    visible = identity_visible(user, petition)
    links = list(petition.links.select_related("petitioner")) if visible else []
    if links:
        audit_personal_data_view(
            actor=user,
            petition=petition,
            petitioner_ids=[link.petitioner_id for link in links],
            ip=client_ip(request),
            channel="web",
        )
    context = {
        "petition": petition,
        "identity_visible": visible,
        "links": links,
        "attachments": list(petition.attachments.order_by("pk")) if visible else [],
        "events": list(petition.events.select_related("actor", "unit")),
        "overdue": petition.is_open
        and petition.due_at is not None
        and petition.due_at < timezone.localdate(),
    }
    return render(request, "petitions/detail.html", context)


@login_required
@require_safe
def attachment(request: HttpRequest, petition_id: int, attachment_id: int) -> FileResponse:
    user = _user(request)
    petition = access_petition(user, petition_id)
    if not identity_visible(user, petition):
        raise Http404
    item = petition.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    audit_record(
        actor=user,
        action="attachment.download",
        obj=item,
        petition=petition,
        detail={"name": item.original_name},
        ip=client_ip(request),
    )
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )

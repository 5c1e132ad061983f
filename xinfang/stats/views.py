"""Statistics pages: the dashboard, drill-down lists, the statistics paragraph, 台账 and the annual
report, and the 量化考核 ranking with its published history. Function views; every page needs a
signed-in user and shows only the user's scope (``selectors.user_scope``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from xinfang.audit.services import audit_record, client_ip
from xinfang.cases.exports import audit_identity_list, export_limit_message, petition_rows, shown_cases
from xinfang.orgs.models import Role, User
from xinfang.petitions.models import Channel
from xinfang.petitions.selectors import list_related
from xinfang.stats import metrics as mx
from xinfang.stats import reports
from xinfang.stats.dashboard import dashboard_data
from xinfang.stats.filters import FilterInvalid, Filters, parse_filters, parse_period
from xinfang.stats.models import RankingPublication
from xinfang.stats.paragraph import statistics_paragraph
from xinfang.stats.periods import Period, month_index
from xinfang.stats.selectors import drilldown, scope_root, scope_units
from xinfang.stats.services import labelled_figures, ranking_compute, ranking_publish

PAGE_SIZE = 50
PUBLISHING_ROLES = frozenset({Role.LEADER, Role.ADMIN})


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required: an authenticated User


def _filters(request: HttpRequest) -> Filters:
    user = _user(request)
    if user.unit is None:
        raise PermissionDenied
    try:
        return parse_filters(request.GET, user, mx.config()["month_start_day"])
    except FilterInvalid as exc:
        if exc.field == "unit":
            raise Http404 from None
        messages.error(request, exc.message)
        return parse_filters({}, user, mx.config()["month_start_day"])


def _base_context(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    user = _user(request)
    return {
        "filters": filters,
        "params": filters.params,
        "units": scope_units(user) if user.unit and user.unit.is_bureau else [],
        "channels": Channel.choices,
        "period_label": filters.period.label(),
        "months": range(1, 13),
        "quarters": range(1, 5),
    }


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    context = _base_context(request, filters)
    context.update(dashboard_data(filters))
    context["title"] = _("Statistics")
    return render(request, "stats/dashboard.html", context)


@login_required
@require_safe
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a figure: ``metric`` and ``part`` (num or den) with the dashboard filters."""
    filters = _filters(request)
    key = request.GET.get("metric", "total_batches")
    if key not in mx.METRICS:
        raise Http404
    part = "den" if request.GET.get("part") == "den" else "num"
    metric = mx.METRICS[key]
    period = None if key == "overdue_items" else filters.period
    qs = drilldown(
        _user(request),
        key,
        part=part,
        period=period,
        scope=filters.scope,
        filters=filters.as_metric_filters(),
    ).order_by("-received_at", "-id")
    page = Paginator(list_related(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(petition_rows(_user(request), page.object_list))
    audit_identity_list(
        user=_user(request), case_numbers=shown_cases(rows), via="stats.cases", ip=client_ip(request)
    )
    context = _base_context(request, filters)
    context.update(
        {
            "title": _("Cases behind a figure"),
            "metric": metric,
            "part": part,
            "page": page,
            "rows": rows,
            "sort": "received",
        }
    )
    return render(request, "stats/cases.html", context)


@login_required
@require_safe
def paragraph(request: HttpRequest) -> HttpResponse:
    """The statistics paragraph of the 工作总结, to copy or download as DOCX."""
    filters = _filters(request)
    text = statistics_paragraph(scope=filters.scope, period=filters.period)
    title = _("Statistics paragraph · %(unit)s · %(period)s") % {
        "unit": filters.scope.unit.name,
        "period": filters.period.label(),
    }
    if request.GET.get("format") == "docx":
        return _download(reports.paragraph_docx(title, text), reports.DOCX_CONTENT_TYPE, f"{title}.docx")
    context = _base_context(request, filters)
    context.update({"title": _("Statistics paragraph"), "text": text})
    return render(request, "stats/paragraph.html", context)


@login_required
@require_safe
def reports_page(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    context = _base_context(request, filters)
    context.update(
        {
            "title": _("Reports and ledgers"),
            "ledgers": [(key, ledger.title) for key, ledger in reports.LEDGERS.items()],
            "query": filters.query(),
            "year": filters.period.end.year,
        }
    )
    return render(request, "stats/reports.html", context)


@login_required
@require_safe
def ledger(request: HttpRequest, key: str) -> HttpResponse:
    """A 台账 as .xlsx, with the same scope and masking as the case lists; audited."""
    if key not in reports.LEDGERS:
        raise Http404
    filters = _filters(request)
    user = _user(request)
    try:
        content, rows = reports.ledger_workbook(user, key, scope=filters.scope, period=filters.period)
    except reports.TooManyRows as exc:
        messages.error(request, export_limit_message(exc.count))
        return HttpResponseRedirect(f"{reverse('stats:reports')}?{filters.query()}")
    audit_record(
        actor=user,
        action="stats.ledger_export",
        obj=user,
        detail={
            "ledger": key,
            "unit": filters.scope.unit.code,
            "period": filters.period.label(),
            "rows": rows,
        },
        ip=client_ip(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{reports.LEDGERS[key].title}-{filters.scope.unit.name}-{stamp}.xlsx"
    return _download(content, reports.XLSX_CONTENT_TYPE, name)


@login_required
@require_safe
def annual_report(request: HttpRequest) -> HttpResponse:
    """条例第四十一条 annual report as DOCX."""
    filters = _filters(request)
    try:
        year = int(request.GET.get("year") or filters.period.end.year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    content = reports.annual_report_docx(_user(request), scope=filters.scope, year=year)
    return _download(
        content, reports.DOCX_CONTENT_TYPE, f"{filters.scope.unit.name}{year}年信访工作报告.docx"
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _can_publish(user: User) -> bool:
    return user.unit is not None and user.unit.is_bureau and user.role in PUBLISHING_ROLES


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest) -> HttpResponse:
    """量化考核: this month's ranking of the units below the user's area, publish, and history."""
    user = _user(request)
    root = scope_root(user)
    if root is None or user.unit is None or not user.unit.is_bureau:  # no root: the user has no unit
        raise PermissionDenied
    start_day = mx.config()["month_start_day"]
    try:
        period = parse_period(request.GET if request.method == "GET" else request.POST, start_day)
    except FilterInvalid as exc:
        messages.error(request, exc.message)
        period = parse_period({}, start_day)
    if period.months != 1 and not request.GET.get("from"):
        today = timezone.localdate()
        year, month = divmod(month_index(today, start_day), 12)
        period = Period.month(year, month + 1, start_day)
    if request.method == "POST":
        if not _can_publish(user):
            raise PermissionDenied
        title = _("Quantitative assessment of %(unit)s, %(period)s") % {
            "unit": root.name,
            "period": period.label(),
        }
        publication = ranking_publish(actor=user, root=root, period=period, title=title)
        messages.success(request, _("The ranking was published."))
        return HttpResponseRedirect(reverse("stats:ranking_detail", args=[publication.pk]))
    rows = ranking_compute(root=root, period=period)
    history = RankingPublication.objects.filter(scope_unit=root).select_related("published_by")[:24]
    context = {
        "title": _("Quantitative assessment"),
        "period": period,
        "period_label": period.label(),
        "rows": rows,
        "history": history,
        "can_publish": _can_publish(user),
        "weights": mx.config()["ranking"],
        "weight_list": labelled_figures(mx.config()["ranking"]["weights"]),
        "root": root,
    }
    return render(request, "stats/ranking.html", context)


@login_required
@require_safe
def ranking_detail(request: HttpRequest, publication_id: int) -> HttpResponse:
    user = _user(request)
    root = scope_root(user)
    if root is None:
        raise Http404
    publication = get_object_or_404(
        RankingPublication.objects.select_related("scope_unit", "published_by"), pk=publication_id
    )
    if not publication.scope_unit.is_within(root) and not root.is_within(publication.scope_unit):
        raise Http404
    entries = list(publication.entries.select_related("unit").order_by("rank", "id"))
    for entry in entries:
        entry.labelled = labelled_figures(entry.figures)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "stats/ranking_detail.html",
        {"title": publication.title, "publication": publication, "entries": entries},
    )

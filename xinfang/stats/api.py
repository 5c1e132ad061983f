"""JSON endpoints of this app, mounted under /api/v1 by xinfang.api.urls."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from xinfang.api.core import ERROR_RESPONSES, ApiError
from xinfang.orgs.models import User
from xinfang.stats import metrics as mx
from xinfang.stats.filters import FilterInvalid, parse_period, parse_scope
from xinfang.stats.paragraph import statistics_paragraph

router = Router(tags=["stats"])


class ParagraphOut(Schema):
    text: str


@router.get("/reports/paragraph", response={200: ParagraphOut, **ERROR_RESPONSES})
def report_paragraph(request: HttpRequest) -> dict[str, str]:
    """The 工作总结 statistics paragraph for ``unit`` (a unit code; default: the caller's area) from
    ``from`` to ``to`` (YYYY-MM-DD; default: this year up to this month)."""
    user: User = request.user  # type: ignore[assignment]  # the router's auth: an authenticated User
    if user.unit is None:
        raise ApiError(403, "forbidden", _("You are not allowed to do this."))
    try:
        scope = parse_scope(request.GET, user)
    except FilterInvalid:
        raise ApiError(
            404, "not_found", _("Not found: the record does not exist or is not accessible to you.")
        ) from None
    try:
        period = parse_period(request.GET, mx.config()["month_start_day"])
    except FilterInvalid as exc:
        raise ApiError(
            422,
            "invalid",
            _("The request was not accepted; please correct the marked fields."),
            {exc.field: exc.message},
        ) from None
    return {"text": statistics_paragraph(scope=scope, period=period)}

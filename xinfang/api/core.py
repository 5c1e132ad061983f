"""The /api/v1 NinjaAPI: bearer-token auth and the one error shape
``{"error": {"code": "...", "message": "<zh text>", "fields": {...}}}``.

Every failure leaves through ``error_response``, wherever it arises: an unparsable body, ninja's
validation of parameters, an endpoint raising ``ApiError``, ``InputInvalid`` or ``Http404``, an
unknown URL or method under /api/v1, or an unexpected exception (500, without a traceback).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.views import openapi_view
from ninja.parser import Parser
from ninja.security import HttpBearer

from xinfang.orgs.models import ApiToken, TokenScope, User
from xinfang.orgs.services import token_lookup
from xinfang.petitions.intake import DuplicateSubmission, InputInvalid
from xinfang.workflow.actions import INVALID

logger = logging.getLogger(__name__)

# How often a token's ``last_used_at`` is refreshed; a write on every request is not worth it.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """The one error shape of /api/v1."""

    error: ErrorDetail


class ApiError(Exception):
    """Raised by an endpoint to answer with the error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


class MalformedBody(ValueError):
    """The body is not JSON, or not a JSON object."""


class JsonObjectParser(Parser):
    """Every /api/v1 body is one JSON object; anything else is refused before validation."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
            raise MalformedBody(_("The request body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise MalformedBody(_("The request body must be a JSON object."))
        return data


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        found = token_lookup(token) if token else None
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        if found.scope == TokenScope.READ and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise HttpError(403, "read-only token")  # answered in the error shape (_http_error)
        request.user = found.user
        return found.user


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def not_found_response(request: HttpRequest) -> HttpResponse:
    # Missing and forbidden read alike, so nothing is learnt about other units' cases.
    return error_response(
        request, 404, "not_found", _("Not found: the record does not exist or is not accessible to you.")
    )


class XinfangAPI(NinjaAPI):
    """NinjaAPI whose URL patterns also answer unknown paths (404) and wrong methods (405) in the
    error shape; ninja itself returns Django's HTML page and a plain-text 405 for those."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _shaped(pattern.callback)
        urls.append(re_path(r"^.*$", _shaped(_unknown_url), name="unknown"))
        return urls


@csrf_exempt
def _unknown_url(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def _shaped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            shaped = error_response(
                request, 405, "method_not_allowed", _("This method is not allowed at this address.")
            )
            shaped["Allow"] = response["Allow"]
            return shaped
        return response

    return wrapper


def staff_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The interactive docs (Swagger UI, from ninja's vendored static files: no CDN) are for
    logged-in staff; the schema itself stays public at /api/v1/openapi.json for API clients."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(view, "func", None) is openapi_view and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


api = XinfangAPI(
    title="xinfang API",
    version="1",
    description="电子办访系统 /api/v1. Authenticate with `Authorization: Bearer <token>` "
    "(`xinfang token create USERNAME`). Every error is "
    '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.',
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=staff_docs,
    auth=BearerAuth(),
    parser=JsonObjectParser(),
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(DuplicateSubmission)
def _duplicate(request: HttpRequest, exc: DuplicateSubmission) -> HttpResponse:
    return error_response(request, 409, exc.code, exc.message, exc.fields)


@api.exception_handler(InputInvalid)
def _invalid(request: HttpRequest, exc: InputInvalid) -> HttpResponse:
    return error_response(request, 422, "invalid", exc.message, exc.fields)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = _("The request is too large (at most %(mb)d MB).") % {
        "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    }
    return error_response(request, 413, "too_large", message)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        request, 401, "unauthorized", _("Sign in with a valid API token (Authorization: Bearer …).")
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found_response(request)


def _body_error(request: HttpRequest, message: str) -> HttpResponse:
    return error_response(request, 400, "malformed_json", message, {"body": message})


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] == "body" and len(loc) <= 2:
            # The body as a whole is missing (an empty request) or is not an object.
            return _body_error(request, _("The request body must be a JSON object."))
        # ("query", "limit") → "limit"; ("body", "payload", "persons") → "persons"
        name = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or (loc[0] if loc else "request")
        if err.get("type") == INVALID:  # an action's input named the field in its own words
            fields[name] = str(err.get("msg", ""))
        elif err.get("type") == "missing":
            fields[name] = _("%(field)s: this field is required.") % {"field": name}
        else:
            fields[name] = _("%(field)s: this value has the wrong type or is out of range.") % {"field": name}
    return error_response(
        request, 422, "invalid", _("The request was not accepted; please correct the marked fields."), fields
    )


HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, MalformedBody):
        return _body_error(request, str(exc.__cause__))
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("Not found: the record does not exist or is not accessible to you."),
        405: _("This method is not allowed at this address."),
        429: _("Too many requests; please wait a moment and try again."),
    }
    status = exc.status_code
    return error_response(
        request, status, HTTP_ERROR_CODES.get(status, "error"), messages.get(status, _("The request failed."))
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return error_response(
        request,
        500,
        "server_error",
        _("An internal error occurred. Please try again later; if it persists, tell the administrator."),
    )

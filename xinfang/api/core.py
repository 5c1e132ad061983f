"""The /api/v1 NinjaAPI: bearer-token auth and the one error shape
``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from xinfang.orgs.models import ApiToken
from xinfang.orgs.services import hash_token, token_user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is None:
            return None
        ApiToken.objects.filter(key_hash=hash_token(token), last_used_at__isnull=True).update(
            last_used_at=timezone.now()
        )
        request.user = user
        return user


api = NinjaAPI(
    title="xinfang API",
    version="1",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=BearerAuth(),
)


def error_response(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
                   ) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 401, "unauthorized", _("Sign in with a valid API token (Authorization: Bearer …)."))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields[".".join(loc) or "body"] = _("This value is missing or has the wrong type.")
    if any(e.get("type") == "json_invalid" for e in exc.errors) or "body" in fields and len(fields) == 1:
        return error_response(request, 400, "malformed_json", _("The request body is not valid JSON."), {"body": _("The request body is not valid JSON.")})
    return error_response(request, 422, "invalid", _("The request was not saved; please correct the marked fields."), fields)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "http_error", str(exc))

"""The Django admin, for superusers only (issue 17): it shows raw records of every unit — audit
entries, holiday schedules, notice templates, users — so staff with ``is_staff`` and model
permissions do not get in; they work through the pages, where the access door and the identity
rule apply. Petitioners, identity reviews and merges are not in the admin at all (their pages
apply the rule); what it does show of a case is filtered by the same rule (see audit.admin), and
every page it serves is written to the audit log like any other read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse

from xinfang.audit.services import audit_record, client_ip

_View = TypeVar("_View", bound=Callable[..., Any])


class XinfangAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin page — the site's own and each model's — passes here."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response: HttpResponse = inner(request, *args, **kwargs)
            if self.has_permission(request) and response.status_code < 400:
                audit_record(
                    actor=request.user,
                    action="admin.view" if request.method in ("GET", "HEAD") else "admin.change",
                    obj=request.user,  # type: ignore[arg-type]  # an authenticated User, a model
                    detail={"path": request.path, "query": request.GET.urlencode(), "method": request.method},
                    ip=client_ip(request),
                )
            return response

        return cast(_View, audited)

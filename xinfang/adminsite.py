"""The Django admin, for superusers only (issue 17): it shows raw records of every unit — audit
entries, identity reviews, petitioners — so staff with ``is_staff`` and model permissions do not
get in; they work through the pages, where the access door and the identity rule apply."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class XinfangAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class XinfangAdminConfig(AdminConfig):
    default_site = "xinfang.adminsite.XinfangAdminSite"

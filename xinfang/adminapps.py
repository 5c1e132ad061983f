"""The admin's app config, apart from the site so that loading the apps imports no models."""

from django.contrib.admin.apps import AdminConfig


class XinfangAdminConfig(AdminConfig):
    default_site = "xinfang.adminsite.XinfangAdminSite"

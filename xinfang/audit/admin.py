from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from xinfang.audit.models import AuditLog
from xinfang.cases.access import identity_visible
from xinfang.orgs.models import User


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit trail, read-only. The detail of an entry about a 检举控告 (which can carry an
    attachment's name or a search for the accuser) is shown only within the identity rule."""

    list_display = ["at", "actor", "actor_unit", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]
    date_hierarchy = "at"
    shown = ["at", "actor", "actor_unit", "action", "object_type", "object_id", "petition", "detail", "ip"]

    def get_fields(self, request, obj=None):
        withheld = obj is not None and _withheld(request, obj)
        return [("detail_withheld" if withheld and name == "detail" else name) for name in self.shown]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("detail"))
    def detail_withheld(self, obj: AuditLog) -> str:
        return _("An accusation against your unit: the detail is not shown to your unit.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _withheld(request: HttpRequest, entry: AuditLog) -> bool:
    """The entry is about an accusation against the viewer's unit or a unit above it."""
    user = request.user
    return entry.petition is not None and (
        not isinstance(user, User) or not identity_visible(user, entry.petition)
    )

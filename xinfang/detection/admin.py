from django.contrib import admin

from xinfang.detection.models import MatterDecision, StatsBuild

# Petitioner merges and identity reviews name petitioners: they are handled on the staff pages
# (/detection/reviews/, /detection/people/…), where the access door and the identity rule apply,
# and are deliberately not in the admin.


@admin.register(MatterDecision)
class MatterDecisionAdmin(admin.ModelAdmin):
    list_display = ("petition", "kind", "target", "automatic", "at")
    raw_id_fields = ("petition", "target")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatsBuild)
class StatsBuildAdmin(admin.ModelAdmin):
    list_display = ("built_at", "docs", "total", "terms", "seconds")

from django.contrib import admin

from xinfang.detection.models import IdentityReview, MatterDecision, PetitionerMerge, StatsBuild


@admin.register(PetitionerMerge)
class PetitionerMergeAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "merged_by", "merged_at", "undone_at")
    raw_id_fields = ("source", "target")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdentityReview)
class IdentityReviewAdmin(admin.ModelAdmin):
    list_display = ("id_number", "status", "created_at")
    list_filter = ("status",)


@admin.register(MatterDecision)
class MatterDecisionAdmin(admin.ModelAdmin):
    list_display = ("petition", "kind", "target", "automatic", "at")
    raw_id_fields = ("petition", "target")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatsBuild)
class StatsBuildAdmin(admin.ModelAdmin):
    list_display = ("built_at", "docs", "total", "terms", "seconds")

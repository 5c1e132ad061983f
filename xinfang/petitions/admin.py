from django.contrib import admin

from xinfang.petitions.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """问题类别: a configurable two-level list. Petitions and petitioners are deliberately not in the
    admin: personal data is read only through the audited staff pages."""

    list_display = ["code", "name", "parent", "route_to_kind", "sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; petitions keep their category

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import ApiToken, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "population", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code", "region_code"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "role", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "full_name"]
    autocomplete_fields = ["unit"]
    # Django's UserAdmin always sets fieldsets; the stubs type ModelAdmin.fieldsets as optional.
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Petition work"), {"fields": ("full_name", "unit", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Petition work"), {"fields": ("full_name", "unit", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked"]

    def has_add_permission(self, request, obj=None):
        return False  # tokens are created with `xinfang token create` so the secret is shown once

"""Platform admin (/platform-admin/): for platform superusers, across tenants.

Tenant staff never use it (they have /manage/). Tenant-owned rows are read
with the explicit `all_tenants` manager inside `platform_scope`, which lifts
row-level security for the request's transaction.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Branch, Tenant, User


class AllTenantsAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return self.model.all_tenants.all()


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "locale", "created_at")
    search_fields = ("name", "slug")


@admin.register(Branch)
class BranchAdmin(AllTenantsAdmin):
    list_display = ("name", "tenant", "level", "path")
    list_filter = ("tenant", "level")
    list_select_related = ("tenant",)


@admin.register(AuditEvent)
class AuditEventAdmin(AllTenantsAdmin):
    list_display = (
        "tenant",
        "seq",
        "occurred_at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
    )
    list_filter = ("tenant", "action")
    list_select_related = ("tenant",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "tenant", "role", "branch", "is_active", "is_superuser")
    list_filter = ("tenant", "role", "is_active")
    list_select_related = ("tenant", "branch")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Steward", {"fields": ("tenant", "role", "branch", "phone")}),
    )

"""Platform admin (/platform-admin/): for platform superusers, across tenants.

Tenant staff never use it (they have /manage/). Tenant-owned rows are shown
for one tenant at a time, the one chosen with the "Work in this tenant" action
(see tenancy.admin_site): row-level security is never lifted.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_site import PLATFORM_TENANT_SESSION_KEY
from .context import current_tenant_id
from .models import AuditEvent, Branch, Tenant, User


def platform_tenant_queryset(model):
    """Rows of the tenant the platform admin works in; none before one is chosen."""
    tenant_id = current_tenant_id()
    rows = model.all_tenants.all()
    return rows.filter(tenant_id=tenant_id) if tenant_id is not None else rows.none()


class AllTenantsAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return platform_tenant_queryset(self.model)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "locale", "created_at")
    search_fields = ("name", "slug")
    actions = ["work_in_tenant"]

    @admin.action(description=_("Work in this tenant"))
    def work_in_tenant(self, request, queryset):
        tenants = list(queryset[:2])
        if len(tenants) != 1:
            self.message_user(request, _("Select exactly one tenant."), messages.ERROR)
            return
        request.session[PLATFORM_TENANT_SESSION_KEY] = tenants[0].pk
        self.message_user(
            request, _("Tenant-owned lists now show %(name)s.") % {"name": tenants[0].name}
        )


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

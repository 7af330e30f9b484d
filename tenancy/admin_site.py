"""The platform admin site: platform superusers only (no tenant).

It has no way around row-level security: tenant-owned rows are shown one
bank at a time. The superuser picks the bank with the "Work in this tenant"
action on the tenant list (kept in the session); each admin request then runs
in that tenant's ``tenant_scope``. Platform tables (tenants, staff, schedules)
are listed across banks as before.
"""

from django.contrib import admin

from .context import tenant_scope

PLATFORM_TENANT_SESSION_KEY = "platform_admin_tenant_id"


class PlatformAdminSite(admin.AdminSite):
    site_header = "Steward platform"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser and user.tenant_id is None)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def scoped(request, *args, **kwargs):
            from .models import Tenant

            tenant_id = request.session.get(PLATFORM_TENANT_SESSION_KEY)
            if (
                self.has_permission(request)
                and isinstance(tenant_id, int)
                and Tenant.objects.filter(pk=tenant_id).exists()
            ):
                with tenant_scope(tenant_id):
                    response = inner(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    return response
            return inner(request, *args, **kwargs)

        return scoped

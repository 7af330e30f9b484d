"""The platform admin site: platform superusers only (no tenant), with
row-level security lifted for its requests (``platform_scope``)."""

from django.contrib import admin

from .context import platform_scope


class PlatformAdminSite(admin.AdminSite):
    site_header = "Steward platform"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser and user.tenant_id is None)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def scoped(request, *args, **kwargs):
            if self.has_permission(request):
                with platform_scope():
                    response = inner(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    return response
            return inner(request, *args, **kwargs)

        return scoped

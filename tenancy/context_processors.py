from __future__ import annotations

from .layout import nav_items, topbar_templates


def navigation(request):
    """The base layout's navigation and top bar (registered by the apps, see ``tenancy.layout``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.tenant_id is None:
        return {"nav_items": [], "topbar_templates": []}
    return {
        "nav_items": nav_items(role=user.role, path=request.path),
        "topbar_templates": topbar_templates(),
    }

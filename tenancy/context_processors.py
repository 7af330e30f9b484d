from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .home import topbar_templates
from .models import Role

# (url name, label, roles that see it); None = every staff role
NAVIGATION = [
    ("home", _("My day"), None),
    ("clients:list", _("Clients"), None),
    ("communications:followups", _("Follow-ups"), (Role.RM, Role.BRANCH_HEAD, Role.ADMIN)),
    (
        "risk:index",
        _("Risk"),
        (Role.RISK_OFFICER, Role.BRANCH_HEAD, Role.RM, Role.COMPLIANCE, Role.ADMIN),
    ),
    ("loyalty:index", _("Loyalty"), (Role.RM, Role.BRANCH_HEAD, Role.ADMIN)),
    ("performance:index", _("Performance"), (Role.BRANCH_HEAD, Role.ADMIN, Role.RM)),
    ("tenancy:audit", _("Audit trail"), (Role.COMPLIANCE, Role.ADMIN)),
    ("tenancy:manage", _("Administration"), (Role.ADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.tenant_id is None:
        return {"nav_items": [], "topbar_templates": []}
    items = []
    for url_name, label, roles in NAVIGATION:
        if roles is not None and user.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except Exception:  # noqa: S112 - an app not yet mounted simply has no entry
            continue
        items.append(
            {
                "url": url,
                "label": label,
                "name": url_name,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"nav_items": items, "topbar_templates": topbar_templates()}

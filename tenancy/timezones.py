"""The tenant's time zone: the one helper every app uses to show and parse
local times (DESIGN.md: stored in UTC, shown in the tenant's zone).

An unknown or empty zone name falls back to ``settings.TIME_ZONE`` (the
server default, Asia/Shanghai unless configured), never raises.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from .context import require_tenant_id
from .models import Tenant

ZoneInfo = zoneinfo.ZoneInfo


def zone_named(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def is_zone_name(name: str) -> bool:
    """``name`` is a time zone this server knows (for validating tenant settings)."""
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def tenant_zone(tenant=None) -> ZoneInfo:
    """The zone of ``tenant`` (a Tenant, its id, or None for the tenant in
    scope). A loaded Tenant costs no query; an id costs one."""
    if isinstance(tenant, Tenant):
        return zone_named(tenant.timezone)
    if tenant is None:
        tenant = require_tenant_id()
    name = Tenant.objects.filter(pk=tenant).values_list("timezone", flat=True).first()
    return zone_named(name)


def user_zone(user) -> ZoneInfo:
    """The zone of ``user``'s tenant (no query when ``user.tenant`` is loaded)."""
    tenant = getattr(user, "tenant", None)
    return zone_named(getattr(tenant, "timezone", None))

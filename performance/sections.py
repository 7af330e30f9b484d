"""The My day section: an RM's own scorecard of the month at a glance, with
the link to it (RMs have no Performance menu item: their menu stays three
items). One query (the month from the request's zone, the tenant's)."""

from __future__ import annotations

from django.utils import timezone

from tenancy.models import Role

from . import periods, selectors
from .models import Scope


def my_day_context(request) -> dict:
    user = request.user
    if user.role != Role.RM:
        return {"show": False}
    # the request runs in the tenant's zone (TenantMiddleware): no query for it
    period = periods.period_of(timezone.localdate())
    row = (
        selectors.visible_snapshots(user)
        .filter(period=period, scope=Scope.RM)
        .only("total", "rank", "satisfaction", "loyalty", "profit", "risk", "period")
        .first()
    )
    return {"show": True, "row": row, "period": period}

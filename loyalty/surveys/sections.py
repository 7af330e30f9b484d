"""What surveys contribute to pages other apps own: the client 360°
loyalty section (NPS history, open follow-ups, invite), the My day section
(open service recoveries with their 48-hour clock) and the timeline's
survey answers. Registered in ``LoyaltyConfig.ready``; each runs a fixed
number of queries."""

from __future__ import annotations

from django.utils import timezone

from clients.access import with_client
from clients.selectors import CLIENT_PII_DEFERRED
from clients.timeline import TimelineEntry
from tenancy.models import Role
from tenancy.timezones import user_zone

from ..models import ServiceRecovery
from . import selectors, services

HISTORY = 10


def client_section_context(request, client) -> dict:
    user = request.user
    history = with_client(
        selectors.response_list(user=user, client=client).select_related(None)[:HISTORY], client
    )
    open_rows = list(
        selectors.open_recoveries(user=user, client=client)
        .select_related(None)
        .select_related("manager")
        .order_by("due_at", "pk")[:5]
    )
    return {
        "client": client,
        "nps_history": history,
        "open_recoveries": open_rows,
        "may_invite": services.may_invite(user, client),
        "now": timezone.now(),
        "tz": user_zone(user),
    }


def my_day_context(request) -> dict:
    """The RM's own open follow-ups (service recovery, referral ask); a
    branch head sees the open recoveries of the clients of their subtree."""
    user = request.user
    if user.role not in (Role.RM, Role.BRANCH_HEAD):
        return {"recoveries": []}
    # the rows show kind, client name and the clock: no manager or response
    # joined, and the client's encrypted contact fields not loaded (decrypted)
    qs = (
        selectors.open_recoveries(user=user)
        .select_related(None)
        .select_related("client")
        .defer(*CLIENT_PII_DEFERRED)
        .order_by("due_at", "pk")
    )
    if user.role == Role.RM:
        qs = qs.filter(manager_id=user.pk)
    else:
        qs = qs.filter(kind=ServiceRecovery.Kind.RECOVERY)
    return {"recoveries": list(qs[:10]), "now": timezone.now(), "tz": user_zone(user)}


def survey_entries(*, user, client, cursor, limit) -> list[TimelineEntry]:
    qs = selectors.response_list(user=user, client=client).select_related(None)
    if cursor:
        qs = qs.filter(cursor.q("survey", "answered_at"))
    return [
        TimelineEntry(
            at=r.answered_at,
            source="survey",
            pk=r.pk,
            template="loyalty/_timeline_survey.html",
            obj=r,
        )
        for r in qs.order_by("-answered_at", "-pk")[:limit]
    ]

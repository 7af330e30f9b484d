"""What events contribute to pages other apps own: the client 360°
"Client-care events" section (invited / attended, the newest 10) and the
timeline's attendances. Each runs one query."""

from __future__ import annotations

from clients.access import with_client
from clients.timeline import TimelineEntry
from tenancy.timezones import user_zone

from ..models import EventInvitation
from . import selectors

SECTION_ROWS = 10


def client_events_context(request, client) -> dict:
    user = request.user
    return {
        "client": client,
        "tz": user_zone(user),
        **selectors.client_event_summary(user=user, client=client, limit=SECTION_ROWS),
    }


def event_entries(*, user, client, cursor, limit) -> list[TimelineEntry]:
    qs = (
        selectors.invitation_list(user=user, client=client)
        .filter(status=EventInvitation.Status.ATTENDED)
        .select_related(None)
        .select_related("event")
    )
    if cursor:
        qs = qs.filter(cursor.q("event", "attended_at"))
    return [
        TimelineEntry(
            at=inv.attended_at,
            source="event",
            pk=inv.pk,
            template="loyalty/events/_timeline_event.html",
            obj=inv,
        )
        # one client's: not joined again per row (clients.access.with_client)
        for inv in with_client(qs.order_by("-attended_at", "-pk")[:limit], client)
    ]

"""What client-care events register with the rest of Steward (called from
``LoyaltyConfig._ready_events``): the nav item, the My day link, the 360°
section, the timeline source, the contact-budget source, audit names, the
demo seeder and the reminder sweep."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

EVENTS = {
    "loyalty.event_created": _("Client-care event created"),
    "loyalty.event_updated": _("Client-care event changed"),
    "loyalty.event_invitations_sent": _("Clients invited to a client-care event"),
    "loyalty.event_rsvp": _("Event invitation answered"),
    "loyalty.event_checked_in": _("Client checked in at an event"),
}


def _my_day_context(request) -> dict:
    from . import policy

    return {"show": policy.can_check_in(request.user)}


def register() -> None:
    from clients.sections import register_client_section
    from clients.timeline import register_timeline_source
    from tenancy.audit_display import AuditObject, register_audit_events
    from tenancy.demo import register_seeder
    from tenancy.layout import register_nav_item
    from tenancy.models import Role
    from tenancy.my_day import register_my_day_section
    from tenancy.schedules import register_schedule

    from .. import tasks_events  # noqa: F401  (registers the Celery tasks)
    from ..models import EventInvitation
    from ..surveys.budget import register_outreach_source
    from .demo import seed_events
    from .sections import client_events_context, event_entries

    # RMs reach events from My day (their menu stays three items)
    register_nav_item(
        order=52,
        url_name="loyalty:events",
        label=_("Events"),
        roles=(Role.ADMIN, Role.BRANCH_HEAD, Role.RISK_OFFICER, Role.COMPLIANCE),
    )
    register_my_day_section(
        order=16, template="loyalty/events/_my_day.html", context=_my_day_context
    )
    register_client_section(
        order=34, template="loyalty/events/_client_section.html", context=client_events_context
    )
    register_timeline_source(name="event", entries=event_entries)
    # an invitation spends the client's contact budget like a survey does
    register_outreach_source(
        key="events", rows=lambda: EventInvitation.objects.all(), at_field="invited_at"
    )
    register_audit_events(
        app="loyalty.events",
        events=EVENTS,
        objects={
            "loyalty.event": AuditObject(
                label=_("Client-care event"),
                url=lambda pk: reverse("loyalty:event", args=[int(pk)]),
            ),
            "loyalty.eventinvitation": AuditObject(label=_("Event invitation")),
        },
    )
    register_seeder(order=85, seeder=seed_events)
    register_schedule(
        name="loyalty: event reminders",
        task="loyalty.tasks_events.event_reminder_sweep",
        crontab="15 * * * *",  # hourly: each event's reminder goes out within the hour it falls due
    )

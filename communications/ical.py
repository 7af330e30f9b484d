"""The iCalendar rendering of an RM's open follow-ups (RFC 5545, via the
``icalendar`` package). ``follow_ups`` come from ``selectors.followup_list``
(annotated); one made from a confidential report shows no note."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


def followups_to_ical(*, owner, follow_ups, base_url: str) -> bytes:
    # imported here, as openpyxl is: only the feed's requests need it
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Steward//Follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Steward follow-ups"))
    now = timezone.now()
    host = base_url.split("//", 1)[-1].strip("/") or "steward"
    for fu in follow_ups:
        event = Event()
        event.add("uid", f"followup-{fu.tenant_id}-{fu.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", fu.due_at)
        event.add("dtend", fu.due_at + timedelta(minutes=30))
        if getattr(fu, "confidential", True) or getattr(fu, "note_hidden", True):
            # a calendar app keeps its copy outside Steward: no confidential content
            event.add(
                "summary", _("Confidential follow-up: %(client)s") % {"client": fu.client.name}
            )
            event.add("description", "")
        else:
            event.add("summary", _("Follow-up: %(client)s") % {"client": fu.client.name})
            event.add("description", fu.note or "")
        event.add("url", f"{base_url.rstrip('/')}/follow-ups/")
        cal.add_component(event)
    return cal.to_ical()

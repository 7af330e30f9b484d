"""Delivery of the event outbox (``EventMessage``): the invitation, the
reminder before the event and the news of a promotion from the waitlist, in
the client's language, through the survey channels (email real, SMS and
WeChat pluggable: ``loyalty.surveys.channels``). Rows are claimed with
``skip_locked``, so two workers never send one message twice; a message whose
invitation no longer fits (declined, event started) is dropped."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import EventInvitation, EventMessage
from ..outbox import outbox_deliver
from ..surveys.channels import address_for
from .links import rsvp_url

BATCH = 200
Status = EventInvitation.Status

# which invitations a message still fits
STILL_FITS = {
    EventMessage.Kind.INVITATION: (Status.INVITED, Status.ACCEPTED, Status.WAITLISTED),
    EventMessage.Kind.REMINDER: (Status.ACCEPTED,),
    EventMessage.Kind.PROMOTED: (Status.ACCEPTED,),
}


def _texts(message: EventMessage, bank: str, url: str) -> tuple[str, str]:
    inv = message.invitation
    event = inv.event
    title = event.title_in(inv.client.language)
    when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    facts = {"name": inv.client.name, "title": title, "when": when, "where": event.location}
    if message.kind == EventMessage.Kind.INVITATION:
        subject = _("Invitation: %(title)s") % facts
        lead = _("%(bank)s invites you to %(title)s on %(when)s at %(where)s.") % {
            **facts,
            "bank": bank,
        }
    elif message.kind == EventMessage.Kind.REMINDER:
        subject = _("Reminder: %(title)s") % facts
        lead = _("We look forward to seeing you at %(title)s on %(when)s at %(where)s.") % facts
    else:
        subject = _("A seat is free for you: %(title)s") % facts
        lead = (
            _(
                "A seat has become free: you are now registered for %(title)s on %(when)s "
                "at %(where)s."
            )
            % facts
        )
    body = _("Dear %(name)s,\n\n%(lead)s\n\nReply yes or no (until the event starts):\n%(url)s") % {
        "name": inv.client.name,
        "lead": lead,
        "url": url,
    }
    return subject, body


def event_messages_deliver(*, batch_size: int = BATCH, now: datetime | None = None) -> int:
    """Send the tenant in scope's pending event messages, a batch at a time."""
    return outbox_deliver(
        EventMessage.objects.filter(delivered_at__isnull=True).select_related(
            "invitation__client", "invitation__event"
        ),
        compose=_compose,
        batch_size=batch_size,
        now=now,
    )


def _compose(message: EventMessage, tenant, now: datetime):
    inv = message.invitation
    if inv.status not in STILL_FITS[message.kind] or inv.event.starts_at <= now:
        return None
    to = address_for(message.channel, inv.client)
    if not to:
        return None
    url = rsvp_url(tenant_id=inv.tenant_id, invitation_id=inv.pk)
    with translation.override(inv.client.language or tenant.locale):
        subject, body = _texts(message, tenant.name, url)
    return to, subject, body

"""Builders for the event tests, inside a bank's scope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loyalty.events import services
from loyalty.events.links import rsvp_token
from loyalty.models import EventInvitation
from tenancy.context import tenant_scope

from .survey_helpers import make_client  # noqa: F401  (an active client with email consent)


def make_event(bank, *, user=None, capacity=10, starts_in=timedelta(days=7), **kw):
    kw.setdefault("title", "Green finance lecture")
    kw.setdefault("kind", "lecture")
    kw.setdefault("location", "Head office, 20F")
    with tenant_scope(bank.tenant):
        return services.event_create(
            user=user or bank.admin,
            capacity=capacity,
            starts_at=timezone.now() + starts_in,
            **kw,
        )


def invite(bank, event, *clients, user=None, now=None):
    with tenant_scope(bank.tenant):
        return services.invitations_create(
            user=user or bank.rm, event=event, client_ids=[c.pk for c in clients], now=now
        )


def rsvp(bank, invitation, answer, now=None):
    with tenant_scope(bank.tenant):
        return services.rsvp_answer(invitation_id=invitation.pk, answer=answer, now=now)


def status_of(bank, invitation) -> str:
    with tenant_scope(bank.tenant):
        return EventInvitation.objects.get(pk=invitation.pk).status


def token_of(invitation) -> str:
    return rsvp_token(tenant_id=invitation.tenant_id, invitation_id=invitation.pk)


def move_start(bank, event, starts_at):
    """Move an event in time behind the services' back (tests of the clock)."""
    from loyalty.models import Event

    with tenant_scope(bank.tenant):
        Event.objects.filter(pk=event.pk).update(starts_at=starts_at)
        event.refresh_from_db()
    return event

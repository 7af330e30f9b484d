"""Reads of client-care events, built on the access policy: events are read
by every member of staff; invitations, attendees and suggested invitees only
for the clients the user sees (``clients.access``). Each runs a fixed number
of queries."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from clients.access import client_rows, tier_rank, visible_clients, with_client
from tenancy.shortcuts import get_or_404

from ..models import Event, EventInvitation
from ..surveys.budget import budget_spent_q, channel_expression, open_recovery_q
from . import policy

ACCEPTED = EventInvitation.Status.ACCEPTED


def event_list(*, user) -> QuerySet[Event]:
    """The tenant's events for its staff, each with its ``accepted`` count
    (accepted and attended: the seats taken)."""
    if not policy.can_read_events(user):
        return Event.objects.none()
    return Event.objects.annotate(
        accepted=Count(
            "invitations",
            filter=Q(invitations__status__in=[ACCEPTED, EventInvitation.Status.ATTENDED]),
        )
    ).order_by("starts_at", "pk")


def event_get(*, user, event_id) -> Event:
    return get_or_404(event_list(user=user).select_related("branch", "created_by"), event_id)


def invitation_list(*, user, event=None, client=None) -> QuerySet[EventInvitation]:
    """Invitations of the clients ``user`` sees (of one event, or one
    client already checked by ``client_get``), newest first."""
    if not policy.can_read_events(user):
        return EventInvitation.objects.none()
    qs = client_rows(
        EventInvitation.objects.select_related("client", "event"), user=user, client=client
    )
    if event is not None:
        qs = qs.filter(event=event)
    return qs.order_by("-invited_at", "-pk")


def invitation_get(*, user, invitation_id, event=None) -> EventInvitation:
    return get_or_404(invitation_list(user=user, event=event), invitation_id)


def check_in_list(*, user, event) -> QuerySet[EventInvitation]:
    """Who may come: accepted, waitlisted and already checked-in invitees of
    the clients ``user`` sees, by name."""
    return (
        invitation_list(user=user, event=event)
        .filter(
            status__in=[
                ACCEPTED,
                EventInvitation.Status.WAITLISTED,
                EventInvitation.Status.ATTENDED,
            ]
        )
        .order_by("client__name", "pk")
    )


def suggested_invitees(*, user, event, now: datetime):
    """Visible active key clients (an active dedicated manager) matching the
    event's target tiers and any of its target interests, not yet invited,
    within the contact budget and without an open service recovery; highest
    tier first. Each row carries ``invite_channel`` (NULL: a link only)."""
    if not policy.can_invite(user):
        return visible_clients(user).none()
    qs = visible_clients(user).filter(
        lifecycle="active",
        dedicated_manager__isnull=False,
        dedicated_manager__is_active=True,
    )
    if event.target_tiers:
        qs = qs.filter(tier__in=event.target_tiers)
    if event.target_interests:
        qs = qs.filter(_any_interest(event.target_interests))
    invited = EventInvitation.objects.filter(event=event, client_id=OuterRef("pk"))
    return (
        qs.exclude(Exists(invited))
        .exclude(budget_spent_q(now=now))
        .exclude(open_recovery_q())
        .annotate(invite_channel=channel_expression(), rank=tier_rank())
        .select_related("dedicated_manager")
        .order_by("rank", "name", "pk")
    )


def _any_interest(interests: list[str]) -> Q:
    """Clients with any of ``interests`` (a JSON list): containment on
    PostgreSQL; SQLite (the laptop demo) has no JSON containment, so there the
    quoted value is looked for in the list's text."""
    match = Q(pk__in=[])
    for interest in interests:
        if connection.vendor == "postgresql":
            match |= Q(interests__contains=[interest])
        else:
            match |= Q(interests__icontains=f'"{interest}"')
    return match


def client_event_summary(*, user, client, limit: int = 10) -> dict:
    """The 360° section: the client's newest invitations with the invited and
    attended totals riding on the rows (one query)."""
    from django.db.models import Window

    rows = with_client(
        invitation_list(user=user, client=client)
        .select_related(None)
        .select_related("event")  # the client is the one given, not joined again
        .annotate(
            n_invited=Window(Count("pk")),
            n_attended=Window(Count("pk", filter=Q(status=EventInvitation.Status.ATTENDED))),
        )[:limit],
        client,
    )
    return {
        "invitations": rows,
        "invited": rows[0].n_invited if rows else 0,
        "attended": rows[0].n_attended if rows else 0,
    }

"""Two yeses at once for the last seat on PostgreSQL (two threads, two
connections): the event row lock lets exactly one take it; the other is
waitlisted. And the outbox: delivery sends each message once."""

from __future__ import annotations

import pytest
from django.core import mail

from loyalty.events import delivery
from loyalty.models import EventInvitation, EventMessage
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .event_helpers import invite, make_client, make_event, rsvp
from .test_points_concurrency import _together


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_yeses_for_the_last_seat_never_exceed_capacity(bank):
    event = make_event(bank, capacity=1)
    a, b = invite(bank, event, make_client(bank), make_client(bank))
    errors = _together(lambda: rsvp(bank, a, "yes"), lambda: rsvp(bank, b, "yes"))
    assert errors == []
    with tenant_scope(bank.tenant):
        statuses = sorted(EventInvitation.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "waitlisted"]


@pytest.mark.django_db
def test_the_outbox_sends_each_message_once_and_drops_what_no_longer_fits(bank):
    event = make_event(bank, title="Outbox salon")
    a, b = sorted(invite(bank, event, make_client(bank), make_client(bank)), key=lambda i: i.pk)
    mail.outbox.clear()
    with tenant_scope(bank.tenant):
        assert EventMessage.objects.filter(delivered_at__isnull=True).count() == 2
        EventInvitation.objects.filter(pk=b.pk).update(status="declined")
        assert delivery.event_messages_deliver() == 1  # b answered no before it went out: dropped
        assert delivery.event_messages_deliver() == 0
    assert len(mail.outbox) == 1 and "/e/" in mail.outbox[0].body
    rsvp(bank, a, "yes")
    with tenant_scope(bank.tenant):
        EventMessage.objects.create(
            invitation=a, kind="reminder", channel="email", created_at=event.starts_at
        )
        EventInvitation.objects.filter(pk=a.pk).update(status="declined")
        assert delivery.event_messages_deliver() == 0  # a reminder to a decliner is dropped

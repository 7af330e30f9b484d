"""Capacity, the waitlist and its automatic promotion (a decline, a raised
capacity), answers until the start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loyalty.events import services
from loyalty.models import EventMessage
from tenancy.context import tenant_scope

from .event_helpers import invite, make_client, make_event, move_start, rsvp, status_of

pytestmark = pytest.mark.django_db


def _three_invited(bank, capacity=2):
    event = make_event(bank, capacity=capacity)
    clients = [make_client(bank) for _ in range(3)]
    invitations = sorted(invite(bank, event, *clients), key=lambda i: i.client_id)
    return event, invitations


def test_a_yes_beyond_capacity_is_waitlisted(bank):
    event, (a, b, c) = _three_invited(bank)
    assert rsvp(bank, a, "yes").status == "accepted"
    assert rsvp(bank, b, "yes").status == "accepted"
    assert rsvp(bank, c, "yes").status == "waitlisted"
    with tenant_scope(bank.tenant):
        assert services.accepted_count(event) == 2


def test_a_decline_promotes_the_earliest_waitlisted_with_a_message(bank):
    event, (a, b, c) = _three_invited(bank, capacity=1)
    rsvp(bank, a, "yes")
    rsvp(bank, c, "yes")  # waitlisted first
    rsvp(bank, b, "yes")  # waitlisted second
    rsvp(bank, a, "no")
    assert status_of(bank, c) == "accepted"
    assert status_of(bank, b) == "waitlisted"
    with tenant_scope(bank.tenant):
        kinds = set(EventMessage.objects.filter(invitation_id=c.pk).values_list("kind", flat=True))
    assert "promoted" in kinds


def test_a_waitlisted_decline_promotes_nobody(bank):
    event, (a, b, c) = _three_invited(bank, capacity=1)
    rsvp(bank, a, "yes")
    rsvp(bank, b, "yes")
    rsvp(bank, c, "yes")
    rsvp(bank, b, "no")
    assert [status_of(bank, i) for i in (a, b, c)] == ["accepted", "declined", "waitlisted"]


def test_raising_the_capacity_promotes_the_waitlist_at_once(bank):
    event, (a, b, c) = _three_invited(bank, capacity=1)
    for inv in (a, b, c):
        rsvp(bank, inv, "yes")
    with tenant_scope(bank.tenant):
        services.event_update(user=bank.admin, event=event, capacity=2)
    assert [status_of(bank, i) for i in (a, b, c)] == ["accepted", "accepted", "waitlisted"]


def test_capacity_cannot_drop_below_the_seats_taken(bank):
    event, (a, b, _c) = _three_invited(bank, capacity=2)
    rsvp(bank, a, "yes")
    rsvp(bank, b, "yes")
    with tenant_scope(bank.tenant), pytest.raises(ValidationError) as err:
        services.event_update(user=bank.admin, event=event, capacity=1)
    assert "capacity" in err.value.message_dict


def test_the_client_may_change_its_answer_until_the_start(bank):
    event, (a, _b, _c) = _three_invited(bank)
    assert rsvp(bank, a, "no").status == "declined"
    assert rsvp(bank, a, "yes").status == "accepted"


def test_no_answer_after_the_start(bank):
    event, (a, _b, _c) = _three_invited(bank)
    move_start(bank, event, timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.Gone):
        rsvp(bank, a, "yes")
    assert status_of(bank, a) == "invited"


def test_an_answer_other_than_yes_or_no_names_the_field(bank):
    event, (a, _b, _c) = _three_invited(bank)
    with pytest.raises(ValidationError) as err:
        rsvp(bank, a, "maybe")
    assert "answer" in err.value.message_dict

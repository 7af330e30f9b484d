"""Check-in at the door: attended once, points once, a thank-you follow-up
for the dedicated manager (on My day, closable on the recovery page, not
blocking outreach), the attendance on the timeline; and the reminder sweep
writes each reminder exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from loyalty.events import services
from loyalty.models import EventMessage, PointsEntry, ServiceRecovery
from loyalty.surveys.budget import open_recovery_q
from tenancy.context import tenant_scope

from .event_helpers import invite, make_client, make_event, move_start, rsvp, status_of

pytestmark = pytest.mark.django_db


def _at_the_door(bank, **kw):
    event = make_event(bank, **kw)
    client = make_client(bank)
    (inv,) = invite(bank, event, client)
    rsvp(bank, inv, "yes")
    move_start(bank, event, timezone.now() - timedelta(minutes=10))
    inv.event = event
    return event, client, inv


def _check_in(bank, inv, user=None):
    with tenant_scope(bank.tenant):
        return services.check_in(user=user or bank.rm, invitation=inv)


def test_attendance_earns_points_once_when_checked_in_twice(bank):
    event, client, inv = _at_the_door(bank)
    _check_in(bank, inv)
    _check_in(bank, inv)
    assert status_of(bank, inv) == "attended"
    with tenant_scope(bank.tenant):
        entries = list(
            PointsEntry.objects.filter(client=client).values_list("points", "source_key")
        )
    assert entries == [(200, f"event:{event.pk}:client:{client.pk}")]


def test_check_in_opens_a_thank_you_for_the_manager_that_does_not_block_outreach(bank):
    _event, client, inv = _at_the_door(bank)
    _check_in(bank, inv)
    _check_in(bank, inv)
    with tenant_scope(bank.tenant):
        (ty,) = ServiceRecovery.objects.filter(client=client)
        assert ty.kind == "thank_you" and ty.manager_id == bank.rm.pk and ty.invitation_id == inv.pk
        assert ty.due_at - ty.opened_at == timedelta(days=2)
        from clients.access import tenant_clients

        assert not tenant_clients().filter(pk=client.pk).filter(open_recovery_q()).exists()


def test_the_thank_you_is_on_my_day_and_closes_on_the_recovery_page(bank, web_for):
    _event, client, inv = _at_the_door(bank)
    _check_in(bank, inv)
    _check_in(bank, inv)
    with tenant_scope(bank.tenant):
        from communications.models import Notification

        assert Notification.objects.filter(recipient=bank.rm).count() == 1
    web = web_for(bank.rm)
    assert "my-day-recovery" in web.get("/").content.decode()
    with tenant_scope(bank.tenant):
        ty = ServiceRecovery.objects.get(client=client)
    url = reverse("loyalty:recovery", args=[ty.pk])
    page = web.get(url)
    assert page.status_code == 200 and "thank-you-event" in page.content.decode()
    r = web.post(url, {"action": "Called to thank", "outcome": "Happy", "close": "on"})
    assert r.status_code == 302
    with tenant_scope(bank.tenant):
        assert ServiceRecovery.objects.get(pk=ty.pk).status == "closed"


def test_attendance_shows_on_the_timeline(bank, web_for):
    _event, client, inv = _at_the_door(bank, title="ESG salon for the timeline")
    _check_in(bank, inv)
    html = web_for(bank.rm).get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert 'data-testid="timeline-event"' in html and "ESG salon for the timeline" in html


def test_only_a_yes_can_be_checked_in(bank):
    event = make_event(bank)
    (inv,) = invite(bank, event, make_client(bank))
    rsvp(bank, inv, "no")
    move_start(bank, event, timezone.now())
    inv.event = event
    with pytest.raises(ValidationError) as err:
        _check_in(bank, inv)
    assert "status" in err.value.message_dict


def test_check_in_is_closed_long_before_the_start(bank):
    event = make_event(bank, starts_in=timedelta(days=2))
    (inv,) = invite(bank, event, make_client(bank))
    rsvp(bank, inv, "yes")
    with pytest.raises(ValidationError) as err:
        _check_in(bank, inv)
    assert "event" in err.value.message_dict
    assert status_of(bank, inv) == "accepted"


def _local(bank, day, hour, minute=0):
    """A moment on the tenant's wall clock (check-in days are the tenant's)."""
    from datetime import datetime, time

    from tenancy.timezones import tenant_zone

    return datetime.combine(day, time(hour, minute), tzinfo=tenant_zone(bank.tenant))


def test_a_late_evening_event_stays_open_past_midnight(bank):
    """The window closes at the end of the event day but never sooner than
    six hours after the event: a start at 23:30 with no end can be checked in
    at 00:10 (a suite run at 00:03 in Shanghai once failed on exactly this),
    and not at 05:31."""
    day = timezone.now().date() + timedelta(days=30)
    event = make_event(bank)
    move_start(bank, event, _local(bank, day, 23, 30))
    with tenant_scope(bank.tenant):
        opens, closes = services.check_in_window(event)
    assert opens == _local(bank, day, 21, 30)
    assert closes == _local(bank, day, 23, 30) + timedelta(hours=6)
    (inv,) = invite(bank, event, make_client(bank))
    rsvp(bank, inv, "yes")
    with tenant_scope(bank.tenant):
        with pytest.raises(ValidationError):
            services.check_in(user=bank.rm, invitation=inv, now=closes + timedelta(minutes=1))
        services.check_in(
            user=bank.rm, invitation=inv, now=_local(bank, day + timedelta(days=1), 0, 10)
        )
    assert status_of(bank, inv) == "attended"


def test_a_daytime_event_closes_at_midnight(bank):
    day = timezone.now().date() + timedelta(days=30)
    event = make_event(bank)
    move_start(bank, event, _local(bank, day, 10))
    with tenant_scope(bank.tenant):
        closes = services.check_in_window(event)[1]
    assert closes == _local(bank, day + timedelta(days=1), 0)


def test_compliance_does_not_check_in(bank):
    _event, _client, inv = _at_the_door(bank)
    with pytest.raises(Exception) as err:
        _check_in(bank, inv, user=bank.compliance)
    assert err.type.__name__ == "PermissionDenied"


def test_the_check_in_page_checks_in_only_visible_clients(bank, web_for):
    event = make_event(bank)
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    inv, other = sorted(invite(bank, event, mine, theirs, user=bank.admin), key=lambda i: i.pk)
    if inv.client_id != mine.pk:
        inv, other = other, inv
    rsvp(bank, inv, "yes")
    rsvp(bank, other, "yes")
    move_start(bank, event, timezone.now() - timedelta(minutes=10))
    web = web_for(bank.rm)
    url = reverse("loyalty:event_check_in", args=[event.pk])
    html = web.get(url).content.decode()
    assert f'data-invitation="{inv.pk}"' in html and f'data-invitation="{other.pk}"' not in html
    assert web.post(url, {"invitation": other.pk}).status_code == 404
    assert status_of(bank, other) == "accepted"
    assert web.post(url, {"invitation": inv.pk}).status_code == 302
    assert status_of(bank, inv) == "attended"


def test_the_reminder_goes_once_to_accepted_clients_when_due(bank):
    event = make_event(bank, starts_in=timedelta(hours=30), reminder_hours=48)
    later = make_event(bank, starts_in=timedelta(days=5), reminder_hours=48)
    yes, no, link = make_client(bank), make_client(bank), make_client(bank, consent=())
    a, b, c = sorted(invite(bank, event, yes, no, link), key=lambda i: i.client_id)
    rsvp(bank, a, "yes")
    rsvp(bank, b, "no")
    rsvp(bank, c, "yes")
    (d,) = invite(bank, later, make_client(bank))
    rsvp(bank, d, "yes")
    with tenant_scope(bank.tenant):
        assert services.event_reminders_due() == 1
        assert services.event_reminders_due() == 0
        assert list(
            EventMessage.objects.filter(kind="reminder").values_list("invitation_id", flat=True)
        ) == [a.pk]

"""seed_demo's events: past and upcoming events with RSVPs of every kind,
some for demo_rm's clients, never beyond capacity; set-based (the query
count does not grow with the clients)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from loyalty.events.demo import seed_events
from loyalty.models import Event, EventInvitation
from tenancy.demo import SeedContext
from tenancy.models import Role
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _clients(bank, n, manager, start=0):
    with bank.scope():
        Client.objects.bulk_create(
            [
                ClientFactory.build(
                    tenant=bank.tenant,
                    branch=bank.branch,
                    dedicated_manager=manager,
                    external_id=f"EV{start + i:06d}",
                )
                for i in range(n)
            ]
        )


def _seed(bank, demo_rm):
    ctx = SeedContext(
        tenant=bank.tenant,
        seed=7,
        clients=0,
        interactions=0,
        rng=random.Random(7),
        branches=[bank.branch],
        staff={Role.RM: [bank.rm, demo_rm], Role.ADMIN: [bank.admin]},
    )
    with bank.scope(), CaptureQueriesContext(connection) as q:
        seed_events(ctx)
    return len(q.captured_queries)


@pytest.fixture
def demo_rm(bank):
    return UserFactory(username="demo_rm", tenant=bank.tenant, role=Role.RM, branch=bank.branch)


def test_the_demo_seeds_events_with_rsvps_within_capacity(bank, demo_rm):
    _clients(bank, 1500, bank.rm)
    _clients(bank, 15, demo_rm, start=5000)
    _seed(bank, demo_rm)
    now = timezone.now()
    with bank.scope():
        assert Event.objects.filter(starts_at__lte=now).exists()
        assert Event.objects.filter(starts_at__gt=now).exists()
        statuses = set(EventInvitation.objects.values_list("status", flat=True))
        assert {"accepted", "declined", "waitlisted", "attended"} <= statuses
        assert EventInvitation.objects.filter(client__dedicated_manager=demo_rm).count() >= 10
        seats = Event.objects.annotate(
            seated=Count("invitations", filter=Q(invitations__status__in=["accepted", "attended"]))
        ).values_list("seated", "capacity")
        assert all(s <= c for s, c in seats)
        # one salon starts within the hour with demo_rm's clients: the check-in page has rows
        soon = Event.objects.filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=2))
        assert soon.exists()


def test_the_demo_costs_the_same_queries_at_any_size(bank, demo_rm):
    _clients(bank, 100, bank.rm)
    small = _seed(bank, demo_rm)
    with bank.scope():
        EventInvitation.objects.all().delete()
        Event.objects.all().delete()
    _clients(bank, 2000, bank.rm, start=100)
    assert _seed(bank, demo_rm) == small

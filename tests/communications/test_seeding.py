from __future__ import annotations

import io
import random
import re
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from clients.models import Client
from communications.demo import (
    CORPORATE_SUBJECTS,
    INDIVIDUAL_SUBJECTS,
    NOTES,
    OUTCOMES,
    seed_communications,
)
from communications.models import FollowUp, Interaction, Notification
from communications.services.reminders import followup_reminders_claim
from tenancy.context import tenant_scope
from tenancy.demo import SeedContext
from tenancy.models import Tenant, User
from tests.factories import ClientFactory


def _seed(bank, seed):
    ctx = SeedContext(
        tenant=bank.tenant,
        seed=seed,
        clients=0,
        interactions=300,
        rng=random.Random(seed),
        branches=[bank.branch],
        staff={"rm": [bank.rm]},
    )
    with bank.scope():
        seed_communications(ctx)
        return (
            list(
                Interaction.objects.order_by("id").values_list(
                    "client_id", "kind", "subject", "sentiment"
                )
            ),
            FollowUp.objects.filter(status="open").count(),
            Client.objects.filter(last_contacted_at__isnull=False).count(),
        )


def test_seeder_adds_interactions_and_open_follow_ups_deterministically(bank):
    for _ in range(5):
        ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    first, open_count, contacted = _seed(bank, 7)
    assert len(first) == 300 and open_count >= 5 and contacted == 5
    with bank.scope():
        Interaction.objects.all().delete()
    second, _, _ = _seed(bank, 7)
    assert first == second


LATIN = re.compile(r"[A-Za-z]")


def test_seeded_call_reports_and_follow_ups_are_in_chinese_only(bank):
    for kind in ("individual", "corporate"):
        ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, kind=kind)
    _seed(bank, 3)
    with bank.scope():
        texts = list(Interaction.objects.values_list("subject", "summary", "outcome"))
        notes = list(FollowUp.objects.values_list("note", flat=True))
        corporate_subjects = set(
            Interaction.objects.filter(client__kind="corporate").values_list("subject", flat=True)
        )
    assert not [t for row in texts for t in row if LATIN.search(t.replace("VIP", ""))]
    assert all(summary for _s, summary, _o in texts)
    assert notes and not [n for n in notes if LATIN.search(n)]
    assert "生日祝福" not in corporate_subjects  # subjects fit the kind of client
    # and every text the seeder can choose, not only the ones this seed drew
    choices = [t for row in INDIVIDUAL_SUBJECTS + CORPORATE_SUBJECTS for t in row[1:]]
    choices += OUTCOMES + NOTES
    assert not [t for t in choices if LATIN.search(t.replace("VIP", ""))]


def test_reminder_sweep_notifies_demo_rm_within_minutes_of_seeding(db):
    call_command(
        "seed_demo",
        "--clients",
        "120",
        "--interactions",
        "200",
        "--seed",
        "3",
        stdout=io.StringIO(),
    )
    tenant = Tenant.objects.get(slug="demo")
    demo_rm = User.objects.get(username="demo_rm")
    with tenant_scope(tenant):
        # the worker's first sweep, right after make demo started it
        followup_reminders_claim()
        first = Notification.objects.filter(recipient=demo_rm).count()
        # the sweeps of the next ten minutes (beat runs it every five)
        followup_reminders_claim(now=timezone.now() + timedelta(minutes=10))
        later = Notification.objects.filter(recipient=demo_rm).count()
        still_open = FollowUp.objects.filter(
            assignee=demo_rm, status="open", reminded_at__isnull=True
        ).count()
    assert first >= 3  # the overdue ones
    assert later >= first + 2  # and those falling due meanwhile
    assert still_open >= 3  # later ones keep My day's "upcoming" list alive

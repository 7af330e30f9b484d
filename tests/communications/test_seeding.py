from __future__ import annotations

import random

from clients.models import Client
from communications.demo import seed_communications
from communications.models import FollowUp, Interaction
from tenancy.demo import SeedContext
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

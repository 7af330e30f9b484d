"""Revisit cadence tighteners (clients.cadence): risk's watch list halves a
client's cadence, gives a client without a tier cadence the tightest one ×
0.5, and the revisit queries stay one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from communications import selectors
from risk import watchlist
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _client(bank, *, tier, days_ago):
    return ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        tier=tier,
        last_contacted_at=timezone.now() - timedelta(days=days_ago),
    )


def _due(bank):
    with bank.scope():
        return {c.pk for c in selectors.my_revisits(user=bank.rm, limit=100)}


def _watch(bank, client):
    with bank.scope():
        watchlist.watch_add(user=bank.risk_officer, client=client, reason="Arrears")


def test_watch_list_halves_the_tier_cadence(bank):
    c = _client(bank, tier="platinum", days_ago=20)  # cadence 30 days
    assert c.pk not in _due(bank)
    _watch(bank, c)
    assert c.pk in _due(bank)  # 30 × 0.5 = 15 days


def test_watch_listed_client_within_the_halved_cadence_is_not_due(bank):
    c = _client(bank, tier="gold", days_ago=20)  # 60 → 30 days
    _watch(bank, c)
    assert c.pk not in _due(bank)


def test_client_without_a_tier_cadence_gets_the_tightest_times_factor(bank):
    recent = _client(bank, tier="standard", days_ago=10)
    old = _client(bank, tier="standard", days_ago=20)
    assert _due(bank) == set()
    _watch(bank, recent)
    _watch(bank, old)
    assert _due(bank) == {old.pk}  # tightest (platinum 30) × 0.5 = 15 days


def test_removed_entry_restores_the_cadence(bank):
    c = _client(bank, tier="platinum", days_ago=20)
    _watch(bank, c)
    with bank.scope():
        watchlist.watch_remove(user=bank.risk_officer, client=c, reason="Repaid")
    assert c.pk not in _due(bank)


def test_revisit_list_adds_no_query(bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with bank.scope():
            selectors.my_revisits(user=bank.rm)  # warm the scope memo
            with CaptureQueriesContext(connection) as ctx:
                rows = selectors.my_revisits(user=bank.rm)
        return len(ctx), len(rows)

    for i in range(5):
        _client(bank, tier="platinum", days_ago=20 + i)
    before, shown = count()
    assert shown == 0
    with bank.scope():
        for c in selectors.visible_clients(bank.rm):
            watchlist.watch_add(user=bank.risk_officer, client=c, reason="Arrears")
    assert count() == (before, 5)  # the settings and the one list query, as before

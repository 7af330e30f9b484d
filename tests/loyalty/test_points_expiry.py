"""The nightly FIFO expiry: the unconsumed part of lots past their expiry,
soonest-expiring first; idempotent (run twice → the same ledger)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loyalty.models import PointsEntry, PointsSettings, Reward
from loyalty.points import expiry, services
from loyalty.points.configuration import forget_points_settings
from loyalty.tasks_points import points_expiry_sweep

from .points_helpers import assert_ledger_consistent, balance, make_client

MONTH = timedelta(days=31)


def _lot(bank, client, points, key):
    with bank.scope():
        return services.points_earn(client=client, points=points, reason="lot", source_key=key)


def _expire(bank, now):
    with bank.scope():
        return expiry.points_expire_due(now=now)


def _expired(bank, client):
    with bank.scope():
        return [e.points for e in PointsEntry.objects.filter(client=client, kind="expire")]


def test_nothing_expires_before_the_period(bank):
    c = make_client(bank)
    _lot(bank, c, 100, "a")
    assert _expire(bank, timezone.now() + 23 * MONTH) == 0
    assert balance(bank, c) == 100


def test_redemptions_consume_the_oldest_lot_first(bank):
    c = make_client(bank)
    lot1 = _lot(bank, c, 100, "a")
    with bank.scope():
        # a second lot written a year later (as the earn rules would, at their own time)
        services._append(
            account=services._locked_account(c),
            kind="earn",
            points=300,
            reason="later",
            source_key="b",
            at=lot1.created_at + 12 * MONTH,
        )
        reward = Reward.objects.create(name="R", points_cost=150, stock=5)
        services.redemption_create(
            user=bank.rm, client=c, reward=reward
        )  # 100 from lot 1, 50 from lot 2
    assert balance(bank, c) == 250
    # lot 1 expired, all consumed: nothing to expire
    assert _expire(bank, lot1.created_at + 25 * MONTH) == 0
    # lot 2 expired: its unconsumed 250 go
    assert _expire(bank, lot1.created_at + 37 * MONTH) == 1
    assert _expired(bank, c) == [-250] and balance(bank, c) == 0
    assert_ledger_consistent(bank)


def test_partly_consumed_old_lot_expires_its_rest_and_a_rerun_writes_nothing(bank):
    c = make_client(bank)
    lot1 = _lot(bank, c, 100, "a")
    with bank.scope():
        services.points_adjust(user=bank.admin, client=c, points=-30, reason="fix")
    later = lot1.created_at + 25 * MONTH
    assert _expire(bank, later) == 1
    assert _expired(bank, c) == [-70] and balance(bank, c) == 0
    assert _expire(bank, later) == 0
    assert _expire(bank, later + MONTH) == 0
    assert _expired(bank, c) == [-70]
    assert_ledger_consistent(bank)


def test_only_the_expired_lots_go(bank):
    c = make_client(bank)
    old = _lot(bank, c, 100, "a")
    with bank.scope():
        services._append(
            account=services._locked_account(c),
            kind="earn",
            points=40,
            reason="newer",
            source_key="b",
            at=old.created_at + 6 * MONTH,
        )
    assert _expire(bank, old.created_at + 25 * MONTH) == 1
    assert _expired(bank, c) == [-100] and balance(bank, c) == 40
    assert _expire(bank, old.created_at + 31 * MONTH) == 1
    assert sorted(_expired(bank, c)) == [-100, -40] and balance(bank, c) == 0
    assert_ledger_consistent(bank)


def test_the_tenants_expiry_period_applies_to_new_points(bank):
    c = make_client(bank)
    with bank.scope():
        PointsSettings.objects.create(expiry_months=6)
        forget_points_settings()
    lot = _lot(bank, c, 100, "a")
    assert lot.expires_at <= lot.created_at + 6 * MONTH
    assert _expire(bank, lot.created_at + 7 * MONTH) == 1


def test_the_nightly_sweep_runs_each_tenant(bank, other_bank):
    c, foreign = make_client(bank), make_client(other_bank)
    _lot(bank, c, 100, "a")
    _lot(other_bank, foreign, 100, "b")
    assert points_expiry_sweep() == 2  # tasks enqueued, one per tenant (eager in tests)
    assert balance(bank, c) == 100  # nothing due yet

"""Earn rules: set-based, idempotent (run twice → the same ledger), a unique
source key per earning; the tenant's settings decide the points."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from clients.models import LifeEvent, Transaction
from loyalty.models import PointsEntry, PointsSettings
from loyalty.points import earn as earn_rules
from loyalty.points.configuration import forget_points_settings

from .points_helpers import assert_ledger_consistent, balance, make_client


def wealth_purchase(
    bank, client, amount, *, currency="CNY", direction="out", category="wealth", days=1
):
    with bank.scope():
        return Transaction.objects.create(
            client=client,
            occurred_at=timezone.now() - timedelta(days=days),
            amount=Decimal(amount),
            currency=currency,
            direction=direction,
            category=category,
            external_ref=f"T-{client.pk}-{amount}-{currency}-{direction}-{category}-{days}",
        )


def _ledger(bank):
    with bank.scope():
        return sorted(PointsEntry.objects.values_list("client_id", "kind", "points", "source_key"))


def test_wealth_purchases_earn_per_whole_10000_and_a_rerun_writes_nothing(bank):
    a, b = make_client(bank), make_client(bank)
    t1 = wealth_purchase(bank, a, "25000")  # 2 × 10
    wealth_purchase(bank, a, "9999.99")  # below 10,000: nothing
    wealth_purchase(bank, b, "10000", currency="USD")  # 71,000 CNY: 7 × 10
    wealth_purchase(bank, b, "50000", direction="in")  # a maturity, not a purchase
    wealth_purchase(bank, b, "50000", category="fund")  # not a wealth product
    wealth_purchase(bank, b, "50000", days=200)  # older than the look-back
    with bank.scope():
        run = earn_rules.earn_rules_run()
    assert run.wealth == 2
    first = _ledger(bank)
    assert (a.pk, "earn", 20, f"txn:{t1.pk}") in first
    assert balance(bank, a) == 20 and balance(bank, b) == 70
    with bank.scope():
        assert earn_rules.earn_rules_run().wealth == 0
    assert _ledger(bank) == first
    assert_ledger_consistent(bank)


def test_the_tenants_rate_decides_the_points(bank):
    c = make_client(bank)
    wealth_purchase(bank, c, "30000")
    with bank.scope():
        PointsSettings.objects.create(points_per_10k_wealth=25)
        forget_points_settings()
        earn_rules.earn_rules_run()
    assert balance(bank, c) == 75


def test_birthday_bonus_once_a_year(bank):
    today = timezone.localdate()
    c, other, closed = make_client(bank), make_client(bank), make_client(bank, lifecycle="closed")
    with bank.scope():
        born = date(1984, today.month, today.day)  # a leap year: 29 February exists
        LifeEvent.objects.create(client=c, kind="birthday", date=born)
        LifeEvent.objects.create(client=closed, kind="birthday", date=born)
        LifeEvent.objects.create(client=other, kind="birthday", date=today - timedelta(days=40))
        first = earn_rules.earn_rules_run()
        second = earn_rules.earn_rules_run()
    assert first.birthdays == 1 and second.birthdays == 0
    assert balance(bank, c) == 500 and balance(bank, other) == 0 and balance(bank, closed) == 0
    assert _ledger(bank) == [(c.pk, "earn", 500, f"birthday:{c.pk}:{today.year}")]


def test_each_tenant_earns_its_own(bank, other_bank):
    c, foreign = make_client(bank), make_client(other_bank)
    wealth_purchase(bank, c, "10000")
    wealth_purchase(other_bank, foreign, "10000")
    with bank.scope():
        earn_rules.earn_rules_run()
    assert balance(bank, c) == 10 and balance(other_bank, foreign) == 0

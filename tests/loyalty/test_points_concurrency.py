"""Two redemptions at once on PostgreSQL (two threads, two connections) can
never overdraw the balance or the stock; two expiry runs at once write one
expiry; two earn runs at once earn once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from loyalty.models import PointsEntry, Redemption
from loyalty.points import earn as earn_rules
from loyalty.points import expiry, services
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .points_helpers import assert_ledger_consistent, balance, earn, make_client, make_reward


def _together(*bodies) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def run(body):
        try:
            start.wait()
            body()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting for a lock"
    return errors


def _redeem(bank, client, reward):
    def body():
        with tenant_scope(bank.tenant):
            services.redemption_create(user=bank.rm, client=client, reward=reward)

    return body


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_never_overdraw_the_balance(bank):
    c = make_client(bank)
    earn(bank, c, 150)  # enough for one redemption of 100, not two
    reward = make_reward(bank, cost=100, stock=10)
    errors = _together(_redeem(bank, c, reward), _redeem(bank, c, reward))
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "client" in errors[0].message_dict
    assert balance(bank, c) == 50
    with tenant_scope(bank.tenant):
        assert Redemption.objects.count() == 1
    assert_ledger_consistent(bank)


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_never_overdraw_the_stock(bank):
    a, b = make_client(bank), make_client(bank)
    earn(bank, a, 500)
    earn(bank, b, 500)
    reward = make_reward(bank, cost=100, stock=1)
    errors = _together(_redeem(bank, a, reward), _redeem(bank, b, reward))
    assert len(errors) == 1 and "reward" in errors[0].message_dict
    with tenant_scope(bank.tenant):
        reward.refresh_from_db()
        assert reward.stock == 0 and Redemption.objects.count() == 1
    assert sorted([balance(bank, a), balance(bank, b)]) == [400, 500]
    assert_ledger_consistent(bank)


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_expiry_runs_expire_once(bank):
    clients = [make_client(bank) for _ in range(5)]
    for c in clients:
        with tenant_scope(bank.tenant):
            services.points_earn(client=c, points=100, reason="old", source_key=f"old:{c.pk}")
    later = timezone.now() + timedelta(days=800)  # every lot is past its 24 months

    def run():
        with tenant_scope(bank.tenant):
            expiry.points_expire_due(now=later)

    errors = _together(run, run)
    assert errors == []
    with tenant_scope(bank.tenant):
        assert PointsEntry.objects.filter(kind="expire").count() == 5
    assert all(balance(bank, c) == 0 for c in clients)
    assert_ledger_consistent(bank)


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_earn_runs_earn_once(bank):
    from .test_points_earn import wealth_purchase

    c = make_client(bank)
    wealth_purchase(bank, c, "25000")

    def run():
        with tenant_scope(bank.tenant):
            earn_rules.earn_rules_run()

    assert _together(run, run) == []
    assert balance(bank, c) == 20  # 2 × 10 points per whole 10,000
    assert_ledger_consistent(bank)

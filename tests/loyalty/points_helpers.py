"""Builders and checks for the points tests, inside a bank's scope."""

from __future__ import annotations

from django.db import connection
from django.db.models import Sum

from loyalty.models import PointsAccount, PointsEntry, Reward
from loyalty.points import services
from tests.factories import ClientFactory


def make_client(bank, *, manager=None, branch=None, **kw):
    return ClientFactory(
        tenant=bank.tenant,
        branch=branch or bank.branch,
        dedicated_manager=bank.rm if manager is None else manager,
        **kw,
    )


def earn(bank, client, points, key=None, **kw):
    with bank.scope():
        return services.points_earn(
            client=client,
            points=points,
            reason="test",
            source_key=key or f"t:{client.pk}:{points}:{kw}",
        )


def make_reward(bank, *, cost=100, stock=5, min_tier="", name=None, active=True):
    with bank.scope():
        return Reward.objects.create(
            name=name or f"Reward {cost}-{stock}-{min_tier}-{Reward.objects.count()}",
            points_cost=cost,
            stock=stock,
            min_tier=min_tier,
            active=active,
        )


def balance(bank, client) -> int:
    with bank.scope():
        return int(
            PointsAccount.objects.filter(client=client).values_list("balance", flat=True).first()
            or 0
        )


def ledger_sum(bank, client) -> int:
    with bank.scope():
        return int(PointsEntry.objects.filter(client=client).aggregate(s=Sum("points"))["s"] or 0)


def assert_ledger_consistent(bank) -> None:
    """Every account equals the sum of its entries (and PostgreSQL's deferred
    balance checks, if any are pending, pass now)."""
    with bank.scope():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS pointsentry_balance_matches IMMEDIATE")
        sums = dict(
            PointsEntry.objects.values("client_id")
            .annotate(s=Sum("points"))
            .order_by()
            .values_list("client_id", "s")
        )
        balances = dict(PointsAccount.objects.values_list("client_id", "balance"))
    assert {k: v for k, v in balances.items() if v or k in sums} == sums

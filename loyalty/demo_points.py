"""Demo points and rewards (``seed_demo``, registered in loyalty/points/registrations.py).

Deterministic for ``ctx.seed``. At bench scale (100,000 clients) set-based:
one multi-row insert of balance rows, then one of ledger entries (PostgreSQL's
balance trigger checks each client at that statement's end, so the balances
are written first and equal the sum of the entries they stand for). A share of
the clients holds points; every client of the demo RM does, so the 360° page
shows a ledger. A few redemptions go through the real service (stock, audit).
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.utils import timezone

from clients.models import Client
from tenancy.demo import SeedContext, insert_rows
from tenancy.models import Role

from .models import PointsAccount, PointsEntry, Reward
from .points import services
from .points.configuration import points_settings

POINTS_SHARE = 0.2

REWARDS = [
    # name, description, cost, stock, min tier
    ("机场贵宾厅 · Airport lounge", "国内机场贵宾厅一次", 2_000, 500, ""),
    ("高端体检 · Health check", "三甲医院高端体检套餐", 8_000, 200, "silver"),
    ("高尔夫体验 · Golf day", "球场一日体验（两人）", 15_000, 80, "gold"),
    ("私人银行家宴 · Private dinner", "私人银行客户答谢晚宴席位", 30_000, 30, "platinum"),
    ("理财讲座座位 · Investment lecture seat", "年度投资策略会座位", 500, 1_000, ""),
    ("定制茶礼 · Tea gift box", "节日定制茶礼盒", 1_200, 300, ""),
]


def seed_points(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"points-{ctx.seed}")
    tenant_id = ctx.tenant.pk
    settings = points_settings(persist=True)
    now = timezone.now()
    admins = ctx.staff.get(Role.ADMIN, [])
    demo_rm = next((u for u in ctx.staff.get(Role.RM, []) if u.username == "demo_rm"), None)

    Reward.objects.bulk_create(
        [
            Reward(
                tenant_id=tenant_id,
                name=name,
                description=text,
                points_cost=cost,
                stock=stock,
                min_tier=tier,
                active=True,
            )
            for name, text, cost, stock, tier in REWARDS
        ]
    )

    clients = list(
        Client.objects.order_by("external_id").values_list("pk", "tier", "dedicated_manager_id")
    )
    per_tier = {"platinum": 6, "gold": 4, "silver": 3, "standard": 2}
    accounts, entries = [], []
    for pk, tier, manager_id in clients:
        mine = demo_rm is not None and manager_id == demo_rm.pk
        if not mine and rng.random() >= POINTS_SHARE:
            continue
        balance = 0
        for n in range(rng.randint(1, per_tier.get(tier, 2))):
            at = now - timedelta(days=rng.randint(5, 600), minutes=rng.randint(0, 1440))
            points = rng.choice((200, 500, 800, 1_000, 2_500, 5_000))
            balance += points
            entries.append(
                (
                    tenant_id,
                    pk,
                    "earn",
                    points,
                    "Wealth-product purchase",
                    f"seed:{pk}:{n}",
                    at,
                    services.lot_expiry(at=at, settings=settings),
                )
            )
        accounts.append((tenant_id, pk, balance, now))
    insert_rows(PointsAccount, ["tenant_id", "client_id", "balance", "updated_at"], accounts)
    insert_rows(
        PointsEntry,
        [
            "tenant_id",
            "client_id",
            "kind",
            "points",
            "reason",
            "source_key",
            "created_at",
            "expires_at",
        ],
        entries,
    )
    ctx.say(
        f"  points: {len(accounts)} balances, {len(entries)} entries, {len(REWARDS)} rewards"
        f" ({time.monotonic() - started:.1f}s)"
    )

    # A few redemptions through the service (balance, stock and audit as in real use).
    if admins:
        by_pk = {pk: tier for pk, tier, _m in clients}
        cheap = Reward.objects.filter(points_cost__lte=2_000).order_by("points_cost").first()
        rich = [a for a in accounts if a[2] >= 2_000][:20]
        for _t, pk, _b, _n in rich:
            client = Client.objects.get(pk=pk)
            if cheap is not None and services.tier_meets(by_pk[pk], cheap.min_tier):
                services.redemption_create(user=admins[0], client=client, reward=cheap)
    ctx.say(f"  points: redemptions ({time.monotonic() - started:.1f}s)")

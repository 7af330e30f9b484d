"""Demo data: ``ctx.interactions`` call reports spread over the demo bank's
clients, and open follow-ups (some overdue, some due today). Deterministic
for ``ctx.seed``; interactions go in through COPY (``insert_rows``), and the
clients' last contact is one set-based UPDATE (fast at a million interactions)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from clients.models import Client
from tenancy.demo import SeedContext, insert_rows

from .models import FollowUp, Interaction

SUBJECTS = [
    ("meeting", "季度资产检视 Quarterly portfolio review"),
    ("call", "理财产品到期提醒 Product maturity call"),
    ("visit", "企业实地拜访 On-site company visit"),
    ("email", "市场观点邮件 Market outlook email"),
    ("event", "VIP 沙龙 VIP salon"),
    ("message", "生日祝福 Birthday greeting"),
    ("meeting", "家族信托咨询 Family trust consultation"),
    ("call", "贷款续期沟通 Loan renewal call"),
]
OUTCOMES = [
    "客户有意向 Interested",
    "需要进一步资料 Needs more information",
    "暂不考虑 Not now",
    "",
]
BATCH = 100_000


def seed_communications(ctx: SeedContext) -> None:
    clients = list(
        Client.objects.filter(dedicated_manager__isnull=False)
        .order_by("pk")
        .values_list("pk", "dedicated_manager_id")
    )
    if not clients:
        ctx.say("communications: no managed clients, nothing to seed")
        return
    rng = ctx.rng
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    tenant_id = ctx.tenant.pk
    columns = [
        "tenant_id",
        "client_id",
        "author_id",
        "kind",
        "occurred_at",
        "created_at",
        "updated_at",
        "duration_minutes",
        "subject",
        "summary",
        "outcome",
        "sentiment",
        "confidential",
    ]
    made = 0
    while made < ctx.interactions:
        rows = []
        for _ in range(min(BATCH, ctx.interactions - made)):
            client_id, manager_id = clients[rng.randrange(len(clients))]
            kind, subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
            at = now - timedelta(minutes=rng.randrange(30, 400 * 24 * 60))
            rows.append(
                (
                    tenant_id,
                    client_id,
                    manager_id,
                    kind,
                    at,
                    at,
                    now,
                    rng.choice([10, 15, 30, 45, 60, 90]),
                    subject,
                    "",
                    OUTCOMES[rng.randrange(len(OUTCOMES))],
                    rng.choice(["positive", "neutral", "neutral", "negative"]),
                    rng.random() < 0.05,
                )
            )
        rows.sort(
            key=lambda r: r[1]
        )  # by client: the (tenant, client, time) index is written in order
        insert_rows(Interaction, columns, rows)
        made += len(rows)
    ctx.say(f"  interactions: {made} ({time.monotonic() - started:.1f}s)")
    _last_contacted_from_interactions(tenant_id)
    ctx.say(f"  last contact of every client ({time.monotonic() - started:.1f}s)")

    # open follow-ups: every demo RM gets overdue, today's and upcoming ones
    follow_ups = []
    count = min(len(clients), max(20, ctx.interactions // 20))
    demo_rm = next((u for u in ctx.staff.get("rm", []) if u.username == "demo_rm"), None)
    mine = [c for c in clients if demo_rm and c[1] == demo_rm.pk]
    picks = mine[:12] + [clients[rng.randrange(len(clients))] for _ in range(count)]
    for i, (client_id, manager_id) in enumerate(picks):
        offset_hours = [-72, -26, -3, 2, 5, 30, 75, 150][i % 8] + rng.randrange(0, 3)
        follow_ups.append(
            FollowUp(
                tenant_id=tenant_id,
                client_id=client_id,
                assignee_id=manager_id,
                created_by_id=manager_id,
                kind=FollowUp.Kind.NEXT_STEP,
                due_at=now + timedelta(hours=offset_hours),
                note=rng.choice(
                    [
                        "发送产品说明书 Send the product sheet",
                        "预约下次面谈 Book the next meeting",
                        "跟进贷款材料 Chase loan documents",
                        "确认风险测评 Confirm risk questionnaire",
                    ]
                ),
                created_at=now - timedelta(days=rng.randrange(1, 10)),
                # demo history: past-due ones were reminded already
                reminded_at=now if offset_hours < 0 else None,
            )
        )
    FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
    ctx.say(
        f"communications: {made} interactions, {len(follow_ups)} open follow-ups "
        f"({time.monotonic() - started:.1f}s)"
    )


def _last_contacted_from_interactions(tenant_id: int) -> None:
    """``Client.last_contacted_at`` = the client's latest interaction (NULL without
    one), as one set-based UPDATE instead of a correlated subquery per client."""
    client, interaction = Client._meta.db_table, Interaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {client} SET last_contacted_at = latest.at FROM ("
            f" SELECT c.id, MAX(i.occurred_at) AS at FROM {client} c"
            f" LEFT JOIN {interaction} i ON i.client_id = c.id AND i.tenant_id = c.tenant_id"
            f" WHERE c.tenant_id = %s GROUP BY c.id"
            f") latest WHERE {client}.id = latest.id AND {client}.tenant_id = %s",
            [tenant_id, tenant_id],
        )

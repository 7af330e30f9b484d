"""Demo data: ``ctx.interactions`` call reports spread over the demo bank's
clients, and open follow-ups (some overdue, some due today). Deterministic
for ``ctx.seed``; bulk writes only (fast at a million interactions)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from clients.models import Client
from tenancy.seeding import SeedContext

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
OUTCOMES = ["客户有意向 Interested", "需要进一步资料 Needs more information", "暂不考虑 Not now", ""]
BATCH = 5000


def seed_communications(ctx: SeedContext) -> None:
    clients = list(
        Client.objects.filter(dedicated_manager__isnull=False)
        .order_by("pk").values_list("pk", "dedicated_manager_id")
    )
    if not clients:
        ctx.say("communications: no managed clients, nothing to seed")
        return
    rng = ctx.rng
    now = timezone.now().replace(microsecond=0)
    tenant_id = ctx.tenant.pk
    made = 0
    while made < ctx.interactions:
        rows = []
        for _ in range(min(BATCH, ctx.interactions - made)):
            client_id, manager_id = clients[rng.randrange(len(clients))]
            kind, subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
            at = now - timedelta(minutes=rng.randrange(30, 400 * 24 * 60))
            rows.append(Interaction(
                tenant_id=tenant_id, client_id=client_id, author_id=manager_id, kind=kind, occurred_at=at,
                created_at=at, duration_minutes=rng.choice([10, 15, 30, 45, 60, 90]), subject=subject,
                summary="", outcome=OUTCOMES[rng.randrange(len(OUTCOMES))],
                sentiment=rng.choice(["positive", "neutral", "neutral", "negative"]),
                confidential=rng.random() < 0.05,
            ))
        Interaction.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
    latest = Interaction.objects.filter(client=OuterRef("pk")).order_by().values("client").annotate(
        m=Max("occurred_at")).values("m")
    Client.objects.update(last_contacted_at=Subquery(latest))

    # open follow-ups: every demo RM gets overdue, today's and upcoming ones
    follow_ups = []
    count = min(len(clients), max(20, ctx.interactions // 20))
    demo_rm = next((u for u in ctx.staff.get("rm", []) if u.username == "demo_rm"), None)
    mine = [c for c in clients if demo_rm and c[1] == demo_rm.pk]
    picks = mine[:12] + [clients[rng.randrange(len(clients))] for _ in range(count)]
    for i, (client_id, manager_id) in enumerate(picks):
        offset_hours = [-72, -26, -3, 2, 5, 30, 75, 150][i % 8] + rng.randrange(0, 3)
        follow_ups.append(FollowUp(
            tenant_id=tenant_id, client_id=client_id, assignee_id=manager_id, created_by_id=manager_id,
            kind=FollowUp.Kind.NEXT_STEP, due_at=now + timedelta(hours=offset_hours),
            note=rng.choice(["发送产品说明书 Send the product sheet", "预约下次面谈 Book the next meeting",
                             "跟进贷款材料 Chase loan documents", "确认风险测评 Confirm risk questionnaire"]),
            created_at=now - timedelta(days=rng.randrange(1, 10)),
            # demo history: past-due ones were reminded already
            reminded_at=now if offset_hours < 0 else None,
        ))
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    ctx.say(f"communications: {made} interactions, {len(follow_ups)} open follow-ups")

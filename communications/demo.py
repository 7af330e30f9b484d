"""Demo data, in Chinese: ``ctx.interactions`` call reports spread over the
demo bank's clients (subjects that fit individuals or companies), and open
follow-ups (some overdue, some due today; demo_rm's not reminded yet, so the
worker's first reminder sweeps notify them). Deterministic
for ``ctx.seed``; interactions go in through COPY (``insert_rows``). For the
demo's own clients which client each report is about and when is drawn before
the clients are written (``plan_last_contacts``), so their last contact is
written with them; for other clients it is one set-based UPDATE."""

from __future__ import annotations

import random
import time
from array import array
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from clients.models import Client
from tenancy.demo import SeedContext, insert_rows

from .models import FollowUp, Interaction

# The demo bank is Chinese: every record is in Chinese only (the UI translates
# its own strings, never data). (kind, subject, summary), by client kind.
INDIVIDUAL_SUBJECTS = [
    ("meeting", "季度资产检视", "与客户回顾本季度持仓表现，讨论下季度配置调整。"),
    ("call", "理财产品到期提醒", "提醒客户理财产品即将到期，了解续作意向。"),
    ("email", "市场观点邮件", "发送本月市场观点及资产配置建议。"),
    ("event", "VIP沙龙", "客户出席私行客户沙龙，对家族财富传承话题感兴趣。"),
    ("message", "生日祝福", "发送生日祝福短信。"),
    ("meeting", "家族信托咨询", "介绍家族信托架构与设立流程，客户需与家人商议。"),
    ("call", "房贷续期沟通", "沟通个人住房贷款续期安排及所需材料。"),
    ("visit", "上门拜访", "上门拜访客户，了解家庭近况和子女教育规划。"),
]
CORPORATE_SUBJECTS = [
    ("visit", "企业实地拜访", "实地走访企业，了解经营状况与资金需求。"),
    ("call", "贷款续期沟通", "与财务负责人沟通经营性贷款续期安排。"),
    ("meeting", "年度授信沟通", "与企业管理层讨论年度授信方案。"),
    ("email", "现金管理方案", "发送企业现金管理方案及收费说明。"),
    ("meeting", "季度经营回顾", "回顾企业本季度资金流水与结算情况。"),
    ("event", "企业家沙龙", "企业负责人出席企业家沙龙。"),
]
OUTCOMES = ["客户有意向", "需要进一步资料", "暂不考虑", ""]
NOTES = ["发送产品说明书", "预约下次面谈", "跟进贷款材料", "确认风险测评结果", "更新客户资料"]
# Open follow-ups of every demo RM, hours from the moment of seeding: some
# overdue, some due today, some later.
DUE_HOURS = [-72, -26, -3, 2, 5, 30, 75, 150]
# demo_rm's own, minutes from seeding: the reminder sweep (every 5 minutes)
# finds the first ones as soon as the worker of ``make demo`` runs, and more
# fall due in its first half hour, so notifications appear while one watches.
DEMO_RM_DUE_MINUTES = [-3 * 24 * 60, -26 * 60, -90, -5, 3, 8, 15, 25, 4 * 60, 26 * 60, 3 * 24 * 60]
BATCH = 100_000
# the earliest call report, minutes before the seeding (the latest: 30 minutes before)
OLDEST_MINUTES = 400 * 24 * 60
PLAN = "communications.drawn"


def plan_last_contacts(ctx: SeedContext, clients: list[tuple[str, str]]) -> dict[str, list]:
    """Draw which client each call report is about and when, before the demo's client
    rows are written (clients.demo.register_client_columns), so each client's last
    contact — its latest report — is written with the row instead of by an UPDATE
    of every client afterwards. Every demo client has a dedicated manager."""
    rng = random.Random(f"communications-{ctx.seed}")
    now = timezone.now().replace(microsecond=0)
    who = array("l", (rng.randrange(len(clients)) for _ in range(ctx.interactions)))
    ago = array("l", (rng.randrange(30, OLDEST_MINUTES) for _ in range(ctx.interactions)))
    nearest: list[int | None] = [None] * len(clients)
    for i, minutes in zip(who, ago, strict=True):
        if nearest[i] is None or minutes < nearest[i]:
            nearest[i] = minutes
    ctx.extra[PLAN] = (now, [external_id for external_id, _kind in clients], who, ago)
    return {
        "last_contacted_at": [
            None if minutes is None else now - timedelta(minutes=minutes) for minutes in nearest
        ]
    }


def seed_communications(ctx: SeedContext) -> None:
    clients = list(
        Client.objects.filter(dedicated_manager__isnull=False)
        .order_by("pk")
        .values_list("pk", "dedicated_manager_id", "kind", "external_id")
    )
    if not clients:
        ctx.say("communications: no managed clients, nothing to seed")
        return
    rng = ctx.rng
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    tenant_id = ctx.tenant.pk
    planned = ctx.extra.get(PLAN)
    if planned is not None:  # the clients' last contact was written with them
        now, external_ids, who, ago = planned
        by_external_id = {c[3]: c for c in clients}
        order = [by_external_id[e] for e in external_ids]
        drawn = ((order[i], minutes) for i, minutes in zip(who, ago, strict=True))
    else:
        drawn = (
            (clients[rng.randrange(len(clients))], rng.randrange(30, OLDEST_MINUTES))
            for _ in range(ctx.interactions)
        )
    columns = [
        "client_id",
        "author_id",
        "kind",
        "occurred_at",
        "created_at",
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
            (client_id, manager_id, client_kind, _e), minutes = next(drawn)
            subjects = CORPORATE_SUBJECTS if client_kind == "corporate" else INDIVIDUAL_SUBJECTS
            kind, subject, summary = subjects[rng.randrange(len(subjects))]
            at = now - timedelta(minutes=minutes)
            rows.append(
                (
                    client_id,
                    manager_id,
                    kind,
                    at,
                    at,
                    rng.choice([10, 15, 30, 45, 60, 90]),
                    subject,
                    summary,
                    OUTCOMES[rng.randrange(len(OUTCOMES))],
                    rng.choice(["positive", "neutral", "neutral", "negative"]),
                    rng.random() < 0.05,
                )
            )
        rows.sort(key=lambda r: r[0])  # by client: the (tenant, client, time) index in order
        insert_rows(Interaction, columns, rows, {"tenant_id": tenant_id, "updated_at": now})
        made += len(rows)
    ctx.say(f"  interactions: {made} ({time.monotonic() - started:.1f}s)")
    if planned is None:
        _last_contacted_from_interactions(tenant_id)
        ctx.say(f"  last contact of every client ({time.monotonic() - started:.1f}s)")

    # open follow-ups: every demo RM gets overdue, today's and upcoming ones
    follow_ups = []
    count = min(len(clients), max(20, ctx.interactions // 20))
    demo_rm = next((u for u in ctx.staff.get("rm", []) if u.username == "demo_rm"), None)
    mine = [c for c in clients if demo_rm and c[1] == demo_rm.pk]
    for i, (client_id, manager_id, _kind, _e) in enumerate(mine[: len(DEMO_RM_DUE_MINUTES)]):
        # not reminded yet: the worker's first sweeps notify demo_rm
        follow_ups.append(
            _follow_up(ctx, client_id, manager_id, now + timedelta(minutes=DEMO_RM_DUE_MINUTES[i]))
        )
    for i in range(count):
        client_id, manager_id, _kind, _e = clients[rng.randrange(len(clients))]
        offset_hours = DUE_HOURS[i % len(DUE_HOURS)] + rng.randrange(0, 3)
        follow_ups.append(
            # demo history: the past-due ones were reminded already
            _follow_up(
                ctx,
                client_id,
                manager_id,
                now + timedelta(hours=offset_hours),
                reminded_at=now if offset_hours < 0 else None,
            )
        )
    FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
    ctx.say(
        f"communications: {made} interactions, {len(follow_ups)} open follow-ups "
        f"({time.monotonic() - started:.1f}s)"
    )


def _follow_up(ctx: SeedContext, client_id, manager_id, due_at, reminded_at=None) -> FollowUp:
    now = timezone.now()
    return FollowUp(
        tenant_id=ctx.tenant.pk,
        client_id=client_id,
        assignee_id=manager_id,
        created_by_id=manager_id,
        kind=FollowUp.Kind.NEXT_STEP,
        due_at=due_at,
        note=NOTES[ctx.rng.randrange(len(NOTES))],
        created_at=min(now, due_at) - timedelta(days=ctx.rng.randrange(1, 10)),
        reminded_at=reminded_at,
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

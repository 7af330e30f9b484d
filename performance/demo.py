"""Demo data: 12 months of KPI snapshots for the demo bank (seeder order 90,
after every app that feeds a measure).

Every snapshot is computed by the real code (``snapshots.snapshot_run``) from
the demo's own surveys, holdings, transactions, alerts and follow-ups. Two
inputs have no history in the demo, so they are synthesized, deterministically:

- the daily AUM of the past year, per RM, branch and the tenant, walked back
  from today's real aggregate with a steady growth per subject (3–12% a year)
  and a small weekly wobble — what the nightly job would have recorded;
- who was a key client at the start of each past month: today's key clients,
  plus the dormant and closed clients that have a dedicated manager, each in
  the base of one month (the month it was lost), so retention and the "lost
  key clients" drill-down have something to show.

Months before the previous one are closed (frozen), as an admin would have
done; the previous and the current month stay open.

Improvement actions: each branch head has set one for the first RM of the
team from last month's scorecard (done by the RM) and one from this month's
(open, linked to two of the RM's open follow-ups), through the services.
"""

from __future__ import annotations

import math
import random
import time
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clients.access import tenant_clients
from tenancy.demo import SeedContext, insert_rows
from tenancy.models import Role

from . import measures as m
from . import periods
from .models import DailyAum, ImprovementAction, KeyClientBase, KpiPeriodClose, Scope
from .snapshots import key_client_base_record, snapshot_run

MONTHS = 12


def seed_performance(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"performance-{ctx.seed}")
    now = timezone.now()
    today = periods.today_local(now)
    current = periods.current_period(now)
    past = periods.last_periods(current, MONTHS)[:-1]
    tenant_id = ctx.tenant.pk

    _aum_history(rng, tenant_id, today, periods.first_day(past[0]))
    lost = _lost_clients(rng, past)
    for period in past:
        key_client_base_record(period, fresh=True)
        rows = lost.get(period, [])
        insert_rows(
            KeyClientBase,
            ["tenant_id", "period", "client_id", "manager_id", "branch_id"],
            [(tenant_id, period, c, mgr, br) for c, mgr, br in rows],
        )
    key_client_base_record(current, fresh=True)
    for period in [*past, current]:
        snapshot_run(period, now=now)
    admins = ctx.staff.get(Role.ADMIN) or [None]
    KpiPeriodClose.objects.bulk_create(
        [
            KpiPeriodClose(tenant_id=tenant_id, period=p, closed_by=admins[0], closed_at=now)
            for p in past[:-1]
        ]
    )
    actions = _improvement_actions(ctx, current, today, now)
    ctx.say(
        f"performance: {actions} improvement actions; "
        f"{MONTHS} months of KPI snapshots ({len(past) - 1} closed) "
        f"in {time.monotonic() - started:.1f} s"
    )


def _improvement_actions(ctx: SeedContext, current: str, today, now) -> int:
    from communications.models import FollowUp
    from tenancy.selectors import team_rm_list

    from . import services

    made = 0
    for head in ctx.staff.get(Role.BRANCH_HEAD, []):
        rm = team_rm_list(user=head).order_by("username").first()
        if rm is None:
            continue
        ImprovementAction.objects.create(
            rm=rm,
            set_by=head,
            period=periods.shift(current, -1),
            dimension="satisfaction",
            goal="回访上月所有贬损者客户，记录其意见",
            due_on=periods.first_day(current),
            status=ImprovementAction.Status.DONE,
            closed_at=now - timedelta(days=1),
            closed_by=rm,
            note="已全部回访",
            created_at=now - timedelta(days=30),
        )
        follow_ups = FollowUp.objects.filter(assignee=rm, status="open").order_by("due_at", "pk")
        services.action_create(
            user=head,
            rm=rm,
            period=current,
            dimension="risk",
            goal="本月内完成逾期评级复核",
            due_on=today + timedelta(days=14),
            follow_up_ids=list(follow_ups.values_list("pk", flat=True)[:2]),
        )
        made += 2
    return made


def _aum_history(rng: random.Random, tenant_id: int, today, first) -> None:
    rows, total = m.daily_aum_rows(today)
    subjects = [(r.scope, r.subject_id, r.aum, r.deposits) for r in rows]
    subjects.append((Scope.TENANT, tenant_id, total["aum"], total["deposits"]))
    out = []
    days = (today - first).days
    for scope, subject, aum, deposits in subjects:
        growth = Decimal(str(rng.uniform(0.03, 0.12)))
        phase = rng.uniform(0, 6.28)
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            factor = (
                Decimal(1)
                - growth * back / 365
                + Decimal(str(round(0.004 * math.sin(back / 7 * 6.28 + phase), 6)))
            )
            out.append(
                (
                    tenant_id,
                    day,
                    scope,
                    subject,
                    (aum * factor).quantize(Decimal("0.01")),
                    (deposits * factor).quantize(Decimal("0.01")),
                )
            )
    insert_rows(DailyAum, ["tenant_id", "day", "scope", "subject_id", "aum", "deposits"], out)


def _lost_clients(rng: random.Random, past: list[str]) -> dict[str, list[tuple]]:
    lost: dict[str, list[tuple]] = {}
    gone = (
        tenant_clients()
        .filter(lifecycle__in=("dormant", "closed"), dedicated_manager__isnull=False)
        .order_by("external_id")
        .values_list("pk", "dedicated_manager_id", "branch_id")
    )
    for row in gone:
        lost.setdefault(rng.choice(past), []).append(row)
    return lost

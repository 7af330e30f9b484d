"""Demo risk data for ``seed_demo`` (registered at order 60, after clients and
communications), in Chinese: the demo bank's capital (so the largest clients
are large exposures and the largest breaches the caps), loan arrears, rating
history with four-eyes approvals, assessments in the approval queue, KYC
dates, collateral and guarantees (with a circle of three and one of two),
credit limits (client and group), and a few watch-list entries. Alerts are
the scan's (``risk.scan.scan_tenant``, run at the end as the nightly task would:
it writes its audit event and the digest notices like every night).

Deterministic for ``ctx.seed`` (its own generator; clients in ``external_id``
order, dates as offsets from the day of the run) and set-based: bulk_create in
batches, one UPDATE for arrears; the KYC dates written with the demo's clients
(``plan_kyc``), else one UPDATE. No audit and no notifications
(fixtures, like the staff).

Capital: tier-1 = 6 × the largest client exposure (that client is at 16.7% of
tier-1, over the 15% single-client cap), net capital = 1.25 × tier-1 (the
10%-of-net-capital loans cap is 12.5% of tier-1); every client at ≥ 10% of
tier-1 (60% of the largest exposure) is a large exposure.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from clients.demo import CITIES, STREETS
from clients.models import Client, GroupMembership, Holding, RelationshipGroup
from tenancy.demo import SeedContext
from tenancy.models import Role
from tenancy.rls import analyze_tables

from . import rules
from .models import (
    ClientRating,
    Collateral,
    CollateralKind,
    CreditLimit,
    RiskAlert,
    RiskAssessment,
    WatchListEntry,
)
from .scale import rating_scale, risk_settings
from .scan import scan_tenant

BATCH = 5000
RATED_SHARE, COLLATERAL_SHARE, LIMIT_SHARE = 0.30, 0.50, 0.40
OVERDUE_LOAN_SHARE = 0.05
# (low, high) days past due, weights: a mix across the five-category floors
ARREARS = [((1, 30), 50), ((91, 200), 25), ((271, 300), 15), ((361, 420), 10)]
RATIONALES = [
    "经营稳定，现金流充足，按期还本付息。",
    "收入来源稳定，负债率适中。",
    "行业景气度一般，关注应收账款回收。",
    "主要客户集中度较高，需持续跟踪。",
    "抵押充足，还款记录良好。",
]
OVERRIDE_WORSE = ["行业下行、现金流承压，审慎下调一级。", "实际控制人涉诉，下调一级。"]
OVERRIDE_BETTER = ["集团提供连带责任担保，评级上调一级。", "新增优质抵押物，上调一级。"]
REJECTIONS = ["财务数据未更新，请补充最新报表后重新提交。", "评分依据不足，请补充经营情况说明。"]
WATCH_REASONS = [
    "贷款逾期，持续跟踪还款安排。",
    "敞口集中度高，密切关注。",
    "涉及互保圈，关注代偿风险。",
]
KINDS_INDIVIDUAL = [
    (CollateralKind.REAL_ESTATE, 70),
    (CollateralKind.DEPOSIT, 15),
    (CollateralKind.SECURITIES, 15),
]
KINDS_CORPORATE = [
    (CollateralKind.REAL_ESTATE, 35),
    (CollateralKind.EQUIPMENT, 20),
    (CollateralKind.RECEIVABLES, 20),
    (CollateralKind.DEPOSIT, 10),
    (CollateralKind.SECURITIES, 15),
]
DESCRIPTIONS = {
    CollateralKind.REAL_ESTATE: "{place}房产",
    CollateralKind.DEPOSIT: "本行定期存单质押",
    CollateralKind.SECURITIES: "上市公司股票质押",
    CollateralKind.EQUIPMENT: "生产设备抵押",
    CollateralKind.RECEIVABLES: "应收账款质押",
}
EXTERNAL_GUARANTOR = "上海市中小微企业融资担保有限公司"


@contextmanager
def _timestamps_as_given(*models):
    """bulk_create with the history's timestamps, not the moment of seeding
    (auto_now / auto_now_add would overwrite them)."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, (now, add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add


def _at(day: date, rng) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randrange(1, 9), rng.randrange(60), tzinfo=UTC
    )


def _weighted(rng, options):
    return rng.choices([o for o, _w in options], [w for _o, w in options])[0]


def _pick(rng, items: list, share: float, minimum: int, prefer=lambda c: False) -> list:
    """About ``share`` of ``items`` (preferred ones at 80%), at least ``minimum``."""
    chosen = [c for c in items if rng.random() < (0.8 if prefer(c) else share)]
    if len(chosen) < minimum:
        rest = [c for c in items if c not in chosen]
        rng.shuffle(rest)
        chosen += rest[: minimum - len(chosen)]
    return chosen


def seed_risk(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"risk-{ctx.seed}")
    tenant_id = ctx.tenant.pk
    clients = list(
        Client.objects.order_by("external_id").values_list(
            "pk", "kind", "branch_id", "dedicated_manager_id", "exposure", "aum", "name"
        )
    )
    risk_officers = list(ctx.staff.get(Role.RISK_OFFICER, []))
    if not clients or not risk_officers:
        ctx.say("risk: no clients or no risk officer, nothing to seed")
        return
    officer = risk_officers[0]
    heads = {u.branch_id: u for u in ctx.staff.get(Role.BRANCH_HEAD, [])}
    demo_rm = next((u for u in ctx.staff.get(Role.RM, []) if u.username == "demo_rm"), None)
    today = timezone.now().date()
    now = timezone.now()

    # --- capital -------------------------------------------------------------------------
    settings = risk_settings(persist=True)
    scale = rating_scale(persist=True)
    largest = max(c[4] for c in clients)
    million = Decimal("1000000")
    tier1 = max(million, (largest * 6 / million).quantize(Decimal("1")) * million)
    settings.tier1_capital = tier1
    settings.net_capital = tier1 * Decimal("1.25")
    settings.save(update_fields=["tier1_capital", "net_capital"])

    exposed = [c for c in clients if c[4] > 0]
    arrears = _seed_arrears(rng, tenant_id)
    if not ctx.extra.get(KYC_PLANNED):  # else written with the clients (plan_kyc)
        _seed_kyc(ctx.seed, tenant_id, settings, today)
    ctx.say(f"  risk: arrears and KYC dates ({time.monotonic() - started:.1f}s)")

    # --- ratings -------------------------------------------------------------------------
    def is_demo_rm(c):
        return demo_rm is not None and c[3] == demo_rm.pk

    rated = [c for c in _pick(rng, exposed, RATED_SHARE, min(len(exposed), 8), is_demo_rm) if c[3]]
    weights = (settings.weight_credit, settings.weight_market, settings.weight_operational)
    codes = [g.code for g in scale]
    assessments: list[RiskAssessment] = []
    newest: dict[int, RiskAssessment] = {}
    # the first rated clients (demo_rm's first) carry the in-progress states
    rated.sort(key=lambda c: not is_demo_rm(c))
    forced = {0: "submitted", 1: "draft", 2: "rejected", 3: "submitted"}
    n_overrides = 0
    for k, c in enumerate(rated):
        pk, kind, branch_id, author_id, exposure, aum, _name = c
        approvers = [officer] + ([heads[branch_id]] if branch_id in heads else [])
        base = [rng.gauss(35, 15), rng.gauss(35, 15), rng.gauss(25, 10)]
        if arrears.get(pk, 0) > 90:
            base[0] += 35
        # the newest approval: 15% of reviews overdue, 15% due within 30 days
        r = rng.random()
        due_in = rng.randrange(-90, 0) if r < 0.15 else rng.randrange(1, 30) if r < 0.3 else None
        previous_rating = ""
        history = rng.choice([1, 1, 2, 2, 3])
        approvals = []
        for h in range(history):
            scores = [
                max(0, min(100, int(s + rng.uniform(-8, 8) * (history - 1 - h)))) for s in base
            ]
            composite = rules.composite_score(
                credit=scores[0], market=scores[1], operational=scores[2], weights=weights
            )
            scale_rating = rules.rating_for(composite, scale)
            override = reason = ""
            if rng.random() < 0.04 or (h == history - 1 and k == 4 and n_overrides == 0):
                i = codes.index(scale_rating)
                worse = rng.random() < 0.7 and i + 1 < len(codes) or i == 0
                override = codes[i + 1] if worse else codes[i - 1]
                reason = rng.choice(OVERRIDE_WORSE if worse else OVERRIDE_BETTER)
                n_overrides += 1
            a = RiskAssessment(
                tenant_id=tenant_id,
                client_id=pk,
                author_id=author_id,
                credit_score=scores[0],
                market_score=scores[1],
                operational_score=scores[2],
                composite=composite,
                scale_rating=scale_rating,
                rating_override=override,
                override_reason=reason,
                rating=override or scale_rating,
                rationale=rng.choice(RATIONALES),
                status=RiskAssessment.Status.APPROVED,
                approved_by=rng.choice(approvers),
                approved_branch_id=branch_id,
            )
            approvals.append(a)
        # dates backwards from the newest approval
        months = rules.review_months_for(approvals[-1].rating, scale)
        if due_in is None:
            day = today - timedelta(days=rng.randrange(0, 28 * months - 30))
        else:
            day = rules.add_months(today + timedelta(days=due_in), -months)
        for a in reversed(approvals):
            months = rules.review_months_for(a.rating, scale)
            a.next_review_at = rules.add_months(day, months)
            a.approved_at = _at(day, rng)
            a.submitted_at = a.approved_at - timedelta(days=rng.randrange(1, 5))
            a.created_at = a.submitted_at - timedelta(days=rng.randrange(0, 3))
            a.updated_at = a.approved_at
            day = rules.add_months(day, -months) - timedelta(days=rng.randrange(0, 20))
        for a in approvals:
            a.snapshot = {
                "aum": str(aum),
                "exposure": str(exposure),
                "classification": "normal",
                "rating": previous_rating,
                "taken_at": a.submitted_at.isoformat(),
            }
            previous_rating = a.rating
        assessments += approvals
        newest[pk] = approvals[-1]
        state = forced.get(k) or _weighted(
            rng, [("submitted", 3), ("draft", 3), ("rejected", 2), ("", 92)]
        )
        if state:
            scores = [max(0, min(100, int(s + rng.uniform(-10, 10)))) for s in base]
            composite = rules.composite_score(
                credit=scores[0], market=scores[1], operational=scores[2], weights=weights
            )
            created = now - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))
            a = RiskAssessment(
                tenant_id=tenant_id,
                client_id=pk,
                author_id=author_id,
                credit_score=scores[0],
                market_score=scores[1],
                operational_score=scores[2],
                composite=composite,
                scale_rating=rules.rating_for(composite, scale),
                rating=rules.rating_for(composite, scale),
                rationale=rng.choice(RATIONALES),
                status=state,
                created_at=created,
                updated_at=created,
                snapshot={
                    "aum": str(aum),
                    "exposure": str(exposure),
                    "classification": "normal",
                    "rating": previous_rating,
                    "taken_at": created.isoformat(),
                },
            )
            if state != "draft":
                a.submitted_at = created + timedelta(hours=2)
                a.updated_at = a.submitted_at
            if state == "rejected":
                a.rejected_by = rng.choice(approvers)
                a.rejected_at = a.submitted_at + timedelta(days=1)
                a.rejection_reason = rng.choice(REJECTIONS)
                a.updated_at = a.rejected_at
            assessments.append(a)
    with _timestamps_as_given(RiskAssessment, Collateral, CreditLimit):
        RiskAssessment.objects.bulk_create(assessments, batch_size=BATCH)
        ClientRating.objects.bulk_create(
            [
                ClientRating(
                    tenant_id=tenant_id,
                    client_id=pk,
                    assessment_id=a.pk,
                    rating=a.rating,
                    approved_at=a.approved_at,
                    next_review_at=a.next_review_at,
                )
                for pk, a in newest.items()
            ],
            batch_size=BATCH,
        )
        ctx.say(
            f"  risk: {len(assessments)} assessments, {len(newest)} rated clients "
            f"({time.monotonic() - started:.1f}s)"
        )
        n_collateral, circles = _seed_collateral(ctx, rng, settings, clients, exposed, today)
        n_limits = _seed_limits(rng, tenant_id, officer, exposed, today, is_demo_rm)
    watched = [pk for pk, days in sorted(arrears.items()) if days > 90][:3]
    watched += [max(exposed, key=lambda c: c[4])[0]] + circles[:1]
    watched = list(dict.fromkeys(watched))
    WatchListEntry.objects.bulk_create(
        [
            WatchListEntry(
                tenant_id=tenant_id,
                client_id=pk,
                reason=WATCH_REASONS[min(i, 2)] if i < 3 else WATCH_REASONS[2],
                added_by=officer,
                added_at=now - timedelta(days=rng.randrange(1, 60)),
            )
            for i, pk in enumerate(watched)
        ]
    )
    ctx.say(
        f"risk: tier-1 {tier1:,.0f} CNY, {len(arrears)} loans past due, {n_collateral} collateral, "
        f"{n_limits} credit limits, {len(watched)} on the watch list "
        f"({time.monotonic() - started:.1f}s)"
    )
    # the seeding is one transaction, so autovacuum has seen none of these rows yet:
    # without fresh statistics the planner takes the new tables for empty and the
    # scan's correlated lookups become nested loops over sequential scans (minutes)
    analyze_tables(
        *(
            m._meta.db_table
            for m in (Client, Holding, GroupMembership, RiskAssessment, ClientRating)
            + (Collateral, CreditLimit, WatchListEntry, RiskAlert)
        )
    )
    result = scan_tenant()  # the alerts: what the nightly scan would raise on this data
    ctx.say(
        f"risk: {result.opened_total} alerts raised by the scan ({time.monotonic() - started:.1f}s)"
    )


def _seed_arrears(rng, tenant_id: int) -> dict[int, int]:
    """A few percent of loan holdings past due (one UPDATE); {client id: worst days}."""
    loans = list(
        Holding.objects.filter(kind="loan")
        .order_by("client__external_id", "account_number")
        .values_list("pk", "client_id")
    )
    picked = _pick(rng, loans, OVERDUE_LOAN_SHARE, min(len(loans), 4))
    days = {}
    for k, (pk, client_id) in enumerate(picked):
        lo, hi = ARREARS[k][0] if k < len(ARREARS) else _weighted(rng, ARREARS)
        days[pk] = (client_id, rng.randint(lo, hi))
    if days:
        whens = " ".join(f"WHEN id = {int(pk)} THEN {int(d)}" for pk, (_c, d) in days.items())
        ids = ", ".join(str(int(pk)) for pk in days)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Holding._meta.db_table} SET days_past_due = CASE {whens} ELSE 0 END "
                f"WHERE tenant_id = %s AND id IN ({ids})",
                [tenant_id],
            )
    worst: dict[int, int] = {}
    for client_id, d in days.values():
        worst[client_id] = max(worst.get(client_id, 0), d)
    return worst


KYC_BUCKETS = 25
KYC_PLANNED = "risk.kyc_planned"


def plan_kyc(ctx: SeedContext, clients: list[tuple[str, str]]) -> dict[str, list]:
    """The KYC level and last refresh of every demo client, computed as ``_seed_kyc``
    does (the same values for the same seed) before the client rows are written
    (clients.demo.register_client_columns), so they are written with the rows
    instead of by an UPDATE of every client."""
    settings = risk_settings(persist=True)
    today = timezone.now().date()
    years = {
        "high": settings.kyc_refresh_years_high,
        "medium": settings.kyc_refresh_years_medium,
        "low": settings.kyc_refresh_years_low,
    }
    levels, reviewed = [], []
    for external_id, _kind in clients:
        n = int(external_id[1:])
        h1 = (n * 7919 + ctx.seed * 104729) % 1000
        h2 = (n * 104723 + ctx.seed * 7) % KYC_BUCKETS
        level = "high" if h1 < 150 else "medium" if h1 < 500 else "low"
        days = round((h2 + 0.5) / KYC_BUCKETS * 1.08 * years[level] * 365)
        levels.append(level)
        reviewed.append(today - timedelta(days=days))
    ctx.extra[KYC_PLANNED] = True
    return {"kyc_risk_level": levels, "kyc_reviewed_on": reviewed}


def _seed_kyc(seed: int, tenant_id: int, settings, today: date) -> None:
    """Every client's KYC level (15% high, 35% medium, 50% low) and last
    refresh spread over 108% of its refresh period (about 8% overdue), from a
    hash of ``external_id``: one UPDATE, the same for the same seed."""
    table = Client._meta.db_table
    years = {
        "high": settings.kyc_refresh_years_high,
        "medium": settings.kyc_refresh_years_medium,
        "low": settings.kyc_refresh_years_low,
    }
    level_sql = "CASE WHEN h1 < 150 THEN 'high' WHEN h1 < 500 THEN 'medium' ELSE 'low' END"
    bounds = {"high": "h1 < 150", "medium": "h1 >= 150 AND h1 < 500", "low": "h1 >= 500"}
    whens, params = [], []
    for level, cond in bounds.items():
        for b in range(KYC_BUCKETS):
            days = round((b + 0.5) / KYC_BUCKETS * 1.08 * years[level] * 365)
            whens.append(f"WHEN {cond} AND h2 = {b} THEN %s")
            params.append(connection.ops.adapt_datefield_value(today - timedelta(days=days)))
    n = "CAST(SUBSTR(external_id, 2) AS BIGINT)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET kyc_risk_level = s.level, kyc_reviewed_on = s.reviewed FROM ("
            f" SELECT id, {level_sql} AS level, CASE {' '.join(whens)} END AS reviewed FROM ("
            f"  SELECT id, ({n} * 7919 + {int(seed)} * 104729) %% 1000 AS h1,"
            f"   ({n} * 104723 + {int(seed)} * 7) %% {KYC_BUCKETS} AS h2"
            f"  FROM {table} WHERE tenant_id = %s) x"
            f") s WHERE {table}.id = s.id AND {table}.tenant_id = %s",
            [*params, tenant_id, tenant_id],
        )


def _seed_collateral(ctx, rng, settings, clients, exposed, today) -> tuple[int, list[int]]:
    """Collateral for about half the clients with exposure, guarantees between
    clients (a circle of three corporate clients, one of two, parent companies
    for subsidiaries) and a few by an outside guarantor. Returns (rows, circle)."""
    tenant_id = ctx.tenant.pk
    rows = []
    for pk, kind, _b, _m, exposure, _aum, _name in _pick(
        rng, exposed, COLLATERAL_SHARE, min(len(exposed), 6)
    ):
        kinds = KINDS_CORPORATE if kind == Client.Kind.CORPORATE else KINDS_INDIVIDUAL
        items = rng.choice([1, 1, 2])
        for _ in range(items):
            ck = _weighted(rng, kinds)
            value = (exposure * Decimal(rng.uniform(0.6, 2.5)) / items).quantize(Decimal("1000"))
            valued = today - timedelta(days=rng.randrange(0, 450 if ck == "real_estate" else 365))
            place = f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
            rows.append(
                _collateral(
                    tenant_id,
                    pk,
                    ck,
                    DESCRIPTIONS[ck].format(place=place),
                    value,
                    settings.haircut_for(ck),
                    valued,
                    None if ck in ("deposit", "securities") else rules.add_months(valued, 12),
                )
            )
    # guarantees: A → B → C → A among corporate clients (those with exposure first), and D ↔ E
    corporates = [c for c in clients if c[1] == Client.Kind.CORPORATE]
    corporates.sort(key=lambda c: c[4] <= 0)
    pool = (
        corporates
        if len(corporates) >= 5
        else corporates + [c for c in clients if c not in corporates]
    )
    circle, pair = pool[:3], pool[3:5]
    guarantees = [(circle[i], circle[(i + 1) % 3]) for i in range(3)] if len(circle) == 3 else []
    if len(pair) == 2:
        guarantees += [(pair[0], pair[1]), (pair[1], pair[0])]
    parents = {}
    for group_id, client_id, role in (
        GroupMembership.objects.filter(group__kind=RelationshipGroup.Kind.CORPORATE_GROUP)
        .order_by("group_id", "client_id")
        .values_list("group_id", "client_id", "role")
    ):
        parents.setdefault(group_id, {}).setdefault(role, []).append(client_id)
    by_pk = {c[0]: c for c in clients}
    for members in list(parents.values())[:50]:
        for sub in members.get("subsidiary", [])[:1]:
            if members.get("parent_company"):
                guarantees.append((by_pk[members["parent_company"][0]], by_pk[sub]))
    for guarantor, guaranteed in guarantees:
        value = max(guaranteed[4], Decimal("5000000")).quantize(Decimal("1000"))
        rows.append(
            _collateral(
                tenant_id,
                guaranteed[0],
                CollateralKind.GUARANTEE,
                "连带责任保证",
                value,
                settings.haircut_for(CollateralKind.GUARANTEE),
                today - timedelta(days=rng.randrange(30, 300)),
                None,
                guarantor=guarantor[6],
                guarantor_client_id=guarantor[0],
            )
        )
    for c in exposed[:: max(1, len(exposed) // 5)][:5]:
        rows.append(
            _collateral(
                tenant_id,
                c[0],
                CollateralKind.GUARANTEE,
                "融资担保公司保证",
                c[4].quantize(Decimal("1000")),
                settings.haircut_for(CollateralKind.GUARANTEE),
                today - timedelta(days=rng.randrange(30, 300)),
                None,
                guarantor=EXTERNAL_GUARANTOR,
            )
        )
    Collateral.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows), [c[0] for c in circle]


def _collateral(tenant_id, client_id, kind, description, value, haircut, valued, revalue, **kw):
    at = datetime(valued.year, valued.month, valued.day, 3, tzinfo=UTC)
    return Collateral(
        tenant_id=tenant_id,
        client_id=client_id,
        kind=kind,
        description=description,
        market_value=value,
        currency="CNY",
        haircut_pct=haircut,
        valued_at=valued,
        next_revaluation_at=revalue,
        created_at=at,
        updated_at=at,
        **kw,
    )


def _seed_limits(rng, tenant_id, officer, exposed, today, prefer) -> int:
    """Client limits for about 40% of the clients with exposure (utilisation
    mostly 60–95%, some over 100%, some expiring within 30 days) and group
    limits for a few corporate groups with exposure."""
    rows = []
    for k, c in enumerate(_pick(rng, exposed, LIMIT_SHARE, min(len(exposed), 5), prefer)):
        factor = Decimal(rng.uniform(0.85, 0.98) if k % 7 == 0 else rng.uniform(1.05, 1.7))
        expires = today + timedelta(
            days=rng.randrange(1, 30) if k % 9 == 1 else rng.randrange(60, 720)
        )
        rows.append(
            CreditLimit(
                tenant_id=tenant_id,
                client_id=c[0],
                amount=(c[4] * factor).quantize(Decimal("10000")) or Decimal("10000"),
                currency="CNY",
                expires_on=expires,
                created_by=officer,
                created_at=_at(expires - timedelta(days=365), rng),
            )
        )
    exposure = {c[0]: c[4] for c in exposed}
    groups: dict[int, Decimal] = {}
    for group_id, client_id in (
        GroupMembership.objects.filter(group__kind=RelationshipGroup.Kind.CORPORATE_GROUP)
        .order_by("group_id", "client_id")
        .values_list("group_id", "client_id")
    ):
        groups[group_id] = groups.get(group_id, Decimal(0)) + exposure.get(client_id, Decimal(0))
    with_exposure = sorted((g for g, e in groups.items() if e > 0), key=lambda g: -groups[g])[:5]
    for k, group_id in enumerate(with_exposure):
        factor = Decimal("0.9") if k == 0 else Decimal("1.3")
        rows.append(
            CreditLimit(
                tenant_id=tenant_id,
                group_id=group_id,
                amount=(groups[group_id] * factor).quantize(Decimal("10000")),
                currency="CNY",
                expires_on=today + timedelta(days=365),
                created_by=officer,
                created_at=_at(today - timedelta(days=30), rng),
            )
        )
    CreditLimit.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)

"""Computing the KPI snapshots of a tenant and period, set-based.

One run (``snapshot_run``): record today's AUM aggregate (once a day) and the
period's key-client base (first run of the period), then the handful of
GROUP BY queries of ``measures.gather``, the branch subtrees and the tenant
summed in Python over branches, scores per subject (RMs, branches, the
tenant — hundreds of rows, never a loop over clients), ranks, and one upsert
on the unique (tenant, period, scope, subject, version). Running it twice
writes the same rows. A closed period is never touched; ``snapshot_correct``
(services) computes a closed period again as a new version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.access import tenant_clients
from tenancy.context import require_tenant_id
from tenancy.models import Branch, Role, Tenant
from tenancy.selectors import tenant_staff
from tenancy.timezones import tenant_zone

from . import measures as m
from . import periods
from .config import definition_list, guardrail_refusal, guardrail_rules, kpi_settings
from .models import DailyAum, KeyClientBase, KpiPeriodClose, KpiSnapshot, Scope
from .scoring import measures_from, scorecard

SCORE_FIELDS = ("satisfaction", "loyalty", "profit", "risk", "total")
SNAPSHOT_LOCK = 71_000_110  # pg_advisory_xact_lock(class, tenant id): one KPI writer per tenant


def snapshot_lock() -> None:
    """Serialise the writers of a tenant's snapshots for the rest of the
    transaction — a run, closing a month, correcting one — so a month closed
    while a run computes it is never overwritten after the close, and two
    runs do not interleave. PostgreSQL only (SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [SNAPSHOT_LOCK, require_tenant_id()]
            )


@dataclass
class RunResult:
    period: str
    rows: int
    frozen: bool = False


def period_is_closed(period: str) -> bool:
    return KpiPeriodClose.objects.filter(period=period).exists()


def open_periods(now: datetime | None = None) -> list[str]:
    """What the nightly run computes: the current month, and the previous one
    while no admin has closed it (its last days settle after midnight)."""
    current = periods.current_period(now)
    previous = periods.shift(current, -1)
    closed = set(KpiPeriodClose.objects.filter(period=previous).values_list("period", flat=True))
    has_previous = KpiSnapshot.objects.filter(period=previous).exists()
    return [current] + ([previous] if has_previous and previous not in closed else [])


# --- the nightly inputs -----------------------------------------------------------------


def daily_aum_record(day=None) -> int:
    """Today's AUM per RM, branch and the tenant (idempotent per day)."""
    day = day or periods.today_local()
    rows, total = m.daily_aum_rows(day)
    rows.append(
        DailyAum(
            day=day,
            scope=Scope.TENANT,
            subject_id=require_tenant_id(),
            aum=total["aum"].quantize(Decimal("0.01")),
            deposits=total["deposits"].quantize(Decimal("0.01")),
        )
    )
    tenant_id = require_tenant_id()
    for row in rows:
        row.tenant_id = tenant_id
    DailyAum.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "day", "scope", "subject_id"],
        update_fields=["aum", "deposits"],
    )
    return len(rows)


def key_client_base_record(period: str, *, fresh: bool = False) -> int:
    """The period's key clients and their manager and branch, by the first run
    of the period only (a client won later in the month is not in the base):
    one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` (two concurrent first
    runs insert each client once). ``fresh``: the caller is the only writer of
    the tenant (the demo seeder, in the transaction that created it), so a plain
    INSERT — the conflict check costs a third more per row (85,000 a month at
    bench size)."""
    from django.db.models import F, Value

    if KeyClientBase.objects.filter(period=period).exists():
        return 0

    rows = (
        tenant_clients()
        .filter(
            lifecycle="active",
            dedicated_manager__isnull=False,
            dedicated_manager__is_active=True,
        )
        .annotate(
            k_tenant=F("tenant_id"),
            k_period=Value(period),
            k_client=F("pk"),
            k_manager=F("dedicated_manager_id"),
            k_branch=F("branch_id"),
        )
        .values("k_tenant", "k_period", "k_client", "k_manager", "k_branch")
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ("tenant_id", "period", "client_id", "manager_id", "branch_id")
    statement = (
        f"INSERT INTO {qn(KeyClientBase._meta.db_table)} "
        f"({', '.join(qn(c) for c in columns)}) {sql}"
        f"{'' if fresh else ' ON CONFLICT DO NOTHING'}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


# --- computing --------------------------------------------------------------------------


def _as_of(period: str, now: datetime) -> datetime:
    _start, end = periods.bounds(period)
    return min(now, end)


def compute(period: str, *, now: datetime | None = None) -> list[KpiSnapshot]:
    """The unsaved snapshot rows of every RM, branch (subtree) and the tenant."""
    now = now or timezone.now()
    tz = tenant_zone()
    start, end = periods.bounds(period, tz)
    as_of = _as_of(period, now)
    settings = kpi_settings()
    definitions = list(definition_list())
    rules = guardrail_rules()
    forbidden = {
        (d.measure, d.basis) for d in definitions if guardrail_refusal(d.measure, d.basis, rules)
    }
    weights = settings.weights()

    components = m.gather(
        period=period,
        start=start,
        end=end,
        as_of=as_of,
        rates=settings.rates(),
        sla=settings.sla_days(),
    )
    first, last = periods.first_day(period), periods.last_day(period)
    aum, aum_days = m.aum_averages(first, last)
    prev = periods.shift(period, -1)
    prev_aum, prev_days = m.aum_averages(periods.first_day(prev), periods.last_day(prev))
    for key, values in aum.items():
        components[key].update(values)
    for key, values in prev_aum.items():
        components[key]["prev_aum_sum"] = values["aum_sum"]

    branches = list(Branch.objects.order_by("path").values("id", "name", "path"))
    rms = list(
        tenant_staff()
        .filter(role=Role.RM, is_active=True)
        .order_by("pk")
        .values("id", "username", "first_name", "last_name")
    )
    subjects: list[tuple[str, int, str, dict]] = []
    for rm in rms:
        subjects.append((Scope.RM, rm["id"], _staff_name(rm), components.get((m.RM, rm["id"]), {})))
    for b in branches:
        summed: dict = defaultdict(Decimal)
        for other in branches:
            if other["path"].startswith(b["path"]):
                for name, value in components.get((m.BRANCH, other["id"]), {}).items():
                    summed[name] += Decimal(value)
        subjects.append((Scope.BRANCH, b["id"], b["name"], summed))
    whole: dict = defaultdict(Decimal)
    for (kind, _id), values in components.items():
        if kind == m.BRANCH:
            for name, value in values.items():
                whole[name] += Decimal(value)
    tenant = Tenant.objects.only("id", "name").get(pk=require_tenant_id())
    subjects.append((Scope.TENANT, tenant.pk, tenant.name, whole))

    counted = m.revenue_days(start, min(end, as_of))
    pace = Decimal(m.revenue_days(start, end)) / counted if counted else Decimal(1)
    computed_at = timezone.now()
    rows = []
    for scope, subject_id, name, c in subjects:
        measured = measures_from(c, aum_days=aum_days, prev_days=prev_days, pace=pace)
        dims, total, per_kpi = scorecard(measured, definitions, weights, forbidden)
        rows.append(
            KpiSnapshot(
                tenant_id=tenant.pk,
                period=period,
                scope=scope,
                subject_id=subject_id,
                subject_name=name[:200],
                version=1,
                is_current=True,
                total=total,
                measures=measured,
                kpi_scores=per_kpi,
                computed_at=computed_at,
                **dims,
            )
        )
    _rank(rows)
    return rows


def _staff_name(row: dict) -> str:
    first, last = (row["first_name"] or "").strip(), (row["last_name"] or "").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}" or row["username"]
    return f"{first} {last}".strip() or row["username"]


def _rank(rows: list[KpiSnapshot]) -> None:
    """Rank within scope by total (ties share a rank; no total, no rank)."""
    by_scope = defaultdict(list)
    for row in rows:
        by_scope[row.scope].append(row)
    for scoped in by_scope.values():
        scored = sorted((r for r in scoped if r.total is not None), key=lambda r: -r.total)
        previous, rank = None, 0
        for position, row in enumerate(scored, start=1):
            if row.total != previous:
                rank, previous = position, row.total
            row.rank = rank


UPDATE_FIELDS = [
    "subject_name",
    *SCORE_FIELDS,
    "rank",
    "measures",
    "kpi_scores",
    "computed_at",
    "is_current",
]


def snapshot_run(period: str | None = None, *, now: datetime | None = None) -> RunResult:
    """Compute (or recompute) one open period of the tenant in scope. A closed
    period is left as it is (``frozen``)."""
    now = now or timezone.now()
    period = period or periods.current_period(now)
    periods.parse_period(period)
    if period > periods.current_period(now):
        raise ValidationError({"period": [_("This month has not started yet.")]})
    with transaction.atomic():
        snapshot_lock()
        if period_is_closed(period):
            return RunResult(period=period, rows=0, frozen=True)
        if period == periods.current_period(now):
            daily_aum_record(periods.today_local(now))
        key_client_base_record(period)
        rows = compute(period, now=now)
        KpiSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["tenant", "period", "scope", "subject_id", "version"],
            update_fields=UPDATE_FIELDS,
        )
        keep = defaultdict(set)
        for row in rows:
            keep[row.scope].add(row.subject_id)
        for scope, ids in keep.items():
            # subjects gone since the last run (an RM who left) leave the open period
            KpiSnapshot.objects.filter(period=period, scope=scope).exclude(
                subject_id__in=ids
            ).delete()
        return RunResult(period=period, rows=len(rows))


def snapshot_nightly(now: datetime | None = None) -> list[RunResult]:
    return [snapshot_run(p, now=now) for p in open_periods(now)]


def correction_rows(period: str, *, now: datetime | None = None) -> list[KpiSnapshot]:
    """A closed period computed again as of its end, for a correction."""
    _start, end = periods.bounds(period)
    return compute(period, now=min(now or timezone.now(), end - timedelta(microseconds=1)))

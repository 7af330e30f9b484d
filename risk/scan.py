"""The early-warning scan (``risk_scan``, Celery beat): every signal is one
set-based query over the tenant in scope, and every new alert is written by
one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` per kind — no
per-client Python loop.

At most one alert per client and kind is open or acknowledged at a time (the
partial unique constraint ``riskalert_one_open_per_kind``): a second scan, or
two concurrent scans (PostgreSQL waits on the unique key, then skips), open no
duplicate. Alerts of a *state* (a breach, something overdue, a circle) whose
condition has cleared are resolved by the scan (``resolved_by`` empty: "cleared
by the scan"); an *event* (a rating downgrade) stays until a person resolves it,
and is raised once per approved rating. A condition that still holds after a
person resolved its alert is raised again by the next scan: *acknowledge* is
how staff say "known, being handled".

Signals (thresholds from ``RiskSettings``; amounts in CNY at the fixed
reference rates):

===================== ============================================== ==========================
kind                  condition                                      severity
===================== ============================================== ==========================
limit_breach          exposure > the newest unexpired client limit,   high above 120 % or for a
                      or a group of the client over its group limit   group, else medium
cap_breach            exposure > single-client cap (% of tier-1) or   high
                      > loans-to-one-client cap (% of net capital),
                      or a group of the client > the group cap
rating_downgrade      the current rating is worse than the previous   high to CCC or worse or by
                      approved one                                    3+ grades, else medium
review_overdue        ``ClientRating.next_review_at`` before today    high over 90 days, else medium
kyc_overdue           the KYC refresh date before today (calendar)    high for KYC risk high, else medium
revaluation_overdue   a collateral's revaluation date before today    medium
low_coverage          secured clients (any collateral) with lendable  medium below half the ratio,
                      ÷ exposure < ``coverage_alert_ratio``           else low
past_due              a loan holding with days past due > 0           high > 90 days, medium > 30, low
large_outflow         outflows of the last 30 days > ``large_outflow_ high above twice the share,
                      pct`` % of AUM                                  else medium
guarantee_circle      the client is on a cycle of guarantees          high
                      (``Collateral`` kind guarantee, guarantor
                      client → client; cycles of up to 8)
===================== ============================================== ==========================

New alerts notify, in the scan's transaction, the client's active dedicated
manager and every active risk officer — one digest notice per recipient per
scan (``tenancy.notify``, the tenant's language).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, JSONObject
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.access import tenant_clients
from clients.models import GroupMembership, RelationshipGroup
from clients.selectors.portfolio import base_currency, tenant_arrears, tenant_outflows
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Role, Tenant
from tenancy.notify import Notice, notify
from tenancy.selectors import tenant_staff
from tenancy.timezones import tenant_zone

from .calendar import kyc_due_expression, revaluation_due_expression
from .groups import current_group_limits
from .models import (
    AlertKind,
    ClientRating,
    Collateral,
    CollateralKind,
    CreditLimit,
    RiskAlert,
    RiskAssessment,
)
from .models import Severity as Sev
from .scale import rating_scale, risk_settings
from .watchlist import watch_grades

SCAN_OBJECT = "risk.scan"  # the audit trail's object type of a scan (risk/audit_events.py)
EVENT_KINDS = frozenset({AlertKind.RATING_DOWNGRADE})
CIRCLE_MAX_LENGTH = 8
MONEY = models.DecimalField(max_digits=24, decimal_places=2)
HUNDRED = Decimal("100")


@dataclass
class ScanResult:
    opened: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)
    open_total: int = 0
    notified: int = 0

    @property
    def opened_total(self) -> int:
        return sum(self.opened.values())

    @property
    def cleared_total(self) -> int:
        return sum(self.cleared.values())


@dataclass(frozen=True)
class Signal:
    """One kind: ``rows`` gives ``(client_id, severity, detail)`` per client
    meeting the condition, ``holding`` the same clients' ids (a subquery)."""

    kind: str
    rows: QuerySet
    holding: QuerySet


# --- building blocks -----------------------------------------------------------------


def _today(tenant: Tenant):
    return timezone.now().astimezone(tenant_zone(tenant)).date()


def _signal(kind: str, qs: QuerySet, *, client: str, severity, detail: dict) -> Signal:
    qs = qs.order_by()
    return Signal(
        kind=kind,
        # values_list keeps the order of its expressions (Django >= 5.2)
        rows=qs.values_list(F(client), severity, JSONObject(**detail)),
        holding=qs.values_list(F(client), flat=True),
    )


def _rank_case(field_name: str) -> Case:
    """The grade's rank on the tenant scale (0 = best) of a rating column."""
    return Case(
        *[When(**{field_name: g.code}, then=Value(g.rank)) for g in rating_scale()],
        default=Value(None),
        output_field=models.IntegerField(),
    )


def _limit_in_base(today) -> Subquery:
    """The newest unexpired client limit of ``OuterRef('pk')`` in CNY."""
    return Subquery(
        CreditLimit.objects.filter(client_id=OuterRef("pk"), expires_on__gte=today)
        .order_by("-created_at", "-pk")
        .annotate(base=base_currency("amount"))
        .values("base")[:1],
        output_field=MONEY,
    )


def _lendable_in_base():
    """``Collateral`` lendable value in CNY, as SQL (market × (1 − haircut × 0.01)).
    Multiplied, not divided by 100: SQLite (``make demo``) stores a whole
    haircut such as 30 as an integer and divides integers as integers (30 /
    100 = 0: no haircut at all); PostgreSQL's numeric gives the same either way."""
    return ExpressionWrapper(
        base_currency("market_value")
        * (Value(Decimal("1")) - F("haircut_pct") * Value(Decimal("0.01"))),
        output_field=MONEY,
    )


# --- signals -------------------------------------------------------------------------


def signals(*, today, now: datetime) -> list[Signal]:
    s = risk_settings()
    clients = tenant_clients().exclude(lifecycle="closed")
    found: list[Signal] = []

    # limit breach: the client's own limit, or a group limit of one of its groups
    # (a group's exposure over all its members is kept on the group: clients 0114)
    group_limit = Subquery(
        current_group_limits(today=today)
        .filter(group_id=OuterRef("pk"))
        .annotate(base=base_currency("amount"))
        .values("base")[:1],
        output_field=MONEY,
    )
    groups_over = (
        RelationshipGroup.objects.annotate(glimit=group_limit)
        .filter(glimit__isnull=False, exposure__gt=F("glimit"))
        .values("pk")
    )
    in_group_over = Q(
        pk__in=GroupMembership.objects.filter(group_id__in=groups_over).values("client_id")
    )
    limited = (
        clients.annotate(limit_base=_limit_in_base(today))
        .filter(Q(limit_base__isnull=False, exposure__gt=F("limit_base")) | in_group_over)
        .annotate(group_over=ExpressionWrapper(in_group_over, output_field=models.BooleanField()))
    )
    found.append(
        _signal(
            AlertKind.LIMIT_BREACH,
            limited,
            client="pk",
            severity=Case(
                When(exposure__gt=F("limit_base") * Value(Decimal("1.2")), then=Value(Sev.HIGH)),
                When(group_over=True, then=Value(Sev.HIGH)),
                default=Value(Sev.MEDIUM),
            ),
            detail={"exposure": F("exposure"), "limit": F("limit_base"), "group": F("group_over")},
        )
    )

    # capital caps: single client, loans to one client, connected group
    caps = Q(pk__in=[])
    if s.tier1_capital > 0:
        caps |= Q(exposure__gt=s.tier1_capital * s.single_client_cap_pct / HUNDRED)
        group_cap = s.tier1_capital * s.group_cap_pct / HUNDRED
        over = RelationshipGroup.objects.filter(exposure__gt=group_cap).values("pk")
        caps |= Q(pk__in=GroupMembership.objects.filter(group_id__in=over).values("client_id"))
    if s.net_capital > 0:
        caps |= Q(exposure__gt=s.net_capital * s.client_loans_cap_pct / HUNDRED)
    found.append(
        _signal(
            AlertKind.CAP_BREACH,
            clients.filter(caps),
            client="pk",
            severity=Value(Sev.HIGH),
            detail={
                "exposure": F("exposure"),
                "tier1_capital": Value(s.tier1_capital, output_field=MONEY),
                "net_capital": Value(s.net_capital, output_field=MONEY),
            },
        )
    )

    # rating downgrade: the current rating worse than the previous approved one,
    # raised once per approved rating (no alert of the kind since its approval)
    previous = (
        RiskAssessment.objects.filter(
            client_id=OuterRef("client_id"),
            status="approved",
            approved_at__lt=OuterRef("approved_at"),
        )
        .exclude(pk=OuterRef("assessment_id"))
        .order_by("-approved_at", "-pk")
        .values("rating")[:1]
    )
    already = RiskAlert.objects.filter(
        client_id=OuterRef("client_id"),
        kind=AlertKind.RATING_DOWNGRADE,
        raised_at__gte=OuterRef("approved_at"),
    )
    weak = watch_grades([g.code for g in rating_scale()])  # CCC or worse, as the watch list
    ratings = (
        ClientRating.objects.filter(client__in=clients)
        .annotate(previous=Subquery(previous))
        .annotate(cur_rank=_rank_case("rating"), prev_rank=_rank_case("previous"))
        .filter(cur_rank__gt=F("prev_rank"))
        .filter(~Exists(already))
    )
    found.append(
        _signal(
            AlertKind.RATING_DOWNGRADE,
            ratings,
            client="client_id",
            severity=Case(
                When(
                    Q(rating__in=weak) | Q(cur_rank__gte=F("prev_rank") + 3),
                    then=Value(Sev.HIGH),
                ),
                default=Value(Sev.MEDIUM),
            ),
            detail={"rating": F("rating"), "previous": F("previous")},
        )
    )

    # rating review overdue
    reviews = ClientRating.objects.filter(client__in=clients, next_review_at__lt=today)
    found.append(
        _signal(
            AlertKind.REVIEW_OVERDUE,
            reviews,
            client="client_id",
            severity=Case(
                When(next_review_at__lt=today - timedelta(days=90), then=Value(Sev.HIGH)),
                default=Value(Sev.MEDIUM),
            ),
            detail={"due_on": Cast("next_review_at", models.CharField())},
        )
    )

    # KYC refresh overdue (the calendar's due date)
    kyc = clients.annotate(kyc_due=kyc_due_expression(s)).filter(kyc_due__lt=today)
    found.append(
        _signal(
            AlertKind.KYC_OVERDUE,
            kyc,
            client="pk",
            severity=Case(
                When(kyc_risk_level="high", then=Value(Sev.HIGH)), default=Value(Sev.MEDIUM)
            ),
            detail={"due_on": Cast("kyc_due", models.CharField()), "level": F("kyc_risk_level")},
        )
    )

    # collateral revaluation overdue (per client: how many, the earliest)
    reval = (
        Collateral.objects.filter(client__in=clients)
        .annotate(reval_due=revaluation_due_expression(s))
        .filter(reval_due__lt=today)
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"), earliest=Min("reval_due"))
    )
    found.append(
        _signal(
            AlertKind.REVALUATION_OVERDUE,
            reval,
            client="client_id",
            severity=Value(Sev.MEDIUM),
            detail={"collaterals": F("n"), "due_on": Cast("earliest", models.CharField())},
        )
    )

    # low coverage of secured clients
    ratio = Decimal(s.coverage_alert_ratio)
    coverage = (
        Collateral.objects.filter(client__in=clients.filter(exposure__gt=0))
        .order_by()
        .values("client_id", exposure=F("client__exposure"))
        .annotate(lendable=Sum(_lendable_in_base()))
        .filter(lendable__lt=F("exposure") * Value(ratio))
    )
    found.append(
        _signal(
            AlertKind.LOW_COVERAGE,
            coverage,
            client="client_id",
            severity=Case(
                When(lendable__lt=F("exposure") * Value(ratio / 2), then=Value(Sev.MEDIUM)),
                default=Value(Sev.LOW),
            ),
            detail={"lendable": F("lendable"), "exposure": F("exposure")},
        )
    )

    # days past due (clients' loan holdings)
    arrears = tenant_arrears().filter(client__in=clients)
    found.append(
        _signal(
            AlertKind.PAST_DUE,
            arrears,
            client="client_id",
            severity=Case(
                When(max_days_past_due__gt=90, then=Value(Sev.HIGH)),
                When(max_days_past_due__gt=30, then=Value(Sev.MEDIUM)),
                default=Value(Sev.LOW),
            ),
            detail={"days_past_due": F("max_days_past_due"), "balance": F("past_due_balance")},
        )
    )

    # large outflows over 30 days against AUM
    share = Decimal(s.large_outflow_pct) / HUNDRED
    outflows = (
        tenant_outflows(since=now - timedelta(days=30))
        .filter(client__in=clients)
        .filter(outflow__gt=F("aum") * Value(share))
        .filter(outflow__gt=0)
    )
    found.append(
        _signal(
            AlertKind.LARGE_OUTFLOW,
            outflows,
            client="client_id",
            severity=Case(
                When(outflow__gt=F("aum") * Value(share * 2), then=Value(Sev.HIGH)),
                default=Value(Sev.MEDIUM),
            ),
            detail={"outflow": F("outflow"), "aum": F("aum")},
        )
    )
    return found


# --- guarantee circles ---------------------------------------------------------------

_CIRCLES_SQL = """
WITH RECURSIVE edges(src, dst) AS (
    SELECT DISTINCT c.guarantor_client_id, c.client_id
    FROM risk_collateral c
    JOIN clients_client g ON g.id = c.guarantor_client_id AND g.lifecycle <> 'closed'
    JOIN clients_client b ON b.id = c.client_id AND b.lifecycle <> 'closed'
    WHERE c.tenant_id = %s AND c.kind = %s AND c.guarantor_client_id IS NOT NULL
      AND c.guarantor_client_id <> c.client_id
),
walk(start, node, path, depth) AS (
    SELECT src, dst, ',' || CAST(src AS TEXT) || ',' || CAST(dst AS TEXT) || ',', 1 FROM edges
    UNION ALL
    SELECT w.start, e.dst, w.path || CAST(e.dst AS TEXT) || ',', w.depth + 1
    FROM walk w JOIN edges e ON e.src = w.node
    WHERE w.node <> w.start AND w.depth < %s
      AND (e.dst = w.start OR w.path NOT LIKE '%%,' || CAST(e.dst AS TEXT) || ',%%')
)
SELECT start, MIN(path) FROM walk WHERE node = start GROUP BY start
"""


def guarantee_circles(*, tenant_id: int) -> dict[int, list[int]]:
    """client id → the members of the shortest-listed guarantee cycle it is on
    (A guarantees B … guarantees A), from one recursive query."""
    with connection.cursor() as cur:
        cur.execute(_CIRCLES_SQL, [tenant_id, CollateralKind.GUARANTEE, CIRCLE_MAX_LENGTH])
        rows = cur.fetchall()
    return {start: [int(x) for x in path.strip(",").split(",")[:-1]] for start, path in rows}


# --- writing -------------------------------------------------------------------------

_COLUMNS = "tenant_id, client_id, kind, severity, detail, status, note, raised_at"


def _returning(sql: str, params) -> list[tuple[int, int]]:
    with connection.cursor() as cur:
        cur.execute(sql + " ON CONFLICT DO NOTHING RETURNING id, client_id", params)
        return cur.fetchall()


def _insert_from(signal: Signal, *, tenant_id: int, now: datetime) -> list[tuple[int, int]]:
    try:
        select_sql, select_params = signal.rows.query.sql_with_params()
    except EmptyResultSet:  # a condition that cannot hold (e.g. no capital set)
        return []
    sql = (
        f"INSERT INTO {RiskAlert._meta.db_table} ({_COLUMNS}) "
        f"SELECT %s, s.c0, %s, s.c1, s.c2, %s, '', %s FROM ({select_sql}) AS s(c0, c1, c2) WHERE 1 = 1"
    )
    if connection.vendor == "sqlite":  # SQLite names subquery columns by position only via a CTE
        sql = (
            f"WITH s(c0, c1, c2) AS ({select_sql}) INSERT INTO {RiskAlert._meta.db_table} ({_COLUMNS}) "
            "SELECT %s, c0, %s, c1, c2, %s, '', %s FROM s WHERE 1 = 1"
        )
        return _returning(sql, (*select_params, tenant_id, signal.kind, RiskAlert.Status.OPEN, now))
    return _returning(sql, (tenant_id, signal.kind, RiskAlert.Status.OPEN, now, *select_params))


def _insert_circles(circles: dict[int, list[int]], *, tenant_id: int, now: datetime):
    if not circles:
        return []
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, '', %s)"] * len(circles))
    params: list = []
    for client_id, members in sorted(circles.items()):
        detail = json.dumps({"members": members})
        params += [tenant_id, client_id, AlertKind.GUARANTEE_CIRCLE, Sev.HIGH, detail, "open", now]
    sql = f"INSERT INTO {RiskAlert._meta.db_table} ({_COLUMNS}) VALUES {values}"
    return _returning(sql, params)


def _clear(kind: str, *, holding: QuerySet | list[int], now: datetime) -> int:
    """Resolve the open / acknowledged alerts of ``kind`` whose client no longer
    meets the condition (``holding``: the client ids that still do)."""
    return (
        RiskAlert.objects.filter(kind=kind)
        .exclude(status=RiskAlert.Status.RESOLVED)
        .exclude(client_id__in=holding)
        .update(status=RiskAlert.Status.RESOLVED, resolved_at=now, resolved_by=None)
    )


# --- notifying -----------------------------------------------------------------------


def _notify_new(new: list[tuple[int, int]], *, tenant: Tenant, now: datetime) -> int:
    """One digest notice per recipient: the dedicated managers of the clients
    with new alerts, and every active risk officer."""
    if not new:
        return 0
    ids = [alert_id for alert_id, _client in new]
    per_manager = (
        RiskAlert.objects.filter(pk__in=ids, client__dedicated_manager__is_active=True)
        .order_by()
        .values("client__dedicated_manager_id")
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(severity=Sev.HIGH)))
    )
    counts = {r["client__dedicated_manager_id"]: (r["n"], r["high"]) for r in per_manager}
    high_total = RiskAlert.objects.filter(pk__in=ids, severity=Sev.HIGH).count()
    officers = (
        tenant_staff().filter(role=Role.RISK_OFFICER, is_active=True).values_list("pk", flat=True)
    )
    for officer_id in officers:
        counts[officer_id] = (len(ids), high_total)
    url = reverse("risk:alerts") + "?status=open"
    languages = dict(tenant_staff().filter(pk__in=list(counts)).values_list("pk", "language"))
    notices = []
    for user_id, (n, high) in sorted(counts.items()):
        with translation.override(languages.get(user_id) or tenant.locale):
            title = ngettext(
                "%(n)d new risk alert (%(high)d high)", "%(n)d new risk alerts (%(high)d high)", n
            ) % {"n": n, "high": high}
            body = _("Raised by the early-warning scan.")
        notices.append(
            Notice(recipient_id=user_id, title=title, body=body, url=url, created_at=now)
        )
    return notify(notices)


# --- the scan ------------------------------------------------------------------------


def scan_tenant(*, now: datetime | None = None) -> ScanResult:
    """Run every signal for the tenant in scope, in one transaction."""
    tenant = Tenant.objects.get(pk=require_tenant_id())
    now = now or timezone.now()
    today = _today(tenant)
    result = ScanResult()
    new: list[tuple[int, int]] = []
    with transaction.atomic():
        for signal in signals(today=today, now=now):
            rows = _insert_from(signal, tenant_id=tenant.pk, now=now)
            result.opened[signal.kind] = len(rows)
            new += rows
            if signal.kind not in EVENT_KINDS:
                result.cleared[signal.kind] = _clear(signal.kind, holding=signal.holding, now=now)
        circles = guarantee_circles(tenant_id=tenant.pk)
        rows = _insert_circles(circles, tenant_id=tenant.pk, now=now)
        result.opened[AlertKind.GUARANTEE_CIRCLE] = len(rows)
        new += rows
        result.cleared[AlertKind.GUARANTEE_CIRCLE] = _clear(
            AlertKind.GUARANTEE_CIRCLE, holding=list(circles), now=now
        )
        result.notified = _notify_new(new, tenant=tenant, now=now)
        result.open_total = RiskAlert.objects.exclude(status=RiskAlert.Status.RESOLVED).count()
        audit_record(
            action="risk.scan_completed",
            object_type=SCAN_OBJECT,
            data={
                "opened": {k: v for k, v in result.opened.items() if v},
                "cleared": {k: v for k, v in result.cleared.items() if v},
                "open": result.open_total,
            },
        )
    return result

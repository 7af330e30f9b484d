"""The set-based reads behind the scorecards: a handful of GROUP BY queries
per tenant and period, each grouped by the RM and the client's own branch
together (one row per pair, added to the RM's and to the branch's numbers).
Every number is additive (counts, sums, numerators and denominators), so a
branch subtree and the tenant are sums of the branches' rows, done in Python
over branches — never over clients.

Attribution: a client belongs to its dedicated manager and its branch; a
survey answer to the manager and branch it had when answered (loyalty keeps
them); a follow-up to its assignee (RM) and its client's branch.

Status measures (overdue reviews, KYC, follow-ups, cadence, open breaches,
the non-performing book) are taken as of ``as_of``: now for the current
month, the month's end for an earlier one (follow-ups exactly, from their
completion times; the others from today's rows, the best the data allows).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When

from clients.access import tenant_clients
from clients.models import Holding, ProductCategory, Transaction, TransactionCategory
from clients.selectors.portfolio import base_currency
from communications.models import FollowUp
from communications.selectors import comm_settings_get, revisit_overdue_q
from loyalty.models import SurveyKind, SurveyResponse
from risk.calendar import kyc_due_expression
from risk.models import AlertKind, ClientClassification, ClientRating, RiskAlert
from risk.scale import risk_settings

from .models import DailyAum, KeyClientBase, Scope

MONEY = DecimalField(max_digits=24, decimal_places=4)
NON_PERFORMING = ("substandard", "doubtful", "loss")
NPL_DAYS_PAST_DUE = 90  # risk/rules.py: > 90 days past due is at least substandard

Components = dict[tuple[str, int], dict[str, Decimal]]
RM, BRANCH = "rm", "br"


def _both(out: Components, qs, rm_field: str, branch_field: str, **aggregates) -> None:
    """Per RM and per branch from one query grouped by (RM, branch): every
    aggregate is additive, so each (RM, branch) row adds to both (a client has
    one of each; grouping twice read the same rows twice)."""
    for row in qs.values(rm_field, branch_field).annotate(**aggregates).order_by():
        subjects = ((RM, row.pop(rm_field)), (BRANCH, row.pop(branch_field)))
        for kind, subject in subjects:
            if subject is None:
                continue
            bucket = out[(kind, int(subject))]
            for name, value in row.items():
                bucket[name] = bucket.get(name, Decimal(0)) + Decimal(value or 0)


def gather(
    *, period: str, start: datetime, end: datetime, as_of: datetime, rates, sla
) -> Components:
    """Every additive component of the period, per RM and per branch."""
    out: Components = defaultdict(dict)
    day: date = as_of.date()
    _surveys(out, start, end)
    _clients(out, as_of, day)
    _retention(out, period)
    _revenue(out, start, min(end, as_of), rates)
    _alerts(out, start, min(end, as_of), as_of, sla)
    _followups(out, as_of)
    return out


def _surveys(out: Components, start: datetime, end: datetime) -> None:
    nps, csat = Q(kind=SurveyKind.NPS), Q(kind=SurveyKind.CSAT)
    qs = SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end)
    _both(
        out,
        qs,
        "manager_id",
        "branch_id",
        nps_n=Count("pk", filter=nps),
        promoters=Count("pk", filter=nps & Q(score__gte=9)),
        detractors=Count("pk", filter=nps & Q(score__lte=6)),
        csat_n=Count("pk", filter=csat),
        csat_ok=Count("pk", filter=csat & Q(score__gte=4)),
    )


def _clients(out: Components, as_of: datetime, day: date) -> None:
    cadences = comm_settings_get()
    overdue_review = ClientRating.objects.filter(client_id=OuterRef("pk"), next_review_at__lt=day)
    classified_npl = ClientClassification.objects.filter(
        client_id=OuterRef("pk"), classification__in=NON_PERFORMING
    )
    loan_npl = Holding.objects.filter(
        client_id=OuterRef("pk"),
        kind=ProductCategory.LOAN,
        days_past_due__gt=NPL_DAYS_PAST_DUE,
    )
    qs = (
        tenant_clients()
        .filter(lifecycle="active")
        .annotate(kyc_due=kyc_due_expression(risk_settings()))
    )
    _both(
        out,
        qs,
        "dedicated_manager_id",
        "branch_id",
        clients=Count("pk"),
        with_cadence=Count("pk", filter=Q(tier__in=list(cadences.cadence_days()))),
        cadence_overdue=Count(
            "pk",
            filter=Q(tier__in=list(cadences.cadence_days()))
            & revisit_overdue_q(settings=cadences, now=as_of),
        ),
        kyc_overdue=Count("pk", filter=Q(kyc_due__lt=day)),
        reviews_overdue=Count("pk", filter=Q(Exists(overdue_review))),
        book=Sum("exposure"),
        npl_exposure=Sum("exposure", filter=Q(Exists(classified_npl)) | Q(Exists(loan_npl))),
    )


def _retention(out: Components, period: str) -> None:
    still = Q(client__lifecycle="active", client__dedicated_manager__isnull=False)
    qs = KeyClientBase.objects.filter(period=period)
    _both(
        out,
        qs,
        "manager_id",
        "branch_id",
        base=Count("pk"),
        kept=Count("pk", filter=still),
    )


def revenue_rate_case(rates: dict[str, Decimal], days: int) -> Case:
    """A holding's estimated revenue over ``days``: balance (CNY) x annual rate."""
    return Case(
        *[
            When(kind=category, then=Value(rate / Decimal(100) * days / Decimal(365)))
            for category, rate in rates.items()
        ],
        default=Value(Decimal(0)),
        output_field=MONEY,
    )


def revenue_days(start: datetime, until: datetime) -> int:
    """Days of the period the holdings' revenue is counted for (a started day counts)."""
    span = until - start
    return max(span.days + (1 if span % timedelta(days=1) else 0), 0)


def _revenue(out: Components, start: datetime, until: datetime, rates) -> None:
    days = revenue_days(start, until)
    holdings = Holding.objects.filter(client__lifecycle__in=("active", "dormant"))
    amount = base_currency("balance") * revenue_rate_case(rates, days)
    _both(
        out,
        holdings,
        "client__dedicated_manager_id",
        "client__branch_id",
        holding_revenue=Sum(amount, output_field=MONEY),
    )
    fees = Transaction.objects.filter(
        category=TransactionCategory.FEE,
        direction=Transaction.Direction.OUT,
        occurred_at__gte=start,
        occurred_at__lt=until,
    )
    _both(
        out,
        fees,
        "client__dedicated_manager_id",
        "client__branch_id",
        fees=Sum(base_currency("amount"), output_field=MONEY),
    )


def within_sla_q(sla: dict[str, int]) -> Q:
    q = Q(pk__in=[])
    for severity, days in sla.items():
        q |= Q(severity=severity, resolved_at__lte=F("raised_at") + timedelta(days=int(days)))
    return q


def _alerts(out: Components, start: datetime, until: datetime, as_of: datetime, sla) -> None:
    resolved = Q(status=RiskAlert.Status.RESOLVED, resolved_at__gte=start, resolved_at__lt=until)
    breach_open = Q(kind=AlertKind.LIMIT_BREACH, raised_at__lt=as_of) & ~Q(
        status=RiskAlert.Status.RESOLVED
    )
    qs = RiskAlert.objects.filter(resolved | breach_open)
    _both(
        out,
        qs,
        "client__dedicated_manager_id",
        "client__branch_id",
        alerts_resolved=Count("pk", filter=resolved),
        alerts_in_sla=Count("pk", filter=resolved & within_sla_q(sla)),
        limit_breaches=Count("pk", filter=breach_open),
    )


def followups_overdue_q(as_of: datetime) -> Q:
    """Follow-ups overdue at ``as_of``: due before it and not done by then."""
    return Q(due_at__lt=as_of) & (
        Q(status=FollowUp.Status.OPEN) | Q(status=FollowUp.Status.DONE, completed_at__gt=as_of)
    )


def _followups(out: Components, as_of: datetime) -> None:
    qs = FollowUp.objects.filter(followups_overdue_q(as_of))
    _both(out, qs, "assignee_id", "client__branch_id", followups_overdue=Count("pk"))


# --- the nightly AUM aggregate ------------------------------------------------------------


def daily_aum_rows(day: date) -> tuple[list[DailyAum], dict[str, Decimal]]:
    """Today's AUM and deposits per RM, per branch (its own clients) and for the
    tenant: four small GROUP BY queries, whatever the number of clients."""
    clients = tenant_clients().exclude(lifecycle="closed")
    deposits = Holding.objects.filter(kind=ProductCategory.DEPOSIT).exclude(
        client__lifecycle="closed"
    )
    sums: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(
        lambda: {"aum": Decimal(0), "deposits": Decimal(0)}
    )
    for scope, field, qs, name, value in (
        (Scope.RM, "dedicated_manager_id", clients, "aum", Sum("aum")),
        (Scope.BRANCH, "branch_id", clients, "aum", Sum("aum")),
        (
            Scope.RM,
            "client__dedicated_manager_id",
            deposits,
            "deposits",
            Sum(base_currency("balance"), output_field=MONEY),
        ),
        (
            Scope.BRANCH,
            "client__branch_id",
            deposits,
            "deposits",
            Sum(base_currency("balance"), output_field=MONEY),
        ),
    ):
        for subject, total in qs.values_list(field).annotate(v=value).order_by():
            if subject is not None:
                sums[(scope, subject)][name] += total or 0
    tenant_total = {"aum": Decimal(0), "deposits": Decimal(0)}
    for (scope, _subject), values in sums.items():
        if scope == Scope.BRANCH:
            tenant_total["aum"] += values["aum"]
            tenant_total["deposits"] += values["deposits"]
    rows = [
        DailyAum(
            day=day,
            scope=scope,
            subject_id=subject,
            aum=values["aum"].quantize(Decimal("0.01")),
            deposits=values["deposits"].quantize(Decimal("0.01")),
        )
        for (scope, subject), values in sums.items()
    ]
    return rows, tenant_total


def aum_averages(first: date, last: date) -> tuple[dict[tuple[str, int], dict], int]:
    """Sum of the recorded daily AUM and deposits per (scope, subject) between
    ``first`` and ``last``, and the number of days the tenant recorded (a
    subject without a row on a recorded day had nothing that day)."""
    rows = DailyAum.objects.filter(day__gte=first, day__lte=last).exclude(scope=Scope.TENANT)
    days = rows.values("day").distinct().count()
    sums = {}
    for scope, subject, aum, deposits in (
        rows.values_list("scope", "subject_id").annotate(Sum("aum"), Sum("deposits")).order_by()
    ):
        kind = RM if scope == Scope.RM else BRANCH
        sums[(kind, subject)] = {"aum_sum": aum or 0, "deposits_sum": deposits or 0}
    return sums, days

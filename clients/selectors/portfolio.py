"""Reads of portfolio data. Everything about a client starts from the access
policy (``clients.access.visible_clients``): a holding or transaction of an
invisible client does not exist for the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Max, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from clients.access import visible_clients
from tenancy.models import Role
from tenancy.shortcuts import get_or_404

from ..models import (
    FX_TO_BASE,
    Holding,
    ImportJob,
    Product,
    ProductCategory,
    TierThreshold,
    Transaction,
)
from .recommendations import PreferenceProfile, Recommendation, preference_profile, recommend

MONEY = DecimalField(max_digits=24, decimal_places=4)


def base_currency(amount: str, currency: str = "currency") -> Case:
    """``amount`` (a field name) converted to the base currency (CNY) in SQL,
    at the fixed reference rates of ``FX_TO_BASE`` (what AUM and exposure use)."""
    return F(amount) * Case(
        *[
            When(**{currency: code}, then=Value(rate))
            for code, rate in FX_TO_BASE.items()
            if rate != 1
        ],
        default=Value(Decimal("1")),
        output_field=MONEY,
    )


# --- catalogue -----------------------------------------------------------------------


def product_list(
    *, user, active: bool | None = None, category: str | None = None
) -> QuerySet[Product]:
    """The tenant's catalogue: every staff member may read it."""
    if getattr(user, "tenant_id", None) is None:
        return Product.objects.none()
    qs = Product.objects.order_by("category", "code")
    if active is not None:
        qs = qs.filter(is_active=active)
    if category:
        qs = qs.filter(category=category)
    return qs


def product_get(*, user, product_id) -> Product:
    return get_or_404(product_list(user=user), product_id)


# --- holdings and transactions ------------------------------------------------------------


def holding_list(*, user, client_id=None) -> QuerySet[Holding]:
    qs = Holding.objects.filter(client__in=visible_clients(user).values("pk"))
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.select_related("client", "product").order_by("client_id", "kind", "account_number")


def holding_get(*, user, holding_id) -> Holding:
    return get_or_404(holding_list(user=user), holding_id)


def _day_start(d: date) -> datetime:
    """Midnight of ``d`` in the current time zone. Midnight of 0001-01-01
    east of UTC falls before the first UTC instant, which Python cannot
    hold (SQLite's adapter, ``make demo``, converts to UTC): that day
    starts at the first UTC instant instead."""
    start = timezone.make_aware(datetime.combine(d, time.min))
    try:
        start.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)
    return start


def transaction_list(
    *, user, client_id=None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Transaction]:
    """Transactions of visible clients, newest first; dates are whole days in
    the current time zone (``date_to`` inclusive)."""
    qs = Transaction.objects.filter(client__in=visible_clients(user).values("pk"))
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(occurred_at__lt=_day_start(date_to + timedelta(days=1)))
    return qs.select_related("client").order_by("-occurred_at", "-id")


def transaction_get(*, user, transaction_id) -> Transaction:
    return get_or_404(transaction_list(user=user), transaction_id)


def client_transaction_summary(*, client, months: int = 12) -> list[dict]:
    """{category, direction, count, total} over the last ``months`` months:
    one grouped query. ``client`` has passed the access policy."""
    since = timezone.now() - timedelta(days=round(months * 30.4375))
    rows = (
        Transaction.objects.filter(client=client, occurred_at__gte=since)
        .order_by()
        .values("category", "direction", "currency")
        .annotate(count=Count("id"), total=Sum("amount"))
    )
    return list(rows)


# --- the 360° sections' data ------------------------------------------------------------------


@dataclass
class ClientPortfolio:
    holdings: list[Holding]
    transaction_summary: list[dict]  # per category: count, total_in, total_out (CNY)
    profile: PreferenceProfile
    recommendations: list[Recommendation]


def _by_category(rows: list[dict]) -> list[dict]:
    from ..models import TransactionCategory
    from .recommendations import to_base

    labels = dict(TransactionCategory.choices)
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(
            r["category"],
            {
                "category": r["category"],
                "label": labels.get(r["category"], r["category"]),
                "count": 0,
                "total_in": 0,
                "total_out": 0,
            },
        )
        entry["count"] += r["count"]
        key = "total_in" if r["direction"] == Transaction.Direction.IN else "total_out"
        entry[key] += to_base(r["total"], r["currency"])
    return sorted(out.values(), key=lambda e: (-e["count"], e["category"]))


def client_portfolio(*, user, client, request=None) -> ClientPortfolio:
    """Holdings, 12-month summary, preference profile and recommendations of a
    visible ``client`` in three queries; memoised on ``request`` so the four
    360° sections share them."""
    cache = getattr(request, "_client_portfolio", None) if request is not None else None
    if cache is not None and client.pk in cache:
        return cache[client.pk]
    holdings = list(
        Holding.objects.filter(client=client)
        .select_related("product")
        .order_by("kind", "account_number")
    )
    summary = _by_category(client_transaction_summary(client=client))
    profile = preference_profile(holdings=holdings, transaction_summary=summary)
    held = {h.product_id for h in holdings if h.product_id}
    products = product_list(user=user, active=True)
    # the viewer's product gates (certifications) narrow the catalogue query
    recs = recommend(
        client=client, products=products, held_product_ids=held, profile=profile, user=user
    )
    result = ClientPortfolio(holdings, summary, profile, recs)
    if request is not None:
        if cache is None:
            cache = {}
            request._client_portfolio = cache
        cache[client.pk] = result
    return result


def client_loans(*, user, client, request=None) -> list[Holding]:
    """The loan holdings of a ``client`` already checked by ``client_get``
    (what risk measures exposure and arrears on). With the ``request`` of the
    360° page, taken from its memoised portfolio: no query of its own."""
    if request is not None:
        holdings = client_portfolio(user=user, client=client, request=request).holdings
        return [h for h in holdings if h.kind == ProductCategory.LOAN]
    return list(
        Holding.objects.filter(client=client, kind=ProductCategory.LOAN).order_by("account_number")
    )


def tenant_arrears() -> QuerySet:
    """Per client of the tenant in scope with a loan past due: ``client_id``,
    ``max_days_past_due`` and ``past_due_balance`` (CNY) — one aggregate query,
    for background jobs acting for the bank (risk's early-warning scan)."""
    return (
        Holding.objects.filter(kind=ProductCategory.LOAN, days_past_due__gt=0)
        .order_by()
        .values("client_id")
        .annotate(
            max_days_past_due=Max("days_past_due"), past_due_balance=Sum(base_currency("balance"))
        )
    )


def tenant_outflows(*, since: datetime) -> QuerySet:
    """Per client of the tenant in scope: ``client_id``, ``aum`` and
    ``outflow`` (CNY, outgoing transactions since ``since``) — one aggregate
    query, for background jobs (risk's large-outflow signal)."""
    return (
        Transaction.objects.filter(direction=Transaction.Direction.OUT, occurred_at__gte=since)
        .order_by()
        .values("client_id", aum=F("client__aum"))
        .annotate(outflow=Sum(base_currency("amount")))
    )


# --- administration ----------------------------------------------------------------------------


def tier_threshold_list(*, user) -> list[TierThreshold]:
    from ..services.tiering import TIER_ORDER, tier_thresholds

    rows = tier_thresholds(create_missing=user.role == Role.ADMIN)
    return [rows[t] for t in TIER_ORDER if t in rows]


def tier_threshold_get(*, user, tier: str) -> TierThreshold:
    for t in tier_threshold_list(user=user):
        if t.tier == tier:
            return t
    raise Http404


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """Import jobs: tenant admins (who run imports) and compliance (who audit them)."""
    if getattr(user, "role", None) not in (Role.ADMIN, Role.COMPLIANCE):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")


def import_job_get(*, user, job_id) -> ImportJob:
    return get_or_404(import_job_list(user=user), job_id)


def client_export_list(*, user) -> QuerySet:
    """The clients a user may export: exactly the visible ones."""
    return (
        visible_clients(user)
        .select_related("branch", "dedicated_manager", "backup_manager")
        .order_by("id")
    )

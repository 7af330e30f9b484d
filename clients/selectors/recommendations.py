"""Investment preference profile and SUITABLE product recommendations.

Pure functions over plain objects (model instances or anything with the same
attributes), so the rules are testable without a database and the 360° page
feeds them from a fixed number of queries (see portfolio_selectors).

Suitability rules, each a hard filter:
- never a product whose risk level exceeds the client's tolerance
  (conservative=1, moderate=2, balanced=3, growth=4, aggressive=5);
- VIP-only products only for platinum and gold clients;
- never a product whose minimum investment (in CNY) exceeds the client's AUM;
- never a product the client already holds, an inactive product, or a loan;
- never a product a registered gate rules out for the staff member the
  recommendations are made for (``user``; clients.recommendation_gates:
  performance excludes categories needing a certification they do not hold).
Ranking: for clients whose interests contain "esg", every ESG product ranks
above every non-ESG one; then a score for fit with the client's risk appetite
and the categories they already use. Each recommendation carries its reasons,
and a reason states only what the 360° page shows next to it: "frequent
transactions" means at least ``FREQUENT_TRANSACTIONS_12M`` (monthly on average)
in the product's category in 12 months, and the reason gives that count, the
figure of the page's transactions table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ..access import VIP_TIERS
from ..models import FX_TO_BASE, ProductCategory
from ..recommendation_gates import gate_products

TOLERANCE_LEVEL = {"conservative": 1, "moderate": 2, "balanced": 3, "growth": 4, "aggressive": 5}
ESG_INTEREST = "esg"
NOT_RECOMMENDED_CATEGORIES = frozenset({ProductCategory.LOAN})
# Transactions in one category in 12 months from which they count as frequent
# (on average monthly; the same figure as the "medium" activity level, so a
# client whose activity reads "low" never gets a "frequent" reason).
FREQUENT_TRANSACTIONS_12M = 12
ACTIVITY_MEDIUM_12M = 12
ACTIVITY_HIGH_12M = 60


def to_base(amount: Decimal, currency: str) -> Decimal:
    return amount * FX_TO_BASE.get(currency, Decimal("1"))


@dataclass
class PreferenceProfile:
    """What a client's holdings and last 12 months of transactions say about them."""

    holdings_total: Decimal = Decimal("0")
    category_mix: list[tuple[str, Decimal]] = field(
        default_factory=list
    )  # (category, share 0..1) by value
    avg_risk_level: Decimal | None = None  # value-weighted over holdings of catalogue products
    esg_share: Decimal = Decimal("0")  # share of holdings value in ESG products
    transactions_12m: int = 0
    activity: str = "none"  # none, low, medium, high
    top_transaction_categories: list[str] = field(default_factory=list)
    transactions_by_category: dict[str, int] = field(default_factory=dict)

    def category_share(self, category: str) -> Decimal:
        return dict(self.category_mix).get(category, Decimal("0"))


def preference_profile(
    *, holdings: Iterable, transaction_summary: Iterable[dict]
) -> PreferenceProfile:
    """``holdings``: objects with kind, balance, currency and product (or None);
    ``transaction_summary``: rows {category, count, total} for 12 months."""
    profile = PreferenceProfile()
    by_kind: dict[str, Decimal] = {}
    risk_weighted = Decimal("0")
    risk_value = Decimal("0")
    esg_value = Decimal("0")
    for h in holdings:
        if h.kind == ProductCategory.LOAN:
            continue
        value = to_base(h.balance, h.currency)
        profile.holdings_total += value
        by_kind[h.kind] = by_kind.get(h.kind, Decimal("0")) + value
        product = h.product
        if product is not None:
            risk_weighted += value * product.risk_level
            risk_value += value
            if product.is_esg:
                esg_value += value
    total = profile.holdings_total
    if total > 0:
        profile.category_mix = sorted(
            ((k, (v / total).quantize(Decimal("0.0001"))) for k, v in by_kind.items()),
            key=lambda kv: (-kv[1], kv[0]),
        )
        profile.esg_share = (esg_value / total).quantize(Decimal("0.0001"))
    if risk_value > 0:
        profile.avg_risk_level = (risk_weighted / risk_value).quantize(Decimal("0.1"))
    rows = sorted(transaction_summary, key=lambda r: (-r["count"], r["category"]))
    profile.transactions_12m = sum(r["count"] for r in rows)
    profile.top_transaction_categories = [r["category"] for r in rows[:3]]
    for r in rows:
        by_category = profile.transactions_by_category
        by_category[r["category"]] = by_category.get(r["category"], 0) + r["count"]
    n = profile.transactions_12m
    profile.activity = (
        "none"
        if n == 0
        else "low"
        if n < ACTIVITY_MEDIUM_12M
        else "medium"
        if n < ACTIVITY_HIGH_12M
        else "high"
    )
    return profile


@dataclass
class Recommendation:
    product: object
    score: Decimal
    reasons: list[str]


def is_suitable(*, client, product, held_product_ids: set) -> bool:
    """The hard rules (see the module docstring)."""
    max_level = TOLERANCE_LEVEL.get(client.risk_tolerance, 1)
    return (
        bool(product.is_active)
        and product.category not in NOT_RECOMMENDED_CATEGORIES
        and product.pk not in held_product_ids
        and product.risk_level <= max_level
        and (not product.vip_only or client.tier in VIP_TIERS)
        and to_base(product.min_investment, product.currency) <= client.aum
    )


def recommend(
    *,
    client,
    products: Iterable,
    held_product_ids: set,
    profile: PreferenceProfile | None = None,
    limit: int = 5,
    user=None,
) -> list[Recommendation]:
    """The best ``limit`` suitable products for ``client``, each with its reasons.

    With ``user`` (the staff member offered them: every caller that shows
    recommendations passes it), ``products`` must be a QuerySet and the
    registered product gates narrow it; without it only the client-side rules
    apply (the pure tests of the rules)."""
    profile = profile or PreferenceProfile()
    if user is not None:
        products = gate_products(user=user, products=products)
    max_level = TOLERANCE_LEVEL.get(client.risk_tolerance, 1)
    wants_esg = ESG_INTEREST in (client.interests or [])
    # The level the client actually invests at, capped by what they may take.
    target = min(Decimal(max_level), profile.avg_risk_level or Decimal(max_level))
    tolerance_label = (
        client.get_risk_tolerance_display()
        if hasattr(client, "get_risk_tolerance_display")
        else client.risk_tolerance
    )
    candidates = []
    for p in products:
        if not is_suitable(client=client, product=p, held_product_ids=held_product_ids):
            continue
        reasons = [
            _("Risk level %(level)s is within the client's risk tolerance (%(tolerance)s).")
            % {"level": p.risk_level, "tolerance": tolerance_label}
        ]
        score = Decimal("10") - abs(Decimal(p.risk_level) - target) * 2
        share = profile.category_share(p.category)
        if share >= Decimal("0.2"):
            score += Decimal("3")
            reasons.append(
                _("The client already invests in this category (%(share)s%% of holdings).")
                % {"share": int(share * 100)}
            )
        elif profile.holdings_total > 0 and p.category not in dict(profile.category_mix):
            # not "share == 0": a tiny holding rounds to 0% yet shows on the page
            score += Decimal("1")
            reasons.append(_("Adds a category the client does not hold yet (diversification)."))
        frequent = profile.transactions_by_category.get(p.category, 0)
        if (
            p.category in profile.top_transaction_categories
            and frequent >= FREQUENT_TRANSACTIONS_12M
        ):
            score += Decimal("2")
            reasons.append(
                _(
                    "Matches the client's frequent transactions in this category "
                    "(%(count)s in the last 12 months)."
                )
                % {"count": frequent}
            )
        if wants_esg and p.is_esg:
            reasons.append(
                _("Green / ESG product for a client interested in sustainable investing.")
            )
        if p.vip_only:
            score += Decimal("1")
            reasons.append(_("Exclusive to platinum and gold clients."))
        candidates.append(Recommendation(product=p, score=score, reasons=reasons))
    candidates.sort(
        key=lambda r: (
            0 if (wants_esg and r.product.is_esg) else 1,
            -r.score,
            r.product.risk_level,
            r.product.code,
        )
    )
    return candidates[:limit]

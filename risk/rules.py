"""Pure risk rules (no database): the composite score, the master scale, the
review interval, the five-category floor with the contagion rule, and the
exposure figures. Services and selectors feed them loaded rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from clients.models.portfolio import FX_TO_BASE

from .models import CLASSIFICATION_ORDER, Classification

# The default master scale (API.md): code, composite range, review months.
DEFAULT_SCALE: tuple[tuple[str, int, int, int], ...] = (
    ("AAA", 0, 9, 12),
    ("AA", 10, 19, 12),
    ("A", 20, 29, 12),
    ("BBB", 30, 39, 12),
    ("BB", 40, 49, 6),
    ("B", 50, 59, 6),
    ("CCC", 60, 69, 3),
    ("CC", 70, 79, 3),
    ("C", 80, 89, 3),
    ("D", 90, 100, 3),
)

RATIO = Decimal("0.0001")


def composite_score(
    *, credit: int, market: int, operational: int, weights: tuple[Decimal, Decimal, Decimal]
) -> int:
    """The weighted mean of the three scores, rounded half up to an integer
    (weights need not sum to 1: they are normalised)."""
    wc, wm, wo = (Decimal(w) for w in weights)
    total = wc + wm + wo
    if total <= 0:
        raise ValueError("the weights must sum to more than 0")
    mean = (Decimal(credit) * wc + Decimal(market) * wm + Decimal(operational) * wo) / total
    return int(mean.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def rating_for(composite: int, scale) -> str:
    """The grade of ``scale`` (objects or tuples with code/min/max) covering ``composite``."""
    for grade in scale:
        code, lo, hi = _grade(grade)[:3]
        if lo <= composite <= hi:
            return code
    raise ValueError(f"no grade of the scale covers {composite}")


def review_months_for(rating: str, scale) -> int:
    for grade in scale:
        code, _lo, _hi, months = _grade(grade)
        if code == rating:
            return months
    raise ValueError(f"{rating} is not on the scale")


def _grade(grade) -> tuple[str, int, int, int]:
    if isinstance(grade, tuple):
        return grade
    return grade.code, grade.min_composite, grade.max_composite, grade.review_months


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- five-category classification --------------------------------------------------------

NON_PERFORMING = frozenset(
    {Classification.SUBSTANDARD, Classification.DOUBTFUL, Classification.LOSS}
)
CONTAGION_SHARE = Decimal("0.10")


def severity(classification: str) -> int:
    return CLASSIFICATION_ORDER.index(classification)


def worst(*classifications: str) -> str:
    return max(classifications, key=severity, default=Classification.NORMAL)


def floor_for_days_past_due(days: int) -> str:
    """Any overdue → special mention; > 90 days → substandard; > 270 →
    doubtful; > 360 → loss."""
    if days > 360:
        return Classification.LOSS
    if days > 270:
        return Classification.DOUBTFUL
    if days > 90:
        return Classification.SUBSTANDARD
    if days > 0:
        return Classification.SPECIAL_MENTION
    return Classification.NORMAL


@dataclass(frozen=True)
class Loan:
    key: object
    balance: Decimal
    days_past_due: int = 0


@dataclass
class Floor:
    classification: str
    per_loan: dict = field(default_factory=dict)
    non_performing_amount: Decimal = Decimal("0")
    contagion: bool = False


def classification_floor(loans: list[Loan]) -> Floor:
    """The floor per loan from its days past due, then the contagion rule: when
    more than 10% of the client's claims (by balance) are non-performing, every
    claim is at least substandard. The client's floor is its worst loan's."""
    per_loan = {loan.key: floor_for_days_past_due(loan.days_past_due) for loan in loans}
    total = sum((loan.balance for loan in loans), Decimal("0"))
    npl = sum(
        (loan.balance for loan in loans if per_loan[loan.key] in NON_PERFORMING), Decimal("0")
    )
    contagion = total > 0 and npl / total > CONTAGION_SHARE
    if contagion:
        per_loan = {k: worst(v, Classification.SUBSTANDARD) for k, v in per_loan.items()}
        npl = total
    return Floor(
        classification=worst(*per_loan.values()),
        per_loan=per_loan,
        non_performing_amount=npl,
        contagion=contagion,
    )


# --- exposure ------------------------------------------------------------------------------


def to_base(amount: Decimal, currency: str) -> Decimal:
    """An amount in the base currency (CNY) at the fixed reference rates AUM uses."""
    return (Decimal(amount) * FX_TO_BASE.get(currency, Decimal("1"))).quantize(Decimal("0.01"))


def ratio(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator to 4 decimals; None without a (positive) denominator."""
    if denominator is None or denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Breach:
    code: str  # credit_limit, single_client_cap, client_loans_cap, group_limit, group_cap
    limit: Decimal
    exposure: Decimal
    group: object = None  # the group's id, for group_limit and group_cap

    @property
    def excess(self) -> Decimal:
        return self.exposure - self.limit


def caps(settings) -> dict[str, Decimal | None]:
    """The caps in CNY from the tenant settings (None when the capital is not set)."""
    t1, net = settings.tier1_capital, settings.net_capital
    pct = Decimal("100")
    return {
        "single_client_cap": t1 * settings.single_client_cap_pct / pct if t1 > 0 else None,
        "client_loans_cap": net * settings.client_loans_cap_pct / pct if net > 0 else None,
        "large_exposure": t1 * settings.large_exposure_pct / pct if t1 > 0 else None,
    }


def group_cap(settings) -> Decimal | None:
    """The connected-group cap in CNY: ``group_cap_pct`` of tier-1 (None when not set)."""
    t1 = settings.tier1_capital
    return t1 * settings.group_cap_pct / Decimal("100") if t1 > 0 else None


def breaches(*, exposure: Decimal, limit: Decimal | None, settings) -> list[Breach]:
    """Which of the credit limit and the two capital caps ``exposure`` exceeds."""
    found = []
    if limit is not None and exposure > limit:
        found.append(Breach("credit_limit", limit, exposure))
    c = caps(settings)
    for code in ("single_client_cap", "client_loans_cap"):
        cap = c[code]
        if cap is not None and exposure > cap:
            found.append(Breach(code, cap.quantize(Decimal("0.01")), exposure))
    return found


def group_breaches(
    *, exposure: Decimal, limit: Decimal | None, settings, group=None
) -> list[Breach]:
    """Which of the group's limit (``group_limit``) and the connected-group cap
    (``group_cap``: ``group_cap_pct`` of tier-1) the group's exposure exceeds."""
    found = []
    if limit is not None and exposure > limit:
        found.append(Breach("group_limit", limit, exposure, group))
    cap = group_cap(settings)
    if cap is not None and exposure > cap:
        found.append(Breach("group_cap", cap.quantize(Decimal("0.01")), exposure, group))
    return found


def is_large_exposure(*, exposure: Decimal, settings) -> bool:
    threshold = caps(settings)["large_exposure"]
    return threshold is not None and exposure >= threshold

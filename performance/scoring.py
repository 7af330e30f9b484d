"""Pure arithmetic of the scorecard: measures from the additive components,
a KPI's score from its floor and targets, dimension and total scores from the
weights. No database access (unit-tested on hand-computed numbers)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models import MEASURE_BASES, WEIGHTED_DIMENSIONS, Basis, Measure

ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")
HUNDRED = Decimal(100)
TARGET_SCORE_WITH_CHALLENGE = Decimal(80)


def _pct(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(
        ONE_DECIMAL, ROUND_HALF_UP
    )


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def measures_from(c: dict, *, aum_days: int, prev_days: int, pace: Decimal = Decimal(1)) -> dict:
    """The measures of one subject from its summed components ``c``. ``pace``
    turns the revenue so far into the month's pace (days of the month ÷ days
    counted): ``revenue_per_client`` compares a month in progress with a whole one."""
    g = lambda name: Decimal(c.get(name, 0) or 0)  # noqa: E731
    nps = None
    if g("nps_n"):
        nps = ((g("promoters") - g("detractors")) * HUNDRED / g("nps_n")).quantize(
            ONE_DECIMAL, ROUND_HALF_UP
        )
    aum_avg = g("aum_sum") / aum_days if aum_days else None
    prev_avg = g("prev_aum_sum") / prev_days if prev_days else None
    growth = None
    if aum_avg is not None and prev_avg:
        growth = ((aum_avg - prev_avg) * HUNDRED / prev_avg).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    deposits_avg = g("deposits_sum") / aum_days if aum_days else None
    revenue = (g("holding_revenue") + g("fees")).quantize(CENTS, ROUND_HALF_UP)
    clients = int(g("clients"))
    return {
        "nps": _num(nps),
        "responses": int(g("nps_n") + g("csat_n")),
        "csat_pct": _num(_pct(g("csat_ok"), g("csat_n"))),
        "clients": clients,
        "key_clients_at_start": int(g("base")),
        "key_clients_lost": int(g("base") - g("kept")),
        "retention_rate": _num(_pct(g("kept"), g("base"))),
        "aum_daily_average": None if aum_avg is None else str(aum_avg.quantize(CENTS)),
        "aum_growth_pct": _num(growth),
        "deposits_daily_average": None
        if deposits_avg is None
        else str(deposits_avg.quantize(CENTS)),
        "revenue": str(revenue),
        "revenue_per_client": str((revenue * pace / clients).quantize(CENTS)) if clients else None,
        "reviews_overdue": int(g("reviews_overdue")),
        "reviews_overdue_pct": _num(_pct(g("reviews_overdue"), clients)),
        "kyc_overdue": int(g("kyc_overdue")),
        "kyc_overdue_pct": _num(_pct(g("kyc_overdue"), clients)),
        "limit_breaches": int(g("limit_breaches")),
        "alerts_resolved": int(g("alerts_resolved")),
        "alerts_within_sla_pct": _num(_pct(g("alerts_in_sla"), g("alerts_resolved"))),
        "npl_share_pct": _num(_pct(g("npl_exposure"), g("book"))),
        "followups_overdue": int(g("followups_overdue")),
        "contacted_within_cadence_pct": _num(
            _pct(g("with_cadence") - g("cadence_overdue"), g("with_cadence"))
        ),
    }


def measure_value(measures: dict, measure: str, basis: str) -> Decimal | None:
    """The value a KPI on (``measure``, ``basis``) reads, or None."""
    if basis not in MEASURE_BASES.get(measure, ()):
        return None
    if measure == Measure.DEPOSIT_BALANCE:
        key = "deposits_daily_average" if basis == Basis.DAILY_AVERAGE else None
    elif measure == Measure.DEPOSIT_MARKET_SHARE:
        key = None
    else:
        key = measure
    value = measures.get(key) if key else None
    return None if value is None else Decimal(str(value))


def kpi_score(value: Decimal | None, *, floor, target, challenge=None) -> Decimal | None:
    """0 at the floor, 100 at the target, linear and clamped; with a challenge
    target, the target scores 80 and the challenge 100. A floor above the
    target means lower is better."""
    if value is None:
        return None
    floor, target = Decimal(floor), Decimal(target)
    if floor == target:
        return HUNDRED if value >= target else Decimal(0)
    top = HUNDRED if challenge is None else TARGET_SCORE_WITH_CHALLENGE
    score = (value - floor) / (target - floor) * top
    if challenge is not None and score > top:
        challenge = Decimal(challenge)
        if challenge == target:
            score = HUNDRED
        else:
            score = top + (value - target) / (challenge - target) * (HUNDRED - top)
    return max(Decimal(0), min(HUNDRED, score)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _weighted(pairs) -> Decimal | None:
    pairs = [(Decimal(w), s) for w, s in pairs if s is not None and w]
    total_weight = sum((w for w, _s in pairs), Decimal(0))
    if not total_weight:
        return None
    return (sum(w * s for w, s in pairs) / total_weight).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def scorecard(measures: dict, definitions, weights: dict[str, int], forbidden=frozenset()):
    """(dimension scores, total, per-KPI scores) of one subject. A dimension is
    the weighted mean of its KPIs that have a value; the total the weighted
    mean of the dimensions that have a score (a dimension without data does
    not count as 0). ``forbidden``: (measure, basis) pairs the guardrail refuses."""
    per_kpi: dict[str, dict] = {}
    by_dimension: dict[str, list] = {d: [] for d in WEIGHTED_DIMENSIONS}
    for d in definitions:
        if not d.active or (d.measure, d.basis) in forbidden:
            continue
        value = measure_value(measures, d.measure, d.basis)
        score = kpi_score(value, floor=d.floor, target=d.target, challenge=d.challenge)
        per_kpi[f"{d.measure}:{d.basis}"] = {
            "dimension": d.dimension,
            "value": _num(value),
            "score": _num(score),
        }
        if d.dimension in by_dimension:
            by_dimension[d.dimension].append((d.weight, score))
    dimensions = {d: _weighted(pairs) for d, pairs in by_dimension.items()}
    total = _weighted((weights.get(d, 0), s) for d, s in dimensions.items())
    return dimensions, total, per_kpi

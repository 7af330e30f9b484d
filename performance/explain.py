"""An RM's scorecard explained: each KPI with its floor and targets, the value
and score, and how many points of the total reaching the target would add —
what to work on first. Pure arithmetic over one snapshot and the definitions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models import WEIGHTED_DIMENSIONS, Dimension
from .scoring import HUNDRED, TARGET_SCORE_WITH_CHALLENGE


def explain(snapshot, definitions, weights: dict[str, int]) -> list[dict]:
    scores = snapshot.kpi_scores or {}
    dims = {d: getattr(snapshot, d) for d in WEIGHTED_DIMENSIONS}
    scored_weight = sum(weights.get(d, 0) for d, s in dims.items() if s is not None) or 0
    kpi_weight: dict[str, int] = {}
    for d in definitions:
        entry = scores.get(f"{d.measure}:{d.basis}")
        if d.active and entry and entry["score"] is not None:
            kpi_weight[d.dimension] = kpi_weight.get(d.dimension, 0) + d.weight
    rows = []
    for d in definitions:
        if not d.active:
            continue
        entry = scores.get(f"{d.measure}:{d.basis}") or {}
        value, score = entry.get("value"), entry.get("score")
        at_target = HUNDRED if d.challenge is None else TARGET_SCORE_WITH_CHALLENGE
        gain = None
        weighted = d.dimension in WEIGHTED_DIMENSIONS and d.dimension != Dimension.ACTIVITY
        if weighted and score is not None and scored_weight and kpi_weight.get(d.dimension):
            missing = max(at_target - Decimal(str(score)), Decimal(0))
            gain = (
                missing
                * d.weight
                / kpi_weight[d.dimension]
                * weights.get(d.dimension, 0)
                / scored_weight
            ).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append(
            {
                "definition": d,
                "value": value,
                "score": score,
                "weighted": weighted,
                "gain": gain,
                "lower_is_better": d.floor > d.target,
            }
        )
    rows.sort(key=lambda r: (r["gain"] is None, -(r["gain"] or 0)))
    return rows

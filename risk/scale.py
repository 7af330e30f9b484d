"""The tenant's risk settings and master scale. Reads never write: until a
tenant has rows, the defaults are returned unsaved; the first write that needs
them (an assessment, a settings change) stores them (``persist=True``). Each
is read once per tenant scope (request, task) and kept in the scope's memo."""

from __future__ import annotations

from tenancy.context import require_tenant_id, scope_memo

from . import rules
from .models import DEFAULT_HAIRCUTS, RatingGrade, RiskSettings


def _default_settings() -> RiskSettings:
    return RiskSettings(haircuts={str(k): v for k, v in DEFAULT_HAIRCUTS.items()})


def risk_settings(*, persist: bool = False) -> RiskSettings:
    """The tenant in scope's settings (the defaults while none are stored)."""
    memo = scope_memo()
    obj = memo.get("risk_settings")
    if obj is None:
        obj = RiskSettings.objects.first() or _default_settings()
    if persist and obj.pk is None:
        obj, _created = RiskSettings.objects.get_or_create(defaults={"haircuts": obj.haircuts})
    memo["risk_settings"] = obj
    return obj


def rating_scale(*, persist: bool = False) -> list[RatingGrade]:
    """The tenant's master scale, best first (the default scale while none is stored)."""
    memo = scope_memo()
    grades = memo.get("rating_scale")
    if grades is None:
        grades = list(RatingGrade.objects.order_by("rank")) or [
            RatingGrade(
                rank=rank, code=code, min_composite=lo, max_composite=hi, review_months=months
            )
            for rank, (code, lo, hi, months) in enumerate(rules.DEFAULT_SCALE)
        ]
    if persist and grades[0].pk is None:
        tenant_id = require_tenant_id()
        for g in grades:
            g.tenant_id = tenant_id
        # a concurrent first use may have stored them already
        RatingGrade.objects.bulk_create(grades, ignore_conflicts=True)
        grades = list(RatingGrade.objects.order_by("rank"))
    memo["rating_scale"] = grades
    return grades

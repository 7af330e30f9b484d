"""The tenant's risk settings and master scale, created with the defaults on
first use (one row of settings, ten grades)."""

from __future__ import annotations

from django.db import transaction

from . import rules
from .models import DEFAULT_HAIRCUTS, RatingGrade, RiskSettings


def risk_settings() -> RiskSettings:
    """The tenant in scope's settings, created with the defaults on first use."""
    obj = RiskSettings.objects.first()
    if obj is None:
        obj, _created = RiskSettings.objects.get_or_create(
            defaults={"haircuts": {str(k): v for k, v in DEFAULT_HAIRCUTS.items()}}
        )
    return obj


def rating_scale() -> list[RatingGrade]:
    """The tenant's master scale (best first), created as the default scale on first use."""
    grades = list(RatingGrade.objects.order_by("rank"))
    if not grades:
        with transaction.atomic():
            for rank, (code, lo, hi, months) in enumerate(rules.DEFAULT_SCALE):
                RatingGrade.objects.get_or_create(
                    rank=rank,
                    defaults={
                        "code": code,
                        "min_composite": lo,
                        "max_composite": hi,
                        "review_months": months,
                    },
                )
        grades = list(RatingGrade.objects.order_by("rank"))
    return grades

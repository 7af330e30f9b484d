"""The pure rules: composite, master scale, review interval, the
five-category floor with contagion, ratios and caps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from risk import rules
from risk.models import lendable

W = (Decimal("0.5"), Decimal("0.3"), Decimal("0.2"))


@pytest.mark.parametrize(
    "scores,composite,rating",
    [
        ((0, 0, 0), 0, "AAA"),
        ((10, 9, 9), 10, "AA"),  # 9.5 rounds half up to 10
        ((9, 9, 10), 9, "AAA"),  # 9.2
        ((40, 40, 40), 40, "BB"),
        ((100, 80, 50), 84, "C"),
        ((100, 100, 100), 100, "D"),
        ((65, 60, 70), 65, "CCC"),  # 32.5 + 18 + 14 = 64.5 → 65
    ],
)
def test_rating_from_scores_on_the_default_scale(scores, composite, rating):
    c = rules.composite_score(credit=scores[0], market=scores[1], operational=scores[2], weights=W)
    assert c == composite
    assert rules.rating_for(c, rules.DEFAULT_SCALE) == rating


def test_composite_rounds_half_up_not_to_even():
    # 0.5*21 + 0.3*20 + 0.2*20 = 20.5 → 21 (banker's rounding would give 20)
    assert rules.composite_score(credit=21, market=20, operational=20, weights=W) == 21


def test_every_composite_has_exactly_one_grade_on_the_default_scale():
    for c in range(101):
        assert sum(lo <= c <= hi for _code, lo, hi, _m in rules.DEFAULT_SCALE) == 1


@pytest.mark.parametrize(
    "rating,months", [("AAA", 12), ("BBB", 12), ("BB", 6), ("B", 6), ("CCC", 3), ("D", 3)]
)
def test_review_months_per_band(rating, months):
    assert rules.review_months_for(rating, rules.DEFAULT_SCALE) == months


def test_add_months_keeps_the_end_of_month():
    assert rules.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 12, 2), 12) == date(2027, 12, 2)


@pytest.mark.parametrize(
    "days,expected",
    [
        (0, "normal"),
        (1, "special_mention"),
        (90, "special_mention"),
        (91, "substandard"),
        (270, "substandard"),
        (271, "doubtful"),
        (360, "doubtful"),
        (361, "loss"),
    ],
)
def test_floor_from_days_past_due(days, expected):
    assert rules.floor_for_days_past_due(days) == expected


def test_client_floor_is_its_worst_loan():
    floor = rules.classification_floor(
        [rules.Loan(1, Decimal("1000"), 0), rules.Loan(2, Decimal("1000"), 30)]
    )
    assert floor.classification == "special_mention"
    assert floor.contagion is False


def test_contagion_more_than_ten_percent_non_performing_makes_all_non_performing():
    floor = rules.classification_floor(
        [rules.Loan("a", Decimal("850"), 0), rules.Loan("b", Decimal("150"), 120)]
    )
    assert floor.contagion is True
    assert floor.per_loan == {"a": "substandard", "b": "substandard"}
    assert floor.non_performing_amount == Decimal("1000")


def test_exactly_ten_percent_non_performing_is_no_contagion():
    floor = rules.classification_floor(
        [rules.Loan("a", Decimal("900"), 0), rules.Loan("b", Decimal("100"), 400)]
    )
    assert floor.contagion is False
    assert floor.per_loan == {"a": "normal", "b": "loss"}
    assert floor.classification == "loss"
    assert floor.non_performing_amount == Decimal("100")


def test_contagion_keeps_worse_loans_worse():
    floor = rules.classification_floor(
        [rules.Loan("a", Decimal("500"), 300), rules.Loan("b", Decimal("500"), 10)]
    )
    assert floor.per_loan == {"a": "doubtful", "b": "substandard"}


def test_no_loans_is_normal():
    assert rules.classification_floor([]).classification == "normal"


def test_lendable_value_to_two_decimals():
    assert lendable(Decimal("1234567.89"), Decimal("30")) == Decimal("864197.52")
    assert lendable(Decimal("100"), Decimal("100")) == Decimal("0.00")


def _settings(t1="1000000", net="800000"):
    return SimpleNamespace(
        tier1_capital=Decimal(t1),
        net_capital=Decimal(net),
        single_client_cap_pct=Decimal("15"),
        client_loans_cap_pct=Decimal("10"),
        large_exposure_pct=Decimal("10"),
    )


def test_caps_on_known_capital():
    caps = rules.caps(_settings())
    assert caps == {
        "single_client_cap": Decimal("150000"),
        "client_loans_cap": Decimal("80000"),
        "large_exposure": Decimal("100000"),
    }


def test_breaches_name_each_limit_exceeded():
    s = _settings()
    assert rules.breaches(exposure=Decimal("70000"), limit=Decimal("60000"), settings=s) == [
        rules.Breach("credit_limit", Decimal("60000"), Decimal("70000"))
    ]
    codes = [b.code for b in rules.breaches(exposure=Decimal("160000"), limit=None, settings=s)]
    assert codes == ["single_client_cap", "client_loans_cap"]
    assert rules.breaches(exposure=Decimal("80000"), limit=Decimal("80000"), settings=s) == []


def test_large_exposure_at_ten_percent_of_tier1():
    s = _settings()
    assert rules.is_large_exposure(exposure=Decimal("100000"), settings=s)
    assert not rules.is_large_exposure(exposure=Decimal("99999.99"), settings=s)
    assert not rules.is_large_exposure(exposure=Decimal("1"), settings=_settings(t1="0"))


def test_ratio_is_none_without_a_denominator():
    assert rules.ratio(Decimal("5"), None) is None
    assert rules.ratio(Decimal("5"), Decimal("0")) is None
    assert rules.ratio(Decimal("1"), Decimal("3")) == Decimal("0.3333")

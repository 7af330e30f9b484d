"""The scorecard arithmetic, the guardrail and the KPI configuration rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from performance import services
from performance.config import definition_list, guardrail_refusal
from performance.models import KpiDefinition, KpiGuardrailRule
from performance.scoring import kpi_score, scorecard
from tenancy.context import tenant_scope
from tenancy.models import AuditEvent

D = Decimal


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D(-10), D(0)), (D(0), D(0)), (D(25), D(50)), (D(50), D(100)), (D(80), D(100))],
)
def test_score_is_linear_between_floor_and_target(value, expected):
    assert kpi_score(value, floor=0, target=50) == expected


def test_challenge_target_scores_100_and_target_80():
    assert kpi_score(D(50), floor=0, target=50, challenge=70) == D(80)
    assert kpi_score(D(60), floor=0, target=50, challenge=70) == D(90)
    assert kpi_score(D(70), floor=0, target=50, challenge=70) == D(100)
    assert kpi_score(D(25), floor=0, target=50, challenge=70) == D(40)


def test_lower_is_better_when_the_floor_is_above_the_target():
    assert kpi_score(D(5), floor=20, target=0) == D(75)
    assert kpi_score(D(30), floor=20, target=0) == D(0)


def test_no_value_no_score():
    assert kpi_score(None, floor=0, target=50) is None


def _definition(measure, dimension, floor, target, weight=1, basis="period"):
    return KpiDefinition(
        measure=measure,
        basis=basis,
        dimension=dimension,
        floor=D(floor),
        target=D(target),
        weight=weight,
    )


def test_dimensions_and_total_follow_the_weights():
    definitions = [
        _definition("nps", "satisfaction", 0, 50, weight=3),  # 33.3 -> 66.6
        _definition("csat_pct", "satisfaction", 60, 90),  # 90 -> 100
        _definition("retention_rate", "loyalty", 90, 100),  # 95 -> 50
        _definition("followups_overdue", "activity", 10, 0),  # shown, not weighted
    ]
    measures = {"nps": 33.3, "csat_pct": 90.0, "retention_rate": 95.0, "followups_overdue": 0}
    dims, total, per_kpi = scorecard(
        measures, definitions, {"satisfaction": 25, "loyalty": 25, "profit": 25, "risk": 25}
    )
    # (3 x 66.6 + 100) / 4 = 74.95 -> 75.0 (half up)
    assert dims["satisfaction"] == D("75.0")
    assert dims["loyalty"] == D("50.0")
    assert dims["profit"] is None and dims["risk"] is None
    assert total == D("62.5")  # dimensions without data do not count as 0
    assert per_kpi["followups_overdue:period"]["score"] == 100.0
    _d, total, _k = scorecard(
        measures, definitions, {"satisfaction": 80, "loyalty": 20, "profit": 0, "risk": 0}
    )
    assert total == D("70.0")  # 0.8 x 75 + 0.2 x 50


@pytest.mark.django_db
def test_guardrail_refuses_a_point_in_time_deposit_kpi(bank, english):
    with tenant_scope(bank.tenant):
        with pytest.raises(ValidationError) as exc:
            services.kpi_definition_save(
                user=bank.admin,
                measure="deposit_balance",
                basis="point_in_time",
                dimension="loyalty",
                floor="0",
                target="1000000",
            )
        assert "deposit deviation" in exc.value.message_dict["measure"][0]
        assert not KpiDefinition.objects.filter(measure="deposit_balance").exists()


@pytest.mark.django_db
def test_guardrail_refuses_a_deposit_ranking_kpi(bank, english):
    with tenant_scope(bank.tenant), pytest.raises(ValidationError) as exc:
        services.kpi_definition_save(
            user=bank.admin,
            measure="deposit_market_share",
            basis="ranking",
            dimension="loyalty",
            floor="0",
            target="10",
        )
    assert "market share" in exc.value.message_dict["measure"][0]


@pytest.mark.django_db
def test_guardrail_reason_in_chinese(bank):
    from django.utils import translation

    with tenant_scope(bank.tenant), translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            services.kpi_definition_save(
                user=bank.admin,
                measure="deposit_balance",
                basis="point_in_time",
                dimension="loyalty",
                floor="0",
                target="1",
            )
    assert "时点存款" in exc.value.message_dict["measure"][0]


@pytest.mark.django_db
def test_daily_average_deposits_are_allowed(bank):
    with tenant_scope(bank.tenant):
        d = services.kpi_definition_save(
            user=bank.admin,
            measure="deposit_balance",
            basis="daily_average",
            dimension="loyalty",
            floor="0",
            target="1000000",
        )
        assert d.pk and AuditEvent.objects.filter(action="performance.definition_created").exists()


@pytest.mark.django_db
def test_a_bank_extends_the_rule_set(bank, english):
    with tenant_scope(bank.tenant):
        services.guardrail_rule_add(
            user=bank.admin,
            measure="revenue",
            basis="period",
            reason="No pure revenue targets here.",
            reason_zh="本行不考核纯收入。",
        )
        assert guardrail_refusal("revenue", "period") is not None
        with pytest.raises(ValidationError) as exc:
            services.kpi_definition_save(
                user=bank.admin,
                measure="revenue",
                basis="period",
                dimension="profit",
                floor="0",
                target="1",
            )
        assert exc.value.message_dict["measure"] == ["No pure revenue targets here."]
        # the regulatory rules are there for every tenant
        assert KpiGuardrailRule.objects.filter(builtin=True).count() == 2


@pytest.mark.django_db
def test_new_tenant_gets_default_definitions(bank):
    with tenant_scope(bank.tenant):
        measures = {d.measure for d in definition_list()}
    assert {
        "nps",
        "retention_rate",
        "aum_growth_pct",
        "revenue_per_client",
        "reviews_overdue_pct",
        "contacted_within_cadence_pct",
    } <= measures


@pytest.mark.django_db
def test_a_basis_the_measure_is_not_computed_on_is_refused(bank):
    with tenant_scope(bank.tenant), pytest.raises(ValidationError) as exc:
        services.kpi_definition_save(
            user=bank.admin,
            measure="nps",
            basis="daily_average",
            dimension="satisfaction",
            floor="0",
            target="50",
        )
    assert "basis" in exc.value.message_dict


@pytest.mark.django_db
def test_weights_not_summing_to_100_are_refused(bank):
    with tenant_scope(bank.tenant), pytest.raises(ValidationError) as exc:
        services.kpi_weights_update(
            user=bank.admin, weights={"satisfaction": 30, "loyalty": 25, "profit": 25, "risk": 25}
        )
    assert "weights" in exc.value.message_dict

"""The tenant's KPI configuration as the computation and the pages read it:
the settings row (weights, revenue rates, alert SLAs), the KPI definitions
and the guardrail rules, with the defaults a new tenant starts from (written
lazily, the first time they are needed)."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from .models import (
    Basis,
    Dimension,
    KpiDefinition,
    KpiGuardrailRule,
    KpiSettings,
    Measure,
)

# measure, basis, dimension, floor, target, challenge, weight
DEFAULT_DEFINITIONS: tuple[tuple, ...] = (
    (Measure.NPS, Basis.PERIOD, Dimension.SATISFACTION, "0", "50", "70", 3),
    (Measure.CSAT_PCT, Basis.PERIOD, Dimension.SATISFACTION, "60", "90", None, 1),
    (Measure.RETENTION_RATE, Basis.PERIOD, Dimension.LOYALTY, "90", "100", None, 1),
    (Measure.AUM_GROWTH_PCT, Basis.DAILY_AVERAGE, Dimension.LOYALTY, "-2", "2", "5", 1),
    (Measure.REVENUE_PER_CLIENT, Basis.PERIOD, Dimension.PROFIT, "0", "1000", "1500", 1),
    (Measure.REVIEWS_OVERDUE_PCT, Basis.PERIOD, Dimension.RISK, "20", "0", None, 1),
    (Measure.KYC_OVERDUE_PCT, Basis.PERIOD, Dimension.RISK, "20", "0", None, 1),
    (Measure.ALERTS_WITHIN_SLA_PCT, Basis.PERIOD, Dimension.RISK, "50", "100", None, 1),
    (Measure.NPL_SHARE_PCT, Basis.PERIOD, Dimension.RISK, "5", "0", None, 1),
    (Measure.CONTACTED_WITHIN_CADENCE_PCT, Basis.PERIOD, Dimension.ACTIVITY, "50", "100", None, 1),
    (Measure.FOLLOWUPS_OVERDUE, Basis.PERIOD, Dimension.ACTIVITY, "10", "0", None, 1),
)

# The regulatory rules every tenant starts with (CBIRC 2018, 《关于规范商业银行
# 存款偏离度管理有关事项的通知》): no KPI on point-in-time deposits, no ranking
# by deposit market share.
BUILTIN_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        Measure.DEPOSIT_BALANCE,
        Basis.POINT_IN_TIME,
        "CBIRC 2018 rules on deposit deviation forbid evaluating staff on point-in-time "
        "(period-end) deposit balances; use the daily average.",
        "根据原银保监会2018年存款偏离度管理规定，不得以时点存款余额考核员工，请使用日均存款。",
    ),
    (
        Measure.DEPOSIT_MARKET_SHARE,
        "",
        "CBIRC 2018 rules on deposit deviation forbid ranking by deposit market share.",
        "根据原银保监会2018年存款偏离度管理规定，不得进行存款市场份额排名考核。",
    ),
)


def kpi_settings() -> KpiSettings:
    """The tenant in scope's settings (an unsaved row with the defaults when
    none was saved; never writes)."""
    return KpiSettings.objects.first() or KpiSettings()


def guardrail_rules_ensure() -> None:
    """Write the regulatory rules for the tenant in scope if they are missing."""
    have = set(KpiGuardrailRule.objects.values_list("measure", "basis"))
    missing = [
        KpiGuardrailRule(measure=m, basis=b, reason=en, reason_zh=zh, builtin=True)
        for m, b, en, zh in BUILTIN_RULES
        if (m, b) not in have
    ]
    if missing:
        for rule in missing:
            rule.tenant_id = _tenant_id()
        KpiGuardrailRule.objects.bulk_create(missing, ignore_conflicts=True)


def guardrail_rules() -> list[KpiGuardrailRule]:
    guardrail_rules_ensure()
    return list(KpiGuardrailRule.objects.order_by("-builtin", "measure", "basis"))


def guardrail_refusal(measure: str, basis: str, rules=None) -> KpiGuardrailRule | None:
    """The rule that forbids a KPI on ``measure`` taken on ``basis`` (a rule
    with a blank basis forbids the measure on any basis), or None."""
    for rule in guardrail_rules() if rules is None else rules:
        if rule.measure == measure and rule.basis in ("", basis):
            return rule
    return None


def definitions_ensure() -> None:
    """Give the tenant in scope its default KPI definitions the first time."""
    if KpiDefinition.objects.exists():
        return
    tenant_id = _tenant_id()
    rows = [
        KpiDefinition(
            tenant_id=tenant_id,
            measure=m,
            basis=b,
            dimension=d,
            floor=Decimal(f),
            target=Decimal(t),
            challenge=Decimal(c) if c is not None else None,
            weight=w,
        )
        for m, b, d, f, t, c, w in DEFAULT_DEFINITIONS
    ]
    try:
        with transaction.atomic():
            KpiDefinition.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent first read wrote them
        pass


def definition_list() -> QuerySet[KpiDefinition]:
    definitions_ensure()
    return KpiDefinition.objects.order_by("dimension", "id")


def _tenant_id() -> int:
    from tenancy.context import require_tenant_id

    return require_tenant_id()

"""Builders for the risk tests, inside a bank's scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from risk import services
from risk.models import Collateral, CreditLimit, RiskAssessment
from tenancy.context import tenant_scope
from tests.clients.portfolio_helpers import make_holding
from tests.factories import ClientFactory


def make_client(bank, *, branch=None, manager=None, exposure="0", **kw):
    return ClientFactory(
        tenant=bank.tenant,
        branch=branch or bank.branch,
        dedicated_manager=bank.rm if manager is None else manager,
        exposure=Decimal(exposure),
        **kw,
    )


def make_assessment(bank, client, *, author=None, scores=(20, 20, 20), status="draft", **kw):
    author = author or bank.rm
    with tenant_scope(bank.tenant):
        a = services.assessment_create(
            user=author,
            client=client,
            credit_score=scores[0],
            market_score=scores[1],
            operational_score=scores[2],
            **kw,
        )
        if status in ("submitted", "approved", "rejected"):
            a = services.assessment_submit(user=author, assessment=a)
        if status == "approved":
            a = services.assessment_approve(user=bank.risk_officer, assessment=a)
        if status == "rejected":
            a = services.assessment_reject(user=bank.risk_officer, assessment=a, reason="no")
        return RiskAssessment.objects.get(pk=a.pk)


def make_collateral(bank, client, *, market_value="1000000", haircut_pct="30", kind="real_estate"):
    with tenant_scope(bank.tenant):
        return Collateral.objects.create(
            client=client,
            kind=kind,
            market_value=Decimal(market_value),
            haircut_pct=Decimal(haircut_pct),
            valued_at=date.today(),
        )


def make_limit(bank, client, *, amount="1000000", currency="CNY", days=365):
    with tenant_scope(bank.tenant):
        return CreditLimit.objects.create(
            client=client,
            amount=Decimal(amount),
            currency=currency,
            expires_on=date.today() + timedelta(days=days),
            created_by=bank.risk_officer,
        )


def make_loan(bank, client, *, balance="100000", days_past_due=None):
    holding = make_holding(client, balance=balance, kind="loan")
    if days_past_due is not None:
        with tenant_scope(bank.tenant):
            holding.days_past_due = days_past_due
            holding.save(update_fields=["days_past_due"])
    return holding


def set_capital(bank, *, tier1="0", net="0"):
    with tenant_scope(bank.tenant):
        s = services.risk_settings()
        s.tier1_capital = Decimal(tier1)
        s.net_capital = Decimal(net)
        s.save()
        return s


# The risk desk's whole page, asserted at two data sizes (test_views, test_calendar,
# test_override_rates, test_alerts): layout ~12, queue, decisions, mine and their
# people (one query for the three lists), concentration, calendar (the first rows
# of each of its nine parts — rating, KYC per level and never refreshed,
# revaluation in two, client and group limits — in one UNION ALL on PostgreSQL),
# alerts (counts + 10 rows), override rates (two aggregates + the scale), watch
# list and proposals, groups (sums, names, limits). 30 at most in the tests (the queue count when the desk shows a full 20),
# 31 for a branch head (the subtree's branch ids, read once: clients.access.subtree_branch_ids).
DESK_BUDGET = 31


def make_group(bank, *members, kind="corporate_group", name="Huaxin Group"):
    """A relationship group of ``members`` (clients of ``bank``)."""
    from clients.models import GroupMembership, RelationshipGroup

    with tenant_scope(bank.tenant):
        group = RelationshipGroup.objects.create(name=name, kind=kind)
        for m in members:
            GroupMembership.objects.create(group=group, client=m, role="other")
        return group


def make_group_limit(bank, group, *, amount="1000000", currency="CNY", days=365):
    with tenant_scope(bank.tenant):
        return CreditLimit.objects.create(
            group=group,
            amount=Decimal(amount),
            currency=currency,
            expires_on=date.today() + timedelta(days=days),
            created_by=bank.risk_officer,
        )

"""Risk-control and activity measures on hand-computed fixtures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from clients.models import Client
from risk.models import ClientClassification, ClientRating, RiskAlert
from tenancy.context import tenant_scope
from tests.risk.helpers import make_assessment, make_loan

from .helpers import at, make_client, row, run

pytestmark = pytest.mark.django_db

JUNE = "2026-06"
AFTER_JUNE = at(2026, 7, 15)


def test_reviews_and_kyc_overdue_shares(bank):
    overdue, fine, _third, _fourth = (make_client(bank) for _ in range(4))
    make_assessment(bank, overdue, status="approved")
    make_assessment(bank, fine, status="approved")
    with tenant_scope(bank.tenant):
        ClientRating.objects.filter(client=overdue).update(next_review_at=date(2026, 6, 1))
        ClientRating.objects.filter(client=fine).update(next_review_at=date(2026, 12, 1))
        # KYC: one never refreshed with a past due date, one refreshed long ago (low: 5 years)
        Client.objects.filter(pk=overdue.pk).update(next_kyc_review=date(2026, 5, 1))
        Client.objects.filter(pk=fine.pk).update(
            kyc_risk_level="low", kyc_reviewed_on=date(2020, 1, 1)
        )
    run(bank, JUNE, now=AFTER_JUNE)
    m = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert (m["clients"], m["reviews_overdue"], m["reviews_overdue_pct"]) == (4, 1, 25.0)
    assert (m["kyc_overdue"], m["kyc_overdue_pct"]) == (2, 50.0)


def test_non_performing_share_of_the_book(bank):
    a = make_client(bank, exposure="600")
    b = make_client(bank, exposure="300")
    c = make_client(bank, exposure="100")
    make_loan(bank, a, balance="600")
    make_loan(bank, b, balance="300", days_past_due=120)  # > 90 days: substandard
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=a.pk).update(exposure=Decimal(600))
        Client.objects.filter(pk=b.pk).update(exposure=Decimal(300))
        Client.objects.filter(pk=c.pk).update(exposure=Decimal(100))
        ClientClassification.objects.create(
            client=c, classification="doubtful", set_by=bank.risk_officer, set_at=at(2026, 6, 2)
        )
    run(bank, JUNE, now=AFTER_JUNE)
    # (300 + 100) / 1000
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["npl_share_pct"] == 40.0


def test_alerts_resolved_within_their_sla_and_open_limit_breaches(bank):
    client = make_client(bank)
    with tenant_scope(bank.tenant):

        def alert(kind, severity, raised, resolved=None):
            return RiskAlert.objects.create(
                client=client,
                kind=kind,
                severity=severity,
                raised_at=raised,
                status="resolved" if resolved else "open",
                resolved_at=resolved,
            )

        alert("past_due", "high", at(2026, 6, 1), at(2026, 6, 2))  # 1 day: within 2
        alert("kyc_overdue", "low", at(2026, 6, 1), at(2026, 6, 20))  # 19 days: beyond 10
        alert("review_overdue", "medium", at(2026, 5, 1), at(2026, 5, 3))  # resolved in May
        alert("limit_breach", "high", at(2026, 6, 5))  # open breach
    run(bank, JUNE, now=AFTER_JUNE)
    m = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert (m["alerts_resolved"], m["alerts_within_sla_pct"], m["limit_breaches"]) == (2, 50.0, 1)


def test_contacted_within_cadence(bank):
    recent = make_client(bank, tier="gold")
    stale = make_client(bank, tier="gold")
    make_client(bank, tier="standard")  # no cadence: not counted
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=recent.pk).update(last_contacted_at=at(2026, 6, 20))
        Client.objects.filter(pk=stale.pk).update(last_contacted_at=at(2026, 1, 1))
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["contacted_within_cadence_pct"] == 50.0
    assert timedelta(0) == timedelta()

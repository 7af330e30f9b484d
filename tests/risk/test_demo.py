"""seed_demo's risk data (risk.demo.seed_risk) at a small size."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from clients.models import Client, Holding
from risk.models import (
    ClientRating,
    Collateral,
    CreditLimit,
    RiskAlert,
    RiskAssessment,
    RiskSettings,
    WatchListEntry,
)
from tenancy.context import tenant_scope
from tenancy.models import Tenant


def _seed_and_count(seed: int = 42) -> dict:
    call_command("seed_demo", clients=60, interactions=100, seed=seed)
    tenant = Tenant.objects.get(slug="demo")
    with tenant_scope(tenant):
        approved = RiskAssessment.objects.filter(status="approved")
        edges = set(
            Collateral.objects.filter(guarantor_client__isnull=False).values_list(
                "guarantor_client_id", "client_id"
            )
        )
        circles = {
            frozenset((a, b, c))
            for a, b in edges
            for b2, c in edges
            if b2 == b and c != a and (c, a) in edges
        }
        counts = {
            "approved": approved.count(),
            "four_eyes_broken": approved.filter(approved_by=F("author")).count(),
            "history": approved.values("client").annotate(n=Count("pk")).filter(n__gt=1).count(),
            "overrides": approved.exclude(rating_override="").count(),
            "submitted": RiskAssessment.objects.filter(status="submitted").count(),
            "drafts": RiskAssessment.objects.filter(status="draft").count(),
            "rejected": RiskAssessment.objects.filter(status="rejected").count(),
            "ratings": ClientRating.objects.count(),
            "collateral": Collateral.objects.count(),
            "circles_of_three": len(circles),
            "limits": CreditLimit.objects.count(),
            "overdue_loans": Holding.objects.filter(kind="loan", days_past_due__gt=0).count(),
            "watch_list": WatchListEntry.objects.count(),
            "tier1": RiskSettings.objects.get().tier1_capital,
            "kyc_levels": sorted(set(Client.objects.values_list("kyc_risk_level", flat=True))),
            "alert_kinds": sorted(set(RiskAlert.objects.values_list("kind", flat=True))),
            "circle_alerts": RiskAlert.objects.filter(kind="guarantee_circle").count(),
        }
    return counts


def _seed_and_count_rolled_back(seed: int) -> dict:
    with transaction.atomic():
        counts = _seed_and_count(seed)
        transaction.set_rollback(True)
    return counts


def test_seed_demo_makes_risk_data_with_four_eyes_and_a_guarantee_circle(db):
    c = _seed_and_count()
    assert c["approved"] > 0 and c["ratings"] > 0 and c["four_eyes_broken"] == 0
    assert c["history"] > 0 and c["overrides"] > 0
    assert c["submitted"] >= 2 and c["drafts"] >= 1 and c["rejected"] >= 1
    assert c["collateral"] > 0 and c["circles_of_three"] >= 1
    assert c["limits"] > 0 and c["overdue_loans"] > 0 and c["watch_list"] > 0
    assert c["tier1"] > 0 and c["kyc_levels"] == ["high", "low", "medium"]
    # the scan ran at the end: both circles (3 + 2 clients) and the caps are on the desk
    assert c["circle_alerts"] >= 5
    assert {"cap_breach", "guarantee_circle", "past_due", "kyc_overdue"} <= set(c["alert_kinds"])


def test_seed_demo_risk_data_is_deterministic(db):
    assert _seed_and_count_rolled_back(7) == _seed_and_count_rolled_back(7)

"""kyc_risk_level and kyc_reviewed_on (the review calendar's KYC refresh):
the clients import's optional columns, the API and the 360° profile."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from clients.imports import import_run
from clients.models import Client
from tests.factories import ClientFactory

from .portfolio_helpers import stream

HEADER = "external_id,name,branch_code,kyc_risk_level,kyc_reviewed_on\n"


def test_import_reads_the_kyc_columns(bank):
    data = HEADER + f"K1,Li,{bank.branch.name},high,2026-03-01\nK2,Wu,{bank.branch.name},,\n"
    with bank.scope():
        report = import_run(actor=bank.admin, kind="clients", stream=stream(data), dry_run=False)
        assert report.ok, report.errors
        k1 = Client.objects.get(external_id="K1")
        k2 = Client.objects.get(external_id="K2")
    assert (k1.kyc_risk_level, k1.kyc_reviewed_on) == ("high", date(2026, 3, 1))
    assert (k2.kyc_risk_level, k2.kyc_reviewed_on) == ("medium", None)


def test_import_names_the_bad_kyc_column(bank):
    data = (
        HEADER
        + f"K1,Li,{bank.branch.name},extreme,2026-03-01\nK2,Wu,{bank.branch.name},low,3/1/26\n"
    )
    with bank.scope():
        report = import_run(actor=bank.admin, kind="clients", stream=stream(data), dry_run=True)
    assert {(e["row"], e["field"]) for e in report.errors} == {
        (2, "kyc_risk_level"),
        (3, "kyc_reviewed_on"),
    }


def test_api_reads_and_writes_the_kyc_fields(bank, api_for):
    c = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    api = api_for(bank.rm)
    r = api.patch(
        f"/api/v1/clients/{c.pk}/",
        {"kyc_risk_level": "low", "kyc_reviewed_on": "2026-01-05"},
        format="json",
    )
    assert r.status_code == 200, r.data
    assert (r.data["kyc_risk_level"], r.data["kyc_reviewed_on"]) == ("low", "2026-01-05")
    bad = api.patch(f"/api/v1/clients/{c.pk}/", {"kyc_risk_level": "x"}, format="json")
    assert bad.status_code == 400 and "kyc_risk_level" in bad.data


def test_the_profile_shows_the_kyc_risk_level(bank, web_for):
    c = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        kyc_risk_level="high",
        kyc_reviewed_on=date(2026, 2, 2),
    )
    body = web_for(bank.rm).get(reverse("clients:detail", args=[c.pk])).content.decode()
    assert 'data-testid="kyc-risk-level"' in body
    assert "2026-02-02" in body

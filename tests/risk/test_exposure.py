"""Collateral, credit limits, exposure, caps, the what-if and the
classification floor through the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from risk.models import Collateral

from .helpers import make_client, make_collateral, make_limit, make_loan, set_capital


def _exposure(api, client):
    r = api.get(f"/api/v1/clients/{client.pk}/exposure/")
    assert r.status_code == 200, r.content
    return r.json()


# --- collateral ---------------------------------------------------------------------------


def test_collateral_haircut_defaults_per_kind_and_lendable_value(bank, api_for):
    c = make_client(bank)
    body = {
        "client": c.pk,
        "kind": "real_estate",
        "market_value": "1234567.89",
        "currency": "CNY",
        "valued_at": "2026-11-30",
        "next_revaluation_at": "2027-11-30",
    }
    r = api_for(bank.rm).post("/api/v1/collaterals/", body, format="json")
    assert r.status_code == 201, r.json()
    assert (r.json()["haircut_pct"], r.json()["lendable_value"]) == ("30.00", "864197.52")


def test_collateral_haircut_over_100_is_a_400(bank, api_for):
    c = make_client(bank)
    body = {"client": c.pk, "kind": "deposit", "market_value": "10", "valued_at": "2026-11-30"}
    r = api_for(bank.rm).post("/api/v1/collaterals/", {**body, "haircut_pct": "101"}, format="json")
    assert r.status_code == 400 and "haircut_pct" in r.json()


def test_guarantee_records_the_guarantor_and_patch_recomputes(bank, api_for):
    c = make_client(bank)
    body = {
        "client": c.pk,
        "kind": "guarantee",
        "market_value": "500000",
        "valued_at": "2026-11-30",
        "guarantor": "Huaxin Holdings",
    }
    api = api_for(bank.risk_officer)
    r = api.post("/api/v1/collaterals/", body, format="json")
    assert r.status_code == 201 and r.json()["guarantor"] == "Huaxin Holdings"
    r = api.patch(f"/api/v1/collaterals/{r.json()['id']}/", {"haircut_pct": "10"}, format="json")
    assert r.status_code == 200 and r.json()["lendable_value"] == "450000.00"


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_collateral_is_written_only_by_managers_branch_heads_and_risk_officers(bank, api_for, role):
    c = make_client(bank)
    body = {"client": c.pk, "kind": "deposit", "market_value": "10", "valued_at": "2026-11-30"}
    assert api_for(bank.users()[role]).post("/api/v1/collaterals/", body).status_code == 403
    assert api_for(bank.branch_head).post("/api/v1/collaterals/", body).status_code == 201


# --- limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rm", "branch_head", "admin", "compliance"])
def test_only_risk_officers_create_credit_limits(bank, api_for, role):
    c = make_client(bank)
    body = {"client": c.pk, "amount": "1000000", "currency": "CNY", "expires_on": "2027-12-31"}
    assert api_for(bank.users()[role]).post("/api/v1/credit-limits/", body).status_code == 403
    r = api_for(bank.risk_officer).post("/api/v1/credit-limits/", body)
    assert r.status_code == 201 and r.json()["amount"] == "1000000.00"


# --- exposure ----------------------------------------------------------------------------


def test_exposure_utilisation_and_coverage_on_known_data(bank, api_for):
    c = make_client(bank, exposure="800000")
    make_limit(bank, c, amount="1000000")
    make_collateral(bank, c, market_value="1000000", haircut_pct="30")  # 700,000
    make_collateral(bank, c, market_value="100000", haircut_pct="0", kind="deposit")  # 100,000
    body = _exposure(api_for(bank.rm), c)
    assert body["exposure"] == "800000.00"
    assert body["limit"] == "1000000.00"
    assert body["utilisation"] == "0.8000"
    assert body["lendable_collateral"] == "800000.00"
    assert body["coverage_ratio"] == "1.0000"
    assert body["classification"] == "normal"
    assert (body["watch_list"], body["open_alerts"]) == (False, 0)


def test_no_limit_means_null_utilisation_and_expired_limits_do_not_count(bank, api_for):
    c = make_client(bank, exposure="500")
    make_limit(bank, c, amount="100", days=-1)
    body = _exposure(api_for(bank.rm), c)
    assert body["limit"] is None and body["utilisation"] is None


def test_limits_and_collateral_in_other_currencies_are_converted(bank, api_for):
    c = make_client(bank, exposure="710")
    make_limit(bank, c, amount="200", currency="USD")  # 1,420 CNY
    with bank.scope():
        Collateral.objects.create(
            client=c,
            kind="deposit",
            market_value=Decimal("100"),
            currency="USD",
            haircut_pct=Decimal("0"),
            valued_at=date.today(),
        )
    body = _exposure(api_for(bank.rm), c)
    assert body["limit"] == "1420.00" and body["utilisation"] == "0.5000"
    assert body["lendable_collateral"] == "710.00" and body["coverage_ratio"] == "1.0000"


def test_the_three_capital_caps_on_known_data(bank, api_for):
    set_capital(bank, tier1="10000000", net="12000000")
    # single client cap 1.5m, loans cap 1.2m, large exposure from 1.0m
    big = make_client(bank, exposure="1600000")
    mid = make_client(bank, exposure="1300000")
    large = make_client(bank, exposure="1000000")
    small = make_client(bank, exposure="999999")
    api = api_for(bank.risk_officer)
    assert _exposure(api, big)["breaches"] == ["single_client_cap", "client_loans_cap"]
    assert _exposure(api, mid)["breaches"] == ["client_loans_cap"]
    assert _exposure(api, large)["breaches"] == [] and _exposure(api, large)["large_exposure"]
    assert not _exposure(api, small)["large_exposure"]
    assert _exposure(api, big)["share_of_tier1"] == "0.1600"


def test_what_if_names_the_breached_limit(bank, api_for):
    set_capital(bank, tier1="10000000", net="100000000")
    c = make_client(bank, exposure="800000")
    make_limit(bank, c, amount="1000000")
    api = api_for(bank.rm)
    url = f"/api/v1/clients/{c.pk}/exposure/what-if/"
    ok = api.post(url, {"amount": "200000"}, format="json").json()
    assert ok["ok"] is True and ok["breaches"] == []
    r = api.post(url, {"amount": "300000"}, format="json").json()
    assert r["ok"] is False
    assert r["breaches"] == [{"code": "credit_limit", "limit": "1000000.00", "excess": "100000.00"}]
    r = api.post(url, {"amount": "800000"}, format="json").json()
    assert [b["code"] for b in r["breaches"]] == ["credit_limit", "single_client_cap"]
    assert r["large_exposure"] is True


def test_what_if_needs_a_positive_amount(bank, api_for):
    c = make_client(bank)
    r = api_for(bank.rm).post(f"/api/v1/clients/{c.pk}/exposure/what-if/", {"amount": "-5"})
    assert r.status_code == 400 and "amount" in r.json()


def test_rms_see_only_their_clients_risk(bank, api_for):
    theirs = make_client(bank, manager=bank.other_rm, exposure="10")
    api = api_for(bank.rm)
    assert api.get(f"/api/v1/clients/{theirs.pk}/exposure/").status_code == 404
    assert (
        api.post(f"/api/v1/clients/{theirs.pk}/exposure/what-if/", {"amount": 1}).status_code == 404
    )
    make_collateral(bank, theirs)
    make_limit(bank, theirs)
    assert api.get("/api/v1/collaterals/").json()["results"] == []
    assert api.get("/api/v1/credit-limits/").json()["results"] == []


# --- classification ----------------------------------------------------------------------


def test_classification_floor_from_days_past_due(bank, api_for):
    c = make_client(bank, exposure="200000")
    make_loan(bank, c, balance="100000", days_past_due=0)
    make_loan(bank, c, balance="100000", days_past_due=45)
    body = _exposure(api_for(bank.rm), c)
    assert (body["classification"], body["classification_floor"]) == (
        "special_mention",
        "special_mention",
    )


def test_classification_contagion_across_the_clients_loans(bank, api_for):
    c = make_client(bank)
    make_loan(bank, c, balance="800000", days_past_due=0)
    make_loan(bank, c, balance="200000", days_past_due=100)  # 20% non-performing
    r = api_for(bank.rm).get(f"/api/v1/clients/{c.pk}/classification/")
    assert r.json() == {"classification": "substandard", "floor": "substandard", "contagion": True}


def test_classifying_worse_than_the_floor_is_allowed(bank, api_for):
    c = make_client(bank)
    make_loan(bank, c, balance="100000", days_past_due=10)
    r = api_for(bank.rm).post(
        f"/api/v1/clients/{c.pk}/classification/",
        {"classification": "doubtful", "reason": "the factory closed"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["classification"] == "doubtful"
    assert _exposure(api_for(bank.rm), c)["classification"] == "doubtful"


def test_classifying_better_than_the_floor_is_refused_with_a_clear_message(bank, api_for):
    c = make_client(bank)
    make_loan(bank, c, balance="100000", days_past_due=200)
    bank.risk_officer.language = "en"  # the staff member's choice decides, not the browser
    bank.risk_officer.save(update_fields=["language"])
    r = api_for(bank.risk_officer).post(
        f"/api/v1/clients/{c.pk}/classification/",
        {"classification": "normal"},
        format="json",
    )
    assert r.status_code == 400
    assert "better" in r.json()["classification"][0]
    assert "Substandard" in r.json()["classification"][0]


def test_a_floor_that_worsens_later_overrides_a_milder_classification(bank, api_for):
    c = make_client(bank)
    loan = make_loan(bank, c, balance="100000", days_past_due=0)
    api = api_for(bank.rm)
    api.post(f"/api/v1/clients/{c.pk}/classification/", {"classification": "special_mention"})
    with bank.scope():
        loan.days_past_due = 400
        loan.save(update_fields=["days_past_due"])
    assert _exposure(api, c)["classification"] == "loss"


def test_compliance_cannot_classify(bank, api_for):
    c = make_client(bank)
    r = api_for(bank.compliance).post(
        f"/api/v1/clients/{c.pk}/classification/", {"classification": "loss"}
    )
    assert r.status_code == 403

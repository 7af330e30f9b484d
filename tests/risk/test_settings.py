"""The risk settings page and API: who may read and change them, the rules
naming their field, the audit trail, and the master scale's review months
reaching the next approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from risk import rules
from risk.models import RatingGrade, RiskSettings
from tenancy.models import AuditEvent
from tenancy.timezones import tenant_zone

from .helpers import make_assessment, make_client

URL = "/api/v1/risk-settings/"


def _page_data(**overrides):
    data = {
        "weight_credit": "0.5",
        "weight_market": "0.3",
        "weight_operational": "0.2",
        "tier1_capital": "0",
        "net_capital": "0",
        "single_client_cap_pct": "15",
        "client_loans_cap_pct": "10",
        "large_exposure_pct": "10",
        "group_cap_pct": "20",
        "kyc_refresh_years_high": "1",
        "kyc_refresh_years_medium": "2",
        "kyc_refresh_years_low": "3",
        "real_estate_revaluation_months": "12",
        "reminder_lead_days": "30",
        "coverage_alert_ratio": "1.00",
        "large_outflow_pct": "30",
        "haircut_real_estate": "30",
        "haircut_deposit": "0",
        "haircut_securities": "20",
        "haircut_guarantee": "50",
        "haircut_equipment": "50",
        "haircut_receivables": "40",
        "haircut_other": "60",
        "scale-TOTAL_FORMS": str(len(rules.DEFAULT_SCALE)),
        "scale-INITIAL_FORMS": str(len(rules.DEFAULT_SCALE)),
    }
    for i, (code, _lo, _hi, months) in enumerate(rules.DEFAULT_SCALE):
        data[f"scale-{i}-code"] = code
        data[f"scale-{i}-review_months"] = str(months)
        data[f"scale-{i}-pd_pct"] = ""
    data.update(overrides)
    return data


def _events(bank, action):
    with bank.scope():
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- permissions -----------------------------------------------------------------------


def test_rm_gets_403_on_the_page_and_the_api(bank, web_for, api_for):
    assert web_for(bank.rm).get(reverse("risk:settings")).status_code == 403
    assert api_for(bank.rm).get(URL).status_code == 403
    assert api_for(bank.rm).patch(URL, {"tier1_capital": "1"}, format="json").status_code == 403


@pytest.mark.parametrize("role", ["branch_head", "compliance"])
def test_branch_head_and_compliance_read_but_cannot_save(bank, web_for, api_for, role):
    user = bank.users()[role]
    r = web_for(user).get(reverse("risk:settings"))
    assert r.status_code == 200 and "save-risk-settings" not in r.content.decode()
    assert web_for(user).post(reverse("risk:settings"), _page_data()).status_code == 403
    assert api_for(user).get(URL).status_code == 200
    assert api_for(user).patch(URL, {"tier1_capital": "1"}, format="json").status_code == 403


def test_risk_officer_saves_the_page_and_it_is_audited(bank, web_for):
    r = web_for(bank.risk_officer).post(
        reverse("risk:settings"),
        _page_data(
            tier1_capital="5000000000", haircut_securities="25", **{"scale-4-pd_pct": "2.5"}
        ),
    )
    assert r.status_code == 302
    with bank.scope():
        s = RiskSettings.objects.get()
        assert s.tier1_capital == Decimal("5000000000")
        assert s.haircut_for("securities") == Decimal("25")
        assert RatingGrade.objects.get(code="BB").pd_pct == Decimal("2.5")
    [event] = _events(bank, "risk.settings_updated")
    assert sorted(event.data["fields"]) == ["haircut_securities", "tier1_capital"]
    [scale_event] = _events(bank, "risk.scale_updated")
    assert scale_event.data["grades"] == {"BB": ["pd_pct"]}


def test_the_desk_links_the_page_and_admins_have_a_manage_tile(bank, web_for):
    desk = web_for(bank.risk_officer).get(reverse("risk:desk")).content.decode()
    assert reverse("risk:settings") in desk
    manage = web_for(bank.admin).get(reverse("tenancy:manage")).content.decode()
    assert reverse("risk:settings") in manage


# --- validation names the field --------------------------------------------------------


def test_weights_not_summing_to_one_are_refused_on_the_page(bank, web_for):
    r = web_for(bank.risk_officer).post(reverse("risk:settings"), _page_data(weight_credit="0.4"))
    assert r.status_code == 400
    assert "1.00" in r.content.decode() and "0.90" in r.content.decode()
    assert _events(bank, "risk.settings_updated") == []


def test_api_weights_not_summing_to_one_and_haircut_120_name_the_field(bank, api_for):
    api = api_for(bank.risk_officer)
    r = api.patch(URL, {"weight_credit": "0.6"}, format="json")
    assert r.status_code == 400 and "weights" in r.data
    r = api.patch(URL, {"haircuts": {"real_estate": "120"}}, format="json")
    assert r.status_code == 400 and "real_estate" in r.data["haircuts"]
    r = api.patch(URL, {"kyc_refresh_years_low": 0}, format="json")
    assert r.status_code == 400 and "kyc_refresh_years_low" in r.data
    r = api.patch(URL, {"scale": [{"code": "BB", "review_months": 13}]}, format="json")
    assert r.status_code == 400 and "scale" in r.data
    r = api.patch(URL, {"scale": [{"code": "ZZ", "review_months": 3}]}, format="json")
    assert r.status_code == 400 and "scale" in r.data
    r = api.patch(URL, {"large_outflow_pct": "101"}, format="json")
    assert r.status_code == 400 and "large_outflow_pct" in r.data
    assert _events(bank, "risk.settings_updated") == []


def test_page_haircut_120_names_the_kind(bank, web_for):
    r = web_for(bank.risk_officer).post(
        reverse("risk:settings"), _page_data(haircut_real_estate="120")
    )
    assert r.status_code == 400
    assert "Real estate" in r.content.decode() or "房地产" in r.content.decode()


# --- the API and the scale -------------------------------------------------------------


def test_api_reads_and_patches_with_the_scale(bank, api_for):
    api = api_for(bank.admin)
    r = api.get(URL)
    assert r.status_code == 200
    assert r.data["weight_credit"] == "0.500" and r.data["haircuts"]["real_estate"] == "30"
    assert r.data["scale"][0] == {
        "code": "AAA",
        "min_score": 0,
        "max_score": 9,
        "review_months": 12,
        "pd_pct": None,
    }
    r = api.patch(
        URL,
        {
            "weight_credit": "0.4",
            "weight_market": "0.4",
            "scale": [{"code": "AAA", "pd_pct": "0.03"}],
        },
        format="json",
    )
    assert r.status_code == 200, r.data
    assert (r.data["weight_credit"], r.data["scale"][0]["pd_pct"]) == ("0.400", "0.0300")
    [event] = _events(bank, "risk.settings_updated")
    assert sorted(event.data["fields"]) == ["weight_credit", "weight_market"]


def test_scale_edit_changes_the_next_review_on_the_next_approval(bank, api_for):
    r = api_for(bank.risk_officer).patch(
        URL, {"scale": [{"code": "A", "review_months": 2}]}, format="json"
    )
    assert r.status_code == 200, r.data
    a = make_assessment(bank, make_client(bank), scores=(20, 20, 20), status="approved")
    assert a.rating == "A"
    today = timezone.now().astimezone(tenant_zone(bank.tenant)).date()
    assert a.next_review_at == rules.add_months(today, 2)  # the default scale says 12


def test_another_tenant_never_sees_nor_changes_these_settings(bank, other_bank, api_for):
    api_for(bank.risk_officer).patch(URL, {"tier1_capital": "123"}, format="json")
    r = api_for(other_bank.risk_officer).get(URL)
    assert r.data["tier1_capital"] == "0.00"
    api_for(other_bank.risk_officer).patch(URL, {"tier1_capital": "7"}, format="json")
    with bank.scope():
        assert RiskSettings.objects.get().tier1_capital == Decimal("123")

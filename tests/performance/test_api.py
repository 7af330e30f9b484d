"""/api/v1/kpis/ and /api/v1/kpi-weights/ as API.md says, with visibility."""

from __future__ import annotations

import pytest

from tenancy.context import tenant_scope
from tenancy.models import AuditEvent
from tests.factories import UserFactory

from .helpers import answered, at, make_client, run

pytestmark = pytest.mark.django_db

JUNE = "2026-06"
AFTER_JUNE = at(2026, 7, 15)
URL = "/api/v1/kpis/"


@pytest.fixture
def computed(bank):
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    for score in (10, 9, 2):
        answered(bank, mine, score, at=at(2026, 6, 10))
    answered(bank, theirs, 10, at=at(2026, 6, 10))
    # an RM of the sibling branch (outside the branch head's subtree)
    bank.far_rm = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    run(bank, JUNE, now=AFTER_JUNE)
    return bank


def _rows(api, **params):
    response = api.get(URL, {"period": JUNE, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_fields_exactly_as_api_md(computed, api_for):
    row = _rows(api_for(computed.rm), scope="rm")[0]
    assert {
        "period",
        "scope",
        "subject",
        "subject_name",
        "satisfaction",
        "loyalty",
        "profit",
        "risk",
        "total",
        "rank",
        "measures",
    } <= set(row)
    assert {
        "nps",
        "responses",
        "clients",
        "retention_rate",
        "aum_growth_pct",
        "revenue",
        "reviews_overdue",
        "followups_overdue",
        "contacted_within_cadence_pct",
    } <= set(row["measures"])
    assert row["measures"]["nps"] == 33.3
    assert row["period"] == JUNE and row["subject"] == computed.rm.pk


def test_rm_sees_only_their_own_rows(computed, api_for):
    rows = _rows(api_for(computed.rm))
    assert [(r["scope"], r["subject"]) for r in rows] == [("rm", computed.rm.pk)]
    assert rows[0]["rank"] == 1  # alone in their reach


def test_branch_head_sees_the_subtree(computed, api_for):
    b = computed
    rows = _rows(api_for(b.branch_head))
    seen = {(r["scope"], r["subject"]) for r in rows}
    assert seen == {("rm", b.rm.pk), ("rm", b.other_rm.pk), ("branch", b.branch.pk)}
    ranks = {r["subject"]: r["rank"] for r in rows if r["scope"] == "rm"}
    assert ranks == {b.other_rm.pk: 1, b.rm.pk: 2}


def test_rank_stays_within_reach_when_filtered_by_subject(computed, api_for):
    rows = _rows(api_for(computed.branch_head), scope="rm", subject=computed.rm.pk)
    assert [(r["subject"], r["rank"]) for r in rows] == [(computed.rm.pk, 2)]


@pytest.mark.parametrize("role", ["admin", "risk_officer", "compliance"])
def test_tenant_wide_roles_see_the_tenant(computed, api_for, role):
    rows = _rows(api_for(getattr(computed, role)))
    scopes = {r["scope"] for r in rows}
    assert scopes == {"rm", "branch", "tenant"}
    assert len(rows) == 3 + 4 + 1


def test_another_tenant_sees_nothing(computed, other_bank, api_for):
    assert _rows(api_for(other_bank.admin)) == []
    assert _rows(api_for(other_bank.admin), subject=computed.rm.pk) == []


def test_bad_filters_are_400(computed, api_for):
    api = api_for(computed.admin)
    assert api.get(URL, {"scope": "galaxy"}).status_code == 400
    assert api.get(URL, {"subject": "x"}).status_code == 400


def test_anonymous_is_401(db, client):
    assert client.get(URL).status_code in (401, 403)


def test_weights_get_and_put(bank, api_for):
    api = api_for(bank.admin)
    assert api.get("/api/v1/kpi-weights/").json() == {
        "satisfaction": 25,
        "loyalty": 25,
        "profit": 25,
        "risk": 25,
    }
    body = {"satisfaction": 40, "loyalty": 20, "profit": 20, "risk": 20}
    response = api.put("/api/v1/kpi-weights/", body, format="json")
    assert response.status_code == 200 and response.json() == body
    assert api.get("/api/v1/kpi-weights/").json() == body
    with tenant_scope(bank.tenant):
        assert AuditEvent.objects.filter(action="performance.weights_updated").exists()


def test_weights_not_summing_to_100_are_400(bank, api_for):
    response = api_for(bank.admin).put(
        "/api/v1/kpi-weights/",
        {"satisfaction": 40, "loyalty": 40, "profit": 40, "risk": 40},
        format="json",
    )
    assert response.status_code == 400 and "weights" in response.json()


def test_weights_bad_value_names_the_field(bank, api_for):
    response = api_for(bank.admin).put(
        "/api/v1/kpi-weights/",
        {"satisfaction": "lots", "loyalty": 40, "profit": 40, "risk": 40},
        format="json",
    )
    assert response.status_code == 400 and "satisfaction" in response.json()


@pytest.mark.parametrize("role", ["branch_head", "rm", "risk_officer", "compliance"])
def test_only_admins_put_weights(bank, api_for, role):
    response = api_for(getattr(bank, role)).put(
        "/api/v1/kpi-weights/",
        {"satisfaction": 25, "loyalty": 25, "profit": 25, "risk": 25},
        format="json",
    )
    assert response.status_code == 403


def test_weights_are_per_tenant(bank, other_bank, api_for):
    api_for(bank.admin).put(
        "/api/v1/kpi-weights/",
        {"satisfaction": 100, "loyalty": 0, "profit": 0, "risk": 0},
        format="json",
    )
    assert api_for(other_bank.admin).get("/api/v1/kpi-weights/").json()["satisfaction"] == 25

"""/api/v1/surveys/, survey-invitations/, survey-responses/ (API.md)."""

from __future__ import annotations

import pytest

from loyalty.models import Survey
from tenancy.context import tenant_scope
from tests.factories import TenantFactory

from .survey_helpers import answered, make_client

pytestmark = pytest.mark.django_db


def test_every_new_tenant_starts_with_an_active_nps_template(db):
    tenant = TenantFactory(name="New", slug="new-bank")
    with tenant_scope(tenant):
        assert list(Survey.objects.values_list("kind", "active")) == [("nps", True)]


def test_templates_list_and_only_admins_create(bank, api_for):
    rows = api_for(bank.rm).get("/api/v1/surveys/").json()["results"]
    assert [(r["kind"], r["active"]) for r in rows] == [("nps", True)]
    assert set(rows[0]) >= {"id", "name", "kind", "question", "active"}
    body = {"name": "Branch visit", "kind": "csat", "question": "How satisfied were you?"}
    assert api_for(bank.rm).post("/api/v1/surveys/", body, format="json").status_code == 403
    created = api_for(bank.admin).post("/api/v1/surveys/", body, format="json")
    assert created.status_code == 201 and created.json()["kind"] == "csat"
    bad = api_for(bank.admin).post("/api/v1/surveys/", {**body, "kind": "x"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()


def test_invite_answers_201_with_an_absolute_single_use_link(bank, api_for, client):
    c = make_client(bank)
    r = api_for(bank.rm).post("/api/v1/survey-invitations/", {"client": c.pk}, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert set(data) == {"id", "client", "survey", "status", "url", "sent_at", "expires_at"}
    assert data["status"] == "sent" and data["client"] == c.pk
    assert data["url"].startswith("http://testserver/s/")
    path = data["url"].removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    client.post(path, {"score": "10"})
    listed = api_for(bank.rm).get(f"/api/v1/survey-invitations/?client={c.pk}").json()["results"]
    assert [i["status"] for i in listed] == ["answered"]


def test_inviting_again_within_the_interval_is_400_naming_client(bank, api_for):
    c = make_client(bank)
    api = api_for(bank.rm)
    assert (
        api.post("/api/v1/survey-invitations/", {"client": c.pk}, format="json").status_code == 201
    )
    again = api.post("/api/v1/survey-invitations/", {"client": c.pk}, format="json")
    assert again.status_code == 400 and "client" in again.json()


def test_compliance_may_not_invite(bank, api_for):
    c = make_client(bank)
    r = api_for(bank.compliance).post(
        "/api/v1/survey-invitations/", {"client": c.pk}, format="json"
    )
    assert r.status_code == 403


def test_invisible_and_foreign_clients_are_404(bank, other_bank, api_for):
    mine = make_client(bank, manager=bank.other_rm)
    foreign = make_client(other_bank)
    api = api_for(bank.rm)
    assert (
        api.post("/api/v1/survey-invitations/", {"client": mine.pk}, format="json").status_code
        == 404
    )
    assert (
        api.post("/api/v1/survey-invitations/", {"client": foreign.pk}, format="json").status_code
        == 404
    )


def test_another_tenants_template_is_400_naming_survey(bank, other_bank, api_for):
    with tenant_scope(other_bank.tenant):
        foreign = Survey.objects.first()
    c = make_client(bank)
    r = api_for(bank.rm).post(
        "/api/v1/survey-invitations/", {"client": c.pk, "survey": foreign.pk}, format="json"
    )
    assert r.status_code == 400 and "survey" in r.json()


def test_rms_see_only_their_clients_surveys(bank, api_for):
    mine = make_client(bank)
    theirs = make_client(bank, manager=bank.other_rm)
    answered(bank, mine, 9, comment="fine")
    answered(bank, theirs, 3, comment="secret")
    rows = api_for(bank.rm).get("/api/v1/survey-responses/").json()["results"]
    assert [(r["client"], r["score"], r["category"]) for r in rows] == [(mine.pk, 9, "promoter")]
    assert set(rows[0]) == {
        "id",
        "client",
        "invitation",
        "score",
        "category",
        "comment",
        "answered_at",
    }
    invs = api_for(bank.rm).get("/api/v1/survey-invitations/").json()["results"]
    assert [i["client"] for i in invs] == [mine.pk]
    assert len(api_for(bank.branch_head).get("/api/v1/survey-responses/").json()["results"]) == 2


def test_responses_filter_by_client(bank, api_for):
    a, b = make_client(bank), make_client(bank)
    answered(bank, a, 8)
    answered(bank, b, 6)
    rows = api_for(bank.admin).get(f"/api/v1/survey-responses/?client={b.pk}").json()["results"]
    assert [(r["client"], r["category"]) for r in rows] == [(b.pk, "detractor")]


def test_another_tenant_sees_none_of_it(bank, other_bank, api_for):
    answered(bank, make_client(bank), 9)
    api = api_for(other_bank.admin)
    assert api.get("/api/v1/survey-responses/").json()["results"] == []
    assert api.get("/api/v1/survey-invitations/").json()["results"] == []

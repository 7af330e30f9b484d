"""Assessments through the API: rating, override, four eyes, immutability,
branch heads' subtree, the current rating, history and audit."""

from __future__ import annotations

from datetime import date

import pytest

from risk.models import ClientRating, RiskAssessment
from risk.rules import add_months
from tenancy.models import AuditEvent

from .helpers import make_assessment, make_client

URL = "/api/v1/risk-assessments/"


def _create(api, client, **kw):
    body = {"client": client.pk, "credit_score": 40, "market_score": 50, "operational_score": 30}
    body.update(kw)
    return api.post(URL, body, format="json")


def test_rm_drafts_and_the_rating_comes_from_the_default_scale(bank, api_for):
    c = make_client(bank)
    r = _create(api_for(bank.rm), c)
    assert r.status_code == 201, r.json()
    body = r.json()
    # 0.5*40 + 0.3*50 + 0.2*30 = 41 → BB
    assert (body["composite"], body["rating"], body["status"]) == (41, "BB", "draft")
    assert body["author"] == bank.rm.pk
    assert body["snapshot"]["exposure"] == "0.00"


def test_override_needs_a_reason(bank, api_for):
    c = make_client(bank)
    r = _create(api_for(bank.rm), c, rating_override="B")
    assert r.status_code == 400 and "override_reason" in r.json()
    r = _create(api_for(bank.rm), c, rating_override="B", override_reason="group support weak")
    assert r.status_code == 201 and r.json()["rating"] == "B"
    assert r.json()["scale_rating"] == "BB"


def test_override_must_be_a_grade_of_the_scale(bank, api_for):
    r = _create(api_for(bank.rm), make_client(bank), rating_override="ZZ", override_reason="x")
    assert r.status_code == 400 and "rating_override" in r.json()


@pytest.mark.parametrize("field", ["credit_score", "market_score", "operational_score"])
def test_scores_outside_0_100_are_a_400_naming_the_field(bank, api_for, field):
    r = _create(api_for(bank.rm), make_client(bank), **{field: 101})
    assert r.status_code == 400 and field in r.json()


def test_rm_not_managing_the_client_cannot_draft(bank, api_for):
    c = make_client(bank, manager=bank.other_rm)
    # invisible to bank.rm: 404, like any client outside the book
    assert _create(api_for(bank.rm), c).status_code == 404


def test_compliance_cannot_draft(bank, api_for):
    assert _create(api_for(bank.compliance), make_client(bank)).status_code == 403


def test_only_the_author_submits(bank, api_for):
    a = make_assessment(bank, make_client(bank))
    assert api_for(bank.risk_officer).post(f"{URL}{a.pk}/submit/").status_code == 403
    r = api_for(bank.rm).post(f"{URL}{a.pk}/submit/")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert api_for(bank.rm).post(f"{URL}{a.pk}/submit/").status_code == 409


def test_author_cannot_approve_their_own(bank, api_for):
    c = make_client(bank)
    a = make_assessment(bank, c, author=bank.risk_officer, status="submitted")
    r = api_for(bank.risk_officer).post(f"{URL}{a.pk}/approve/")
    assert r.status_code == 403
    with bank.scope():
        assert RiskAssessment.objects.get(pk=a.pk).status == "submitted"


def test_rms_cannot_approve(bank, api_for):
    c = make_client(bank, backup_manager=bank.other_rm)
    a = make_assessment(bank, c, status="submitted")
    assert api_for(bank.other_rm).post(f"{URL}{a.pk}/approve/").status_code == 403
    assert api_for(bank.other_rm).post(f"{URL}{a.pk}/reject/", {"reason": "x"}).status_code == 403


def test_approval_sets_reviewer_review_date_and_current_rating(bank, api_for):
    c = make_client(bank)
    a = make_assessment(bank, c, scores=(40, 50, 30), status="submitted")  # BB: 6 months
    r = api_for(bank.risk_officer).post(f"{URL}{a.pk}/approve/")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "approved" and body["approved_by"] == bank.risk_officer.pk
    assert body["approved_at"]
    assert date.fromisoformat(body["next_review_at"]) == add_months(date.today(), 6)
    with bank.scope():
        current = ClientRating.objects.get(client=c)
    assert (current.rating, current.assessment_id) == ("BB", a.pk)


def test_worse_ratings_are_reviewed_sooner(bank, api_for):
    c = make_client(bank)
    a = make_assessment(bank, c, scores=(90, 90, 90), status="approved")  # D: 3 months
    assert a.next_review_at == add_months(date.today(), 3)
    b = make_assessment(bank, c, scores=(5, 5, 5), status="approved")  # AAA: 12 months
    assert b.next_review_at == add_months(date.today(), 12)


def test_an_approved_assessment_is_immutable(bank, api_for):
    a = make_assessment(bank, make_client(bank), status="approved")
    api = api_for(bank.rm)
    assert api.patch(f"{URL}{a.pk}/", {"credit_score": 1}, format="json").status_code == 409
    assert api_for(bank.risk_officer).post(f"{URL}{a.pk}/approve/").status_code == 409
    r = api_for(bank.risk_officer).post(f"{URL}{a.pk}/reject/", {"reason": "late"})
    assert r.status_code == 409
    with bank.scope():
        assert RiskAssessment.objects.get(pk=a.pk).credit_score == 20


def test_patch_while_draft_recomputes_the_rating(bank, api_for):
    a = make_assessment(bank, make_client(bank))
    r = api_for(bank.rm).patch(f"{URL}{a.pk}/", {"credit_score": 100}, format="json")
    assert r.status_code == 200 and r.json()["composite"] == 60 and r.json()["rating"] == "CCC"


def test_a_new_approval_supersedes_and_history_keeps_both(bank, api_for):
    c = make_client(bank)
    first = make_assessment(bank, c, scores=(20, 20, 20), status="approved")
    second = make_assessment(bank, c, scores=(70, 70, 70), status="approved")
    with bank.scope():
        assert ClientRating.objects.get(client=c).assessment_id == second.pk
    r = api_for(bank.rm).get(URL, {"client": c.pk, "status": "approved"})
    assert [row["id"] for row in r.json()["results"]] == [second.pk, first.pk]


def test_branch_heads_approve_only_in_their_subtree(bank, api_for):
    inside = make_assessment(bank, make_client(bank), status="submitted")
    sibling_client = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    outside = make_assessment(bank, sibling_client, author=bank.other_rm, status="submitted")
    api = api_for(bank.branch_head)
    assert api.post(f"{URL}{inside.pk}/approve/").status_code == 200
    assert api.post(f"{URL}{outside.pk}/approve/").status_code == 404  # outside: invisible


def test_branch_head_of_the_region_approves_for_its_branches(bank, api_for):
    from tests.factories import UserFactory

    regional = UserFactory(
        username="a_region_head", tenant=bank.tenant, role="branch_head", branch=bank.region
    )
    a = make_assessment(bank, make_client(bank), status="submitted")
    assert api_for(regional).post(f"{URL}{a.pk}/approve/").status_code == 200


def test_reject_needs_a_reason_and_records_it(bank, api_for):
    a = make_assessment(bank, make_client(bank), status="submitted")
    api = api_for(bank.risk_officer)
    r = api.post(f"{URL}{a.pk}/reject/", {"reason": "  "}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api.post(f"{URL}{a.pk}/reject/", {"reason": "scores too optimistic"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["rejection_reason"] == "scores too optimistic"


def test_every_step_is_audited(bank):
    a = make_assessment(bank, make_client(bank), status="approved")
    with bank.scope():
        actions = list(
            AuditEvent.objects.filter(object_id=str(a.pk), object_type="risk.riskassessment")
            .order_by("seq")
            .values_list("action", flat=True)
        )
    assert actions == [
        "risk.assessment_created",
        "risk.assessment_submitted",
        "risk.assessment_approved",
    ]


def test_rms_list_only_their_clients_assessments(bank, api_for):
    mine = make_assessment(bank, make_client(bank))
    theirs = make_assessment(bank, make_client(bank, manager=bank.other_rm), author=bank.other_rm)
    ids = {row["id"] for row in api_for(bank.rm).get(URL).json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    assert api_for(bank.rm).get(f"{URL}{theirs.pk}/").status_code == 404


def test_the_approval_rule_itself_refuses_a_branch_head_outside_the_subtree(bank):
    """Visibility already hides such clients; the four-eyes rule holds without it too."""
    from django.core.exceptions import PermissionDenied

    from risk import services

    sibling_client = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    a = make_assessment(bank, sibling_client, author=bank.other_rm, status="submitted")
    with bank.scope(), pytest.raises(PermissionDenied):
        services.assessment_approve(user=bank.branch_head, assessment=a)

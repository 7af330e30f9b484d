"""The override-rate table (risk/override_rates.py): counts and rates on known
data, how the overridden clients fared since, visibility, the page, the desk
panel and the API, and flat query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from risk import services
from risk.models import RiskAssessment
from risk.override_rates import override_rates
from tenancy.context import tenant_scope

from .helpers import (
    DESK_BUDGET,
    make_assessment,
    make_client,
    make_loan,
)

URL = "/api/v1/risk-override-rates/"
PAGE_BUDGET = 18  # the layout ~14 + two aggregates
API_BUDGET = 8


def _override(bank, client, rating, *, approver=None, author=None):
    """An assessment overridden to ``rating``, approved by ``approver`` (a risk officer)."""
    a = make_assessment(
        bank,
        client,
        author=author,
        status="submitted",
        rating_override=rating,
        override_reason="known",
    )
    with tenant_scope(bank.tenant):
        services.assessment_approve(user=approver or bank.risk_officer, assessment=a)
        return RiskAssessment.objects.get(pk=a.pk)


def test_one_override_among_three_approvals_is_33_3_percent(bank):
    for _ in range(2):
        make_assessment(bank, make_client(bank), status="approved")
    _override(bank, make_client(bank), "AAA")  # scale says A (composite 20): better
    with bank.scope():
        [row] = override_rates(user=bank.risk_officer)
    assert (row.approved, row.overridden, row.better, row.worse) == (3, 1, 1, 0)
    assert str(row.rate) == "33.3"


def test_fared_since_counts_later_worse_ratings_and_non_performing(bank):
    worse_later = make_client(bank)
    _override(bank, worse_later, "AAA")  # scale A
    make_assessment(bank, worse_later, scores=(50, 50, 50), status="approved")  # B: worse
    non_performing = make_client(bank)
    _override(bank, non_performing, "BBB")  # scale A: worse than the scale
    make_loan(bank, non_performing, balance="1000", days_past_due=120)
    classified = make_client(bank)
    _override(bank, classified, "AA")
    with bank.scope():
        services.classification_set(
            user=bank.risk_officer, client=classified, classification="doubtful"
        )
    fine = make_client(bank)
    _override(bank, fine, "AA")
    make_assessment(bank, fine, scores=(0, 0, 0), status="approved")  # AAA: better
    with bank.scope():
        [row] = override_rates(user=bank.risk_officer)
    assert (row.approved, row.overridden, row.better, row.worse) == (6, 4, 3, 1)
    assert (row.overridden_clients, row.worse_since, row.non_performing) == (4, 1, 2)
    assert row.rate == Decimal("66.7")


def test_rows_per_approver_and_per_branch(bank):
    sibling = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    _override(bank, make_client(bank), "AAA", approver=bank.branch_head)
    make_assessment(bank, sibling, author=bank.other_rm, status="approved")
    with bank.scope():
        by_approver = {r.key: r for r in override_rates(user=bank.risk_officer)}
        by_branch = {r.key: r for r in override_rates(user=bank.risk_officer, by="branch")}
    assert by_approver[bank.branch_head.pk].overridden == 1
    assert by_approver[bank.risk_officer.pk].overridden == 0
    assert by_branch[bank.branch.pk].rate == Decimal("100.0")
    assert by_branch[bank.sibling_branch.pk].rate == Decimal("0.0")


def test_an_approval_stays_with_the_branch_it_was_decided_in(bank):
    """Override rates per branch count the client's branch at the approval
    (stored on the assessment), not where the client is today."""
    client = make_client(bank)
    a = _override(bank, client, "AAA")
    assert a.approved_branch_id == bank.branch.pk
    with bank.scope():
        type(client).objects.filter(pk=client.pk).update(branch=bank.sibling_branch)
        by_branch = {r.key: r for r in override_rates(user=bank.risk_officer, by="branch")}
    assert by_branch[bank.branch.pk].overridden == 1
    assert bank.sibling_branch.pk not in by_branch


def test_the_window_leaves_older_approvals_out(bank):
    old = _override(bank, make_client(bank), "AAA")
    with bank.scope():
        RiskAssessment.objects.filter(pk=old.pk).update(
            approved_at=timezone.now() - timedelta(days=400)
        )
        assert override_rates(user=bank.risk_officer) == []
        [row] = override_rates(user=bank.risk_officer, months=24)
    assert row.overridden == 1


def test_branch_head_sees_only_their_subtree_and_other_tenants_nothing(bank, other_bank, api_for):
    _override(bank, make_client(bank), "AAA")
    outside = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    _override(bank, outside, "AAA", author=bank.other_rm)
    with bank.scope():
        rows = override_rates(user=bank.branch_head, by="branch")
    assert [r.key for r in rows] == [bank.branch.pk]
    r = api_for(other_bank.risk_officer).get(URL)
    assert r.status_code == 200 and r.data["approvers"] == [] and r.data["branches"] == []


def test_rm_gets_403_on_the_page_and_the_api(bank, web_for, api_for):
    assert web_for(bank.rm).get(reverse("risk:override_rates")).status_code == 403
    assert api_for(bank.rm).get(URL).status_code == 403


def test_api_rows_and_months_filter(bank, api_for):
    make_assessment(bank, make_client(bank), status="approved")
    _override(bank, make_client(bank), "AAA")
    api = api_for(bank.compliance)
    r = api.get(URL + "?months=6")
    assert r.status_code == 200 and r.data["months"] == 6
    [row] = r.data["approvers"]
    assert row["id"] == bank.risk_officer.pk
    assert (row["approved"], row["overridden"], row["override_rate"]) == (2, 1, "50.0")
    assert api.get(URL + "?months=0").status_code == 400
    assert api.get(URL + "?months=x").status_code == 400


def _populate(bank, n):
    for i in range(n):
        c = make_client(bank)
        if i % 2:
            _override(bank, c, "AAA")
        else:
            make_assessment(bank, c, status="approved")
        make_loan(bank, c, balance="1000", days_past_due=100 if i % 3 == 0 else 0)


@pytest.mark.parametrize("n", [2, 10])
def test_page_desk_and_api_query_counts_are_flat(
    bank, web_for, api_for, n, django_assert_max_num_queries
):
    _populate(bank, n)
    web = web_for(bank.risk_officer)
    web.get(reverse("risk:desk"))  # the first request of a session writes its row
    with django_assert_max_num_queries(DESK_BUDGET):
        r = web.get(reverse("risk:desk"))
    assert 'data-testid="override-rates"' in r.content.decode()
    assert r.context["override_rates"]["approvers"][0].approved == n
    with django_assert_max_num_queries(PAGE_BUDGET):
        r = web.get(reverse("risk:override_rates"))
    assert r.status_code == 200
    with django_assert_max_num_queries(API_BUDGET):
        r = api_for(bank.risk_officer).get(URL)
    assert r.data["approvers"][0]["approved"] == n

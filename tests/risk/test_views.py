"""The 360° risk section, the risk desk and their actions; query counts at
two data sizes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from risk.models import RiskAssessment

from .helpers import (
    DESK_BUDGET,
    make_assessment,
    make_client,
    make_collateral,
    make_limit,
    make_loan,
    set_capital,
)

SECTION_BUDGET = 43  # the whole 360° page: clients and communications ~25 + loyalty 6 (surveys 3, points 1, events 2) + the risk section 12 (alerts, watch list entry, groups)


def _detail(web, client):
    return web.get(reverse("clients:detail", args=[client.pk]))


def _populate_client(bank, client, n):
    for _ in range(n):
        make_collateral(bank, client)
        make_loan(bank, client, balance="1000", days_past_due=0)
    for i in range(n // 5):
        make_assessment(bank, client, status="approved" if i % 2 else "submitted")
    make_limit(bank, client)


def test_client_page_shows_the_risk_section(bank, web_for):
    c = make_client(bank, exposure="1000")
    make_assessment(bank, c, scores=(40, 40, 40), status="approved")
    r = _detail(web_for(bank.rm), c)
    html = r.content.decode()
    assert 'data-testid="risk-section"' in html
    assert 'data-testid="current-rating"' in html and "<strong>BB</strong>" in html
    assert 'data-testid="assessment-form"' in html  # the RM manages the client


def test_compliance_sees_the_section_without_the_forms(bank, web_for):
    c = make_client(bank)
    html = _detail(web_for(bank.compliance), c).content.decode()
    assert 'data-testid="risk-section"' in html and 'data-testid="assessment-form"' not in html


@pytest.mark.parametrize("n", [5, 40])
@pytest.mark.parametrize("role", ["rm", "risk_officer"])
def test_360_risk_section_query_count_is_flat(
    bank, web_for, django_assert_max_num_queries, n, role
):
    c = make_client(bank, exposure="1000")
    _populate_client(bank, c, n)
    web = web_for(bank.users()[role])
    with django_assert_max_num_queries(SECTION_BUDGET):
        r = _detail(web, c)
    assert r.status_code == 200
    assert r.content.decode().count("<tr>") >= n  # collateral rows rendered


def test_rm_drafts_and_submits_from_the_client_page(bank, web_for):
    c = make_client(bank)
    web = web_for(bank.rm)
    r = web.post(
        reverse("risk:assessment_create", args=[c.pk]),
        {"credit_score": 30, "market_score": 30, "operational_score": 30, "rationale": "ok"},
    )
    assert r.status_code == 302
    with bank.scope():
        a = RiskAssessment.objects.get(client=c)
    assert (a.status, a.rating, a.author_id) == ("draft", "BBB", bank.rm.pk)
    r = web.post(reverse("risk:assessment_submit", args=[a.pk]))
    assert r.status_code == 302
    with bank.scope():
        a.refresh_from_db()
    assert a.status == "submitted"


def test_the_draft_form_shows_the_override_reason_error(bank, web_for):
    c = make_client(bank)
    r = web_for(bank.rm).post(
        reverse("risk:assessment_create", args=[c.pk]),
        {"credit_score": 30, "market_score": 30, "operational_score": 30, "rating_override": "A"},
    )
    # the tenant's language (Simplified Chinese by default)
    assert r.status_code == 200 and "调整评级必须填写理由。" in r.content.decode()


def test_rm_cannot_open_the_desk(bank, web_for):
    assert web_for(bank.rm).get(reverse("risk:desk")).status_code == 403


def test_branch_head_sees_the_subtree_queue_and_approves_from_the_desk(bank, web_for):
    inside = make_assessment(bank, make_client(bank), status="submitted")
    sibling = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    outside = make_assessment(bank, sibling, author=bank.other_rm, status="submitted")
    web = web_for(bank.branch_head)
    r = web.get(reverse("risk:desk"))
    queue = [a.pk for a in r.context["queue"]]
    assert queue == [inside.pk] and outside.pk not in queue
    r = web.post(reverse("risk:assessment_decide", args=[inside.pk]), {"decision": "approve"})
    assert r.status_code == 302
    with bank.scope():
        inside.refresh_from_db()
    assert inside.status == "approved" and inside.approved_by_id == bank.branch_head.pk


def test_the_desk_shows_the_longest_waiting_and_counts_all_the_page_lists_the_rest(
    bank, web_for, django_assert_max_num_queries
):
    from risk.views import DESK_QUEUE

    waiting = [
        make_assessment(bank, make_client(bank), status="submitted") for _ in range(DESK_QUEUE + 3)
    ]
    sibling = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    outside = make_assessment(bank, sibling, author=bank.other_rm, status="submitted")
    web = web_for(bank.branch_head)
    r = web.get(reverse("risk:desk"))
    assert [a.pk for a in r.context["queue"]] == [a.pk for a in waiting[:DESK_QUEUE]]
    html = r.content.decode()
    assert f'data-testid="approval-queue-total">{DESK_QUEUE + 3}<' in html
    assert 'data-testid="approval-queue-all"' in html
    with django_assert_max_num_queries(18):
        page = web.get(reverse("risk:approvals"))
    listed = [a.pk for a in page.context["rows"]]
    assert listed == [a.pk for a in waiting] and outside.pk not in listed  # subtree only
    assert web_for(bank.rm).get(reverse("risk:approvals")).status_code == 403


def test_the_approval_page_of_another_tenant_shows_nothing(bank, other_bank, web_for):
    make_assessment(bank, make_client(bank), status="submitted")
    page = web_for(other_bank.risk_officer).get(reverse("risk:approvals"))
    assert page.status_code == 200 and page.context["rows"] == []


def test_the_author_does_not_see_their_own_in_the_queue(bank, web_for):
    c = make_client(bank)
    own = make_assessment(bank, c, author=bank.risk_officer, status="submitted")
    r = web_for(bank.risk_officer).get(reverse("risk:desk"))
    assert own.pk not in [a.pk for a in r.context["queue"]]
    r = web_for(bank.risk_officer).post(
        reverse("risk:assessment_decide", args=[own.pk]), {"decision": "approve"}
    )
    assert r.status_code == 403


def test_reject_from_the_page_needs_a_reason(bank, web_for):
    a = make_assessment(bank, make_client(bank), status="submitted")
    web = web_for(bank.risk_officer)
    web.post(reverse("risk:assessment_decide", args=[a.pk]), {"decision": "reject", "reason": ""})
    with bank.scope():
        a.refresh_from_db()
    assert a.status == "submitted"
    web.post(reverse("risk:assessment_decide", args=[a.pk]), {"decision": "reject", "reason": "no"})
    with bank.scope():
        a.refresh_from_db()
    assert a.status == "rejected"


def test_the_author_learns_the_outcome_on_my_day(bank, web_for):
    a = make_assessment(bank, make_client(bank), status="rejected")
    html = web_for(bank.rm).get(reverse("home")).content.decode()
    assert 'data-testid="my-day-risk"' in html and f'data-assessment="{a.pk}"' in html


def test_classification_better_than_the_floor_shows_the_message(bank, web_for):
    c = make_client(bank)
    make_loan(bank, c, balance="100", days_past_due=100)
    web = web_for(bank.rm)
    r = web.post(
        reverse("risk:classification_set", args=[c.pk]),
        {"classification": "normal"},
        follow=True,
    )
    assert "客户分类不能优于该下限" in r.content.decode()


def test_what_if_fragment_names_the_breach(bank, web_for):
    set_capital(bank, tier1="1000000", net="1000000")
    c = make_client(bank, exposure="100000")
    r = web_for(bank.rm).get(
        reverse("risk:what_if", args=[c.pk]), {"amount": "60000"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert 'data-breach="single_client_cap"' in html and 'data-breach="client_loans_cap"' in html


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("role", ["risk_officer", "branch_head"])
def test_desk_query_count_is_flat(bank, web_for, django_assert_max_num_queries, n, role):
    set_capital(bank, tier1="100000000")
    for i in range(n):
        c = make_client(bank, exposure=str(1000 * (i + 1)))
        make_assessment(bank, c, status=("submitted", "approved", "rejected")[i % 3])
    web = web_for(bank.users()[role])
    with django_assert_max_num_queries(DESK_BUDGET):
        r = web.get(reverse("risk:desk"))
    assert r.status_code == 200
    assert len(r.context["concentration"]) == min(n, 20)


def test_the_desk_names_who_proposed_and_who_decided(bank, web_for):
    """The short lists load their people in one query (``with_people``): the
    queue names the author, recent decisions the approver, "My assessments"
    the approver's username."""
    with bank.scope():
        bank.rm.first_name, bank.rm.last_name = "Lan", "Zhou"
        bank.rm.save(update_fields=["first_name", "last_name"])
    make_assessment(bank, make_client(bank), status="submitted")
    make_assessment(bank, make_client(bank), author=bank.branch_head, status="approved")
    html = web_for(bank.risk_officer).get(reverse("risk:desk")).content.decode()
    queue = html.split('data-testid="approval-queue"')[1].split("</section>")[0]
    assert "Lan Zhou" in queue
    recent = html.split('data-testid="recent-decisions"')[1].split("</section>")[0]
    officer = bank.risk_officer.get_full_name() or bank.risk_officer.username
    assert officer in recent
    mine = web_for(bank.branch_head).get(reverse("risk:desk")).content.decode()
    mine = mine.split('data-testid="my-assessments"')[1].split("</section>")[0]
    assert bank.risk_officer.username in mine

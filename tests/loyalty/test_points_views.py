"""The points pages: the 360° points section, the rewards catalogue, redeeming
from the client page and the catalogue, the liability report, the approvals
and the settings; isolation and query counts at two data sizes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from loyalty.models import PointsAdjustmentRequest, PointsSettings, Reward
from loyalty.points import services
from tenancy.models import Role
from tests.factories import UserFactory

from .points_helpers import balance, earn, make_client, make_reward

SECTION_BUDGET = 44  # the whole 360° page (clients, communications, risk, events: 43) + the points section's one query (balance and entries)
PAGE_BUDGET = 16  # ~10 framework (session, user, scope, nav) + the page


def _detail(web, client):
    return web.get(reverse("clients:detail", args=[client.pk]))


def test_the_360_page_shows_balance_and_recent_entries(bank, web_for):
    c = make_client(bank)
    earn(bank, c, 700)
    html = _detail(web_for(bank.rm), c).content.decode()
    assert 'data-testid="points-section"' in html
    assert 'data-testid="points-balance">700<' in html
    assert 'data-testid="adjust-form"' not in html  # RMs do not adjust


def test_admins_get_the_adjust_form_and_adjust_from_the_page(bank, web_for):
    c = make_client(bank)
    web = web_for(bank.admin)
    assert 'data-testid="adjust-form"' in _detail(web, c).content.decode()
    r = web.post(reverse("loyalty:points_adjust", args=[c.pk]), {"points": 25, "reason": "gift"})
    assert r.status_code == 302 and balance(bank, c) == 25
    r = web.post(reverse("loyalty:points_adjust", args=[c.pk]), {"points": 20_000, "reason": "big"})
    assert balance(bank, c) == 25
    with bank.scope():
        assert PointsAdjustmentRequest.objects.filter(status="pending").count() == 1


def test_rm_cannot_post_an_adjustment(bank, web_for):
    c = make_client(bank)
    r = web_for(bank.rm).post(
        reverse("loyalty:points_adjust", args=[c.pk]), {"points": 5, "reason": "x"}
    )
    assert r.status_code == 403 and balance(bank, c) == 0


def test_rm_redeems_from_the_client_page_through_the_catalogue(bank, web_for):
    c = make_client(bank)
    earn(bank, c, 300)
    reward = make_reward(bank, cost=100)
    web = web_for(bank.rm)
    assert 'data-testid="redeem-link"' in _detail(web, c).content.decode()
    page = web.get(reverse("loyalty:rewards"), {"client": c.pk}).content.decode()
    assert 'data-testid="redeem-for"' in page and 'data-testid="redeem"' in page
    r = web.post(reverse("loyalty:reward_redeem", args=[reward.pk]), {"client": c.pk})
    assert r.status_code == 302 and r["Location"].endswith(f"/clients/{c.pk}/#points-section")
    assert balance(bank, c) == 200


def test_the_catalogue_for_an_invisible_client_is_404(bank, other_bank, web_for):
    theirs, foreign = make_client(bank, manager=bank.other_rm), make_client(other_bank)
    web = web_for(bank.rm)
    assert web.get(reverse("loyalty:rewards"), {"client": theirs.pk}).status_code == 404
    assert web.get(reverse("loyalty:rewards"), {"client": foreign.pk}).status_code == 404


def test_redeem_from_the_catalogue_goes_through_the_access_policy(bank, other_bank, web_for):
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    foreign = make_client(other_bank)
    for c in (mine, theirs):
        earn(bank, c, 300)
    reward = make_reward(bank, cost=100)
    web = web_for(bank.rm)
    url = reverse("loyalty:reward_redeem", args=[reward.pk])
    assert web.post(url, {"client": theirs.pk}).status_code == 404
    assert web.post(url, {"client": foreign.pk}).status_code == 404
    assert web.post(url, {"client": mine.pk}).status_code == 302
    assert balance(bank, mine) == 200 and balance(bank, theirs) == 300


def test_another_tenants_client_section_actions_are_404(bank, other_bank, web_for):
    foreign = make_client(other_bank)
    web = web_for(bank.admin)
    assert (
        web.post(
            reverse("loyalty:points_adjust", args=[foreign.pk]), {"points": 5, "reason": "x"}
        ).status_code
        == 404
    )


def test_admin_manages_the_catalogue_and_others_only_read(bank, web_for):
    web = web_for(bank.admin)
    r = web.post(
        reverse("loyalty:rewards"),
        {"name": "Lounge", "points_cost": 300, "stock": 4, "min_tier": "", "active": "on"},
    )
    assert r.status_code == 302
    with bank.scope():
        reward = Reward.objects.get(name="Lounge")
    r = web.post(
        reverse("loyalty:reward_edit", args=[reward.pk]),
        {"name": "Lounge", "points_cost": 350, "stock": 4, "min_tier": "gold", "active": "on"},
    )
    assert r.status_code == 302
    with bank.scope():
        reward.refresh_from_db()
    assert reward.points_cost == 350 and reward.min_tier == "gold"
    rm = web_for(bank.rm)
    assert "Lounge" in rm.get(reverse("loyalty:rewards")).content.decode()
    assert (
        rm.post(reverse("loyalty:rewards"), {"name": "X", "points_cost": 1, "stock": 1}).status_code
        == 403
    )
    assert rm.get(reverse("loyalty:reward_edit", args=[reward.pk])).status_code == 403


def test_liability_report_by_branch_and_tier_for_admins_and_compliance(bank, web_for):
    gold = make_client(bank, tier="gold")
    other = make_client(bank, branch=bank.sibling_branch, manager=bank.other_rm)
    earn(bank, gold, 1_000)
    earn(bank, other, 500)
    with bank.scope():
        PointsSettings.objects.create(value_per_point=Decimal("0.05"))
    for user in (bank.admin, bank.compliance):
        r = web_for(user).get(reverse("loyalty:points_liability"))
        assert r.status_code == 200
        rep = r.context["report"]
        assert rep.total_points == 1_500 and rep.total_value == Decimal("75.00")
        assert {(row.branch_id, row.tier, row.points) for row in rep.rows} == {
            (bank.branch.pk, "gold", 1_000),
            (bank.sibling_branch.pk, "standard", 500),
        }
    for user in (bank.rm, bank.branch_head, bank.risk_officer):
        assert web_for(user).get(reverse("loyalty:points_liability")).status_code == 403


def test_the_second_admin_approves_on_the_approvals_page(bank, web_for):
    c = make_client(bank)
    second = UserFactory(
        username="a_admin2", tenant=bank.tenant, role=Role.ADMIN, branch=bank.head_office
    )
    with bank.scope():
        pending = services.points_adjust(user=bank.admin, client=c, points=15_000, reason="vip")
    page = web_for(bank.admin).get(reverse("loyalty:points_approvals")).content.decode()
    assert 'data-testid="approve"' not in page  # the requester has no button
    web_for(bank.admin).post(reverse("loyalty:points_approve", args=[pending.pk]))
    assert balance(bank, c) == 0
    web = web_for(second)
    assert 'data-testid="approve"' in web.get(reverse("loyalty:points_approvals")).content.decode()
    web.post(reverse("loyalty:points_approve", args=[pending.pk]))
    assert balance(bank, c) == 15_000
    assert web_for(bank.rm).get(reverse("loyalty:points_approvals")).status_code == 403


def test_admin_changes_the_points_settings(bank, web_for):
    web = web_for(bank.admin)
    data = {
        "expiry_months": 12,
        "value_per_point": "0.02",
        "four_eyes_threshold": 5000,
        "points_per_10k_wealth": 10,
        "birthday_bonus": 500,
        "event_attendance": 200,
    }
    assert web.post(reverse("loyalty:points_settings"), data).status_code == 302
    with bank.scope():
        assert PointsSettings.objects.get().expiry_months == 12
    bad = web.post(reverse("loyalty:points_settings"), {**data, "expiry_months": 0})
    assert bad.status_code == 200 and "expiry_months" in bad.context["form"].errors
    assert web_for(bank.compliance).get(reverse("loyalty:points_settings")).status_code == 403


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("role", ["rm", "admin"])
def test_360_points_section_query_count_is_flat(
    bank, web_for, django_assert_max_num_queries, n, role
):
    c = make_client(bank)
    for i in range(n):
        earn(bank, c, 10 + i, key=f"k{i}")
        make_reward(bank, cost=5, stock=3)
    web = web_for(bank.users()[role])
    with django_assert_max_num_queries(SECTION_BUDGET):
        r = _detail(web, c)
    assert r.status_code == 200
    assert r.content.decode().count("data-entry=") == min(n, 10)


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize(
    "url", ["loyalty:rewards", "loyalty:points_liability", "loyalty:points_approvals"]
)
def test_points_pages_query_counts_are_flat(bank, web_for, django_assert_max_num_queries, n, url):
    for i in range(n):
        c = make_client(bank, tier=["gold", "silver", "standard"][i % 3])
        earn(bank, c, 10 + i)
        make_reward(bank, cost=5 + i, stock=3)
        with bank.scope():
            services.points_adjust(user=bank.admin, client=c, points=20_000, reason="big")
    web = web_for(bank.admin)
    with django_assert_max_num_queries(PAGE_BUDGET):
        r = web.get(reverse(url))
    assert r.status_code == 200

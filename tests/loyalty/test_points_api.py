"""API.md "Loyalty and client care": clients/{id}/points/, points-adjustments/,
rewards/, redemptions/ — statuses, field errors, isolation, query counts."""

from __future__ import annotations

import pytest

from tenancy.models import Role
from tests.factories import UserFactory

from .points_helpers import balance, earn, make_client, make_reward


def _points(client):
    return f"/api/v1/clients/{client.pk}/points/"


def test_get_points_gives_balance_and_entries(bank, api_for):
    c = make_client(bank)
    earn(bank, c, 300)
    r = api_for(bank.rm).get(_points(c))
    assert r.status_code == 200
    body = r.json()
    assert body["balance"] == 300
    assert [set(e) for e in body["entries"]] == [
        {"id", "kind", "points", "reason", "created_at", "expires_at"}
    ]
    assert body["entries"][0]["kind"] == "earn"


def test_rm_sees_only_their_clients_points(bank, api_for):
    theirs = make_client(bank, manager=bank.other_rm)
    assert api_for(bank.rm).get(_points(theirs)).status_code == 404
    assert api_for(bank.other_rm).get(_points(theirs)).status_code == 200


def test_another_tenants_client_is_404(bank, other_bank, api_for):
    foreign = make_client(other_bank)
    assert api_for(bank.admin).get(_points(foreign)).status_code == 404
    r = api_for(bank.admin).post(_points(foreign), {"points": 5, "reason": "x"}, format="json")
    assert r.status_code == 404


def test_admin_adjusts_201_and_others_403(bank, api_for):
    c = make_client(bank)
    r = api_for(bank.admin).post(_points(c), {"points": 50, "reason": "welcome"}, format="json")
    assert r.status_code == 201 and r.json()["balance"] == 50
    assert r.json()["entry"]["kind"] == "adjust"
    r = api_for(bank.rm).post(_points(c), {"points": 50, "reason": "x"}, format="json")
    assert r.status_code == 403


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"points": 0, "reason": "x"}, "points"),
        ({"points": "ten", "reason": "x"}, "points"),
        ({"points": 5}, "reason"),
        ({"points": -1, "reason": "too much"}, "points"),
    ],
)
def test_bad_adjustments_are_400_naming_the_field(bank, api_for, payload, field):
    c = make_client(bank)
    r = api_for(bank.admin).post(_points(c), payload, format="json")
    assert r.status_code == 400 and field in r.json()


def test_above_the_threshold_is_202_pending_and_a_second_admin_approves(bank, api_for):
    c = make_client(bank)
    second = UserFactory(
        username="a_admin2", tenant=bank.tenant, role=Role.ADMIN, branch=bank.head_office
    )
    r = api_for(bank.admin).post(_points(c), {"points": 12_000, "reason": "vip"}, format="json")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    pk = r.json()["id"]
    assert balance(bank, c) == 0
    url = f"/api/v1/points-adjustments/{pk}/approve/"
    assert api_for(bank.admin).post(url).status_code == 403  # the requester
    assert api_for(bank.rm).post(url).status_code == 404  # RMs see no adjustments
    r = api_for(second).post(url)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert balance(bank, c) == 12_000
    assert api_for(second).post(url).status_code == 409


def test_rewards_list_for_staff_and_create_for_admins(bank, api_for):
    payload = {"name": "Lounge", "points_cost": 100, "stock": 3, "min_tier": "gold", "active": True}
    assert api_for(bank.rm).post("/api/v1/rewards/", payload, format="json").status_code == 403
    r = api_for(bank.admin).post("/api/v1/rewards/", payload, format="json")
    assert r.status_code == 201
    assert set(r.json()) >= {"id", "name", "points_cost", "stock", "min_tier", "active"}
    r = api_for(bank.admin).post("/api/v1/rewards/", {**payload, "points_cost": 0}, format="json")
    assert r.status_code == 400 and "points_cost" in r.json()
    listed = api_for(bank.compliance).get("/api/v1/rewards/").json()["results"]
    assert [x["name"] for x in listed] == ["Lounge"]


def test_redeem_201_and_the_balance_falls(bank, api_for):
    c = make_client(bank)
    earn(bank, c, 500)
    reward = make_reward(bank, cost=120, stock=2)
    r = api_for(bank.rm).post(
        "/api/v1/redemptions/", {"client": c.pk, "reward": reward.pk}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert balance(bank, c) == 380
    with bank.scope():
        reward.refresh_from_db()
    assert reward.stock == 1


@pytest.mark.parametrize(
    "points, stock, min_tier, tier, field",
    [
        (50, 3, "", "standard", "client"),  # not enough points
        (500, 0, "", "standard", "reward"),  # no stock
        (500, 3, "gold", "silver", "client"),  # tier below min_tier
    ],
)
def test_redemption_refusals_are_400_naming_the_field(
    bank, api_for, points, stock, min_tier, tier, field
):
    c = make_client(bank, tier=tier)
    earn(bank, c, points)
    reward = make_reward(bank, cost=100, stock=stock, min_tier=min_tier)
    r = api_for(bank.rm).post(
        "/api/v1/redemptions/", {"client": c.pk, "reward": reward.pk}, format="json"
    )
    assert r.status_code == 400 and field in r.json()
    assert balance(bank, c) == points


def test_redemption_by_someone_not_managing_the_client_is_refused(bank, api_for):
    c = make_client(bank)
    earn(bank, c, 500)
    reward = make_reward(bank)
    body = {"client": c.pk, "reward": reward.pk}
    assert (
        api_for(bank.other_rm).post("/api/v1/redemptions/", body, format="json").status_code == 404
    )
    assert (
        api_for(bank.branch_head).post("/api/v1/redemptions/", body, format="json").status_code
        == 403
    )
    assert api_for(bank.admin).post("/api/v1/redemptions/", body, format="json").status_code == 201


def test_another_tenants_reward_and_redemptions_are_404(bank, other_bank, api_for):
    c = make_client(bank)
    earn(bank, c, 500)
    foreign_reward = make_reward(other_bank)
    r = api_for(bank.rm).post(
        "/api/v1/redemptions/", {"client": c.pk, "reward": foreign_reward.pk}, format="json"
    )
    assert r.status_code == 404
    assert api_for(bank.admin).get(f"/api/v1/rewards/{foreign_reward.pk}/").status_code == 404
    fc = make_client(other_bank)
    earn(other_bank, fc, 500)
    r = api_for(other_bank.rm).post(
        "/api/v1/redemptions/", {"client": fc.pk, "reward": foreign_reward.pk}, format="json"
    )
    assert r.status_code == 201
    assert api_for(bank.admin).get(f"/api/v1/redemptions/{r.json()['id']}/").status_code == 404
    assert api_for(bank.admin).get("/api/v1/redemptions/").json()["results"] == []


def test_rm_lists_only_their_clients_redemptions(bank, api_for):
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    reward = make_reward(bank, stock=10)
    for c, rm in ((mine, bank.rm), (theirs, bank.other_rm)):
        earn(bank, c, 500)
        api_for(rm).post(
            "/api/v1/redemptions/", {"client": c.pk, "reward": reward.pk}, format="json"
        )
    rows = api_for(bank.rm).get("/api/v1/redemptions/").json()["results"]
    assert [r["client"] for r in rows] == [mine.pk]


@pytest.mark.parametrize("n", [3, 30])
def test_points_and_redemption_lists_query_counts_are_flat(
    bank, api_for, django_assert_max_num_queries, n
):
    c = make_client(bank)
    reward = make_reward(bank, cost=1, stock=1000)
    for i in range(n):
        earn(bank, c, 10 + i, key=f"q{i}")
        api_for(bank.rm).post(
            "/api/v1/redemptions/", {"client": c.pk, "reward": reward.pk}, format="json"
        )
    api = api_for(bank.rm)
    with django_assert_max_num_queries(8):
        assert api.get(_points(c)).status_code == 200
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/redemptions/")
    assert r.status_code == 200 and len(r.json()["results"]) == n

"""Ids of one bank's points objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from loyalty.points import services

from .points_helpers import earn, make_client, make_reward


def _client(bank):
    return make_client(bank).pk


def _reward(bank):
    return make_reward(bank).pk


def _redemption(bank):
    client = make_client(bank)
    earn(bank, client, 500)
    reward = make_reward(bank, cost=100)
    with bank.scope():
        return services.redemption_create(user=bank.rm, client=client, reward=reward).pk


def _adjustment(bank):
    client = make_client(bank)
    with bank.scope():
        return services.points_adjust(
            user=bank.admin, client=client, points=50_000, reason="walk"
        ).pk


TARGETS = {
    "client-points": lambda bank: {"client_id": _client(bank)},
    "reward-detail": lambda bank: {"pk": _reward(bank)},
    "redemption-detail": lambda bank: {"pk": _redemption(bank)},
    "pointsadjustment-detail": lambda bank: {"pk": _adjustment(bank)},
    "pointsadjustment-approve": lambda bank: {"pk": _adjustment(bank)},
    "pointsadjustment-reject": lambda bank: {"pk": _adjustment(bank)},
    "loyalty:reward_edit": lambda bank: {"reward_id": _reward(bank)},
    "loyalty:reward_redeem": lambda bank: {"reward_id": _reward(bank)},
    "loyalty:points_approve": lambda bank: {"adjustment_id": _adjustment(bank)},
    "loyalty:points_reject": lambda bank: {"adjustment_id": _adjustment(bank)},
    "loyalty:points_adjust": lambda bank: {"client_id": _client(bank)},
}

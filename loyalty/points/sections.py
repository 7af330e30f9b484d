"""The client 360° points section (registered in ``LoyaltyConfig.ready``):
balance, the newest entries, pending adjustments and, for admins, the adjust
form; the rewards the client may redeem for its managers. A fixed number of
queries whatever the ledger's size."""

from __future__ import annotations

from tenancy.timezones import user_zone

from . import policy, selectors

SECTION_ENTRIES = 10


def client_points_context(request, client) -> dict:
    from ..forms_points import AdjustForm, RedeemForm

    user = request.user
    summary = selectors.points_summary(
        user=user, client=client, limit=SECTION_ENTRIES, with_pending=False
    )
    may_redeem = policy.can_redeem(user, client)
    rewards = []
    if may_redeem:
        rewards = list(selectors.reward_list(user=user, active_only=True).filter(stock__gt=0))
    return {
        "client": client,
        "tz": user_zone(user),
        "balance": summary.balance,
        "entries": summary.entries,
        "may_adjust": policy.can_adjust(user),
        "adjust_form": AdjustForm(auto_id="points_%s") if policy.can_adjust(user) else None,
        "may_redeem": may_redeem,
        "redeem_form": (
            RedeemForm(rewards=rewards, auto_id="redeem_%s") if may_redeem and rewards else None
        ),
    }

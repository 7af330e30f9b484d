"""The client 360° points section (registered in ``LoyaltyConfig.ready``):
balance, the newest entries, pending adjustments and, for admins, the adjust
form; for its managers a link to redeem from the catalogue. One query for
the points whatever the ledger's size (the 360° page's budget)."""

from __future__ import annotations

from tenancy.timezones import user_zone

from . import policy, selectors

SECTION_ENTRIES = 10


def client_points_context(request, client) -> dict:
    from ..forms_points import AdjustForm

    user = request.user
    summary = selectors.points_summary(
        user=user, client=client, limit=SECTION_ENTRIES, with_pending=False
    )
    return {
        "client": client,
        "tz": user_zone(user),
        "balance": summary.balance,
        "entries": summary.entries,
        "may_adjust": policy.can_adjust(user),
        "adjust_form": AdjustForm(auto_id="points_%s") if policy.can_adjust(user) else None,
        "may_redeem": policy.can_redeem(user, client),
    }

"""Every read of points and rewards, built on the access policy
(``clients.access``): a client's points are read by whoever sees the client,
redemptions only for visible clients, the liability report by admins and
compliance only. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from clients.access import RANKED_TIERS, Tier, client_rows, is_staff_in_scope
from tenancy.shortcuts import get_or_404

from ..models import PointsAccount, PointsAdjustmentRequest, PointsEntry, Redemption, Reward
from . import policy
from .configuration import points_settings

RECENT_ENTRIES = 20


def points_balance(*, client) -> int:
    """The balance of a client already checked by ``client_get`` (0 without an account)."""
    value = PointsAccount.objects.filter(client=client).values_list("balance", flat=True).first()
    return int(value or 0)


def points_entries(*, user, client) -> QuerySet[PointsEntry]:
    """The ledger of a client already checked by ``client_get``, newest first."""
    return client_rows(PointsEntry.objects.all(), user=user, client=client).order_by(
        "-created_at", "-id"
    )


@dataclass
class PointsSummary:
    balance: int
    entries: list
    pending: list


def points_summary(
    *, user, client, limit: int = RECENT_ENTRIES, with_pending: bool = True
) -> PointsSummary:
    """Balance and the newest ``limit`` entries of a checked client in one
    query (the balance rides on the entries; no entry means a zero balance),
    plus, for admins and ``with_pending``, the pending adjustments."""
    balance = Subquery(
        PointsAccount.objects.filter(client_id=OuterRef("client_id")).values("balance")[:1]
    )
    entries = list(
        points_entries(user=user, client=client).annotate(account_balance=balance)[:limit]
    )
    pending = []
    if with_pending and policy.can_adjust(user):
        pending = list(
            PointsAdjustmentRequest.objects.filter(
                client=client, status=PointsAdjustmentRequest.Status.PENDING
            ).select_related("requested_by")[:10]
        )
    return PointsSummary(
        balance=int(entries[0].account_balance or 0) if entries else 0,
        entries=entries,
        pending=pending,
    )


# --- rewards ---------------------------------------------------------------------------------


def reward_list(*, user, active_only: bool = False) -> QuerySet[Reward]:
    """The tenant's catalogue, for its staff (not client data: every role reads it)."""
    if not is_staff_in_scope(user):
        return Reward.objects.none()
    qs = Reward.objects.all().order_by("points_cost", "name", "id")
    return qs.filter(active=True) if active_only else qs


def reward_get(*, user, reward_id) -> Reward:
    return get_or_404(reward_list(user=user), reward_id)


def redemption_list(*, user) -> QuerySet[Redemption]:
    """Redemptions of the clients ``user`` sees, newest first."""
    qs = Redemption.objects.select_related("client", "reward", "created_by").order_by(
        "-created_at", "-id"
    )
    return client_rows(qs, user=user)


def redemption_get(*, user, redemption_id) -> Redemption:
    return get_or_404(redemption_list(user=user), redemption_id)


# --- four-eyes -----------------------------------------------------------------------------


def adjustment_list(*, user, status: str | None = None) -> QuerySet[PointsAdjustmentRequest]:
    """Adjustment requests: admins see the tenant's (they are the deciders);
    everyone else sees none."""
    if not is_staff_in_scope(user) or not policy.can_adjust(user):
        return PointsAdjustmentRequest.objects.none()
    qs = PointsAdjustmentRequest.objects.select_related(
        "client", "requested_by", "decided_by"
    ).order_by("-requested_at", "-id")
    return qs.filter(status=status) if status else qs


def adjustment_get(*, user, adjustment_id) -> PointsAdjustmentRequest:
    return get_or_404(adjustment_list(user=user), adjustment_id)


# --- points liability (finance) ------------------------------------------------------------


@dataclass
class LiabilityRow:
    branch_id: int | None
    branch_name: str
    tier: str
    tier_label: str
    clients: int
    points: int
    value: Decimal


@dataclass
class Liability:
    rows: list[LiabilityRow]
    total_points: int
    total_value: Decimal
    value_per_point: Decimal
    clients: int


def points_liability(*, user) -> Liability:
    """Outstanding points × the tenant's value per point, by branch and tier:
    one aggregate over the balance rows (plus the settings read). Admins and
    compliance only (the views check the role; others get an empty report)."""
    value_per_point = points_settings().value_per_point
    rows: list[LiabilityRow] = []
    if is_staff_in_scope(user) and policy.can_read_liability(user):
        tiers = dict(Tier.choices)
        order = {t: i for i, t in enumerate((*RANKED_TIERS, Tier.STANDARD))}
        grouped = (
            PointsAccount.objects.filter(balance__gt=0)
            .values("client__branch_id", "client__branch__name", "client__tier")
            .annotate(points=Sum("balance"), clients=Count("id"))
            .order_by()
        )
        for g in grouped:
            points = int(g["points"] or 0)
            rows.append(
                LiabilityRow(
                    branch_id=g["client__branch_id"],
                    branch_name=g["client__branch__name"] or "",
                    tier=g["client__tier"],
                    tier_label=str(tiers.get(g["client__tier"], g["client__tier"])),
                    clients=g["clients"],
                    points=points,
                    value=(value_per_point * points).quantize(Decimal("0.01")),
                )
            )
        rows.sort(key=lambda r: (r.branch_name, order.get(r.tier, 99)))
    total_points = sum(r.points for r in rows)
    return Liability(
        rows=rows,
        total_points=total_points,
        total_value=(value_per_point * total_points).quantize(Decimal("0.01")),
        value_per_point=value_per_point,
        clients=sum(r.clients for r in rows),
    )

"""Connected groups: the exposure of households and corporate groups, their
group limits and the connected-group cap.

Both kinds of ``clients.RelationshipGroup`` count as connected for
concentration: a household's members borrow against one family's means as a
corporate group's against one owner's. A group's exposure is the sum of
``Client.exposure`` (CNY) over **all** its members — the cap is about the
bank's total exposure, so members a user cannot see still count — and its
limit is the newest unexpired group ``CreditLimit`` in CNY. A user sees a
group only through a client they see (``clients.access``); member names are
listed for the visible members only, the others are a count.

The sum is kept on the group (``RelationshipGroup.exposure``, by triggers:
clients migration 0114), so every read here — the desk, the 360° section, the
what-if, the scan — takes it from there. Each runs a fixed number of queries:
the groups with their member counts, the current limits one more, the visible
member names one more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from clients.access import sees_whole_bank, tenant_clients, visible_clients
from clients.models import RelationshipGroup
from clients.selectors import group_list
from tenancy.shortcuts import get_or_404

from . import rules
from .models import CreditLimit
from .scale import risk_settings

CENT = Decimal("0.01")


# --- set-based reads ---------------------------------------------------------------------


def _member_groups(clients: QuerySet) -> QuerySet:
    """Ids of the groups with a member among ``clients`` (a subquery)."""
    return clients.filter(group_memberships__isnull=False).values("group_memberships__group_id")


def _totals(group_ids) -> QuerySet:
    """Per group: name, kind, the exposure of all its members (the sum the
    triggers keep on ``RelationshipGroup.exposure``) and their number (one
    query; ``group_ids`` is a list or a subquery)."""
    return (
        RelationshipGroup.objects.filter(pk__in=group_ids)
        .annotate(members=Count("memberships"))
        .values("members", gid=F("pk"), gname=F("name"), gkind=F("kind"), total=F("exposure"))
        .order_by()
    )


def current_group_limits(*, group_ids=None, today: date | None = None) -> QuerySet[CreditLimit]:
    """The newest unexpired limit of each group (of ``group_ids``, or every
    group of the tenant): newer unexpired limits of the same group supersede."""
    today = today or timezone.localdate()
    newer = CreditLimit.objects.filter(group_id=OuterRef("group_id"), expires_on__gte=today).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    qs = CreditLimit.objects.filter(group__isnull=False, expires_on__gte=today).filter(
        ~Exists(newer)
    )
    if group_ids is not None:
        qs = qs.filter(group_id__in=group_ids)
    return qs.order_by()


def _limits_by_group(group_ids, today=None) -> dict[int, CreditLimit]:
    return {row.group_id: row for row in current_group_limits(group_ids=group_ids, today=today)}


def _limit_cny(row: CreditLimit | None) -> Decimal | None:
    return rules.to_base(row.amount, row.currency) if row else None


@dataclass
class GroupRow:
    """One group of the tenant for background scans (``group_exposure_rows``)."""

    group_id: int
    name: str
    kind: str
    exposure: Decimal
    limit: Decimal | None  # CNY, the newest unexpired group limit
    limit_id: int | None
    member_ids: list[int] = field(default_factory=list)


def group_exposure_rows(*, group_ids=None, today: date | None = None) -> list[GroupRow]:
    """Every group of the tenant in scope with members (or those of
    ``group_ids``): exposure over all members, current limit in CNY, member
    client ids. For the periodic scan (acts for the bank, not a person): three
    queries whatever the size — sums, limits, memberships."""
    clients = tenant_clients()
    ids = _member_groups(clients) if group_ids is None else list(group_ids)
    totals = list(_totals(ids))
    limits = _limits_by_group(ids, today)
    members = defaultdict(list)
    for gid, cid in (
        clients.filter(group_memberships__group_id__in=ids)
        .values_list("group_memberships__group_id", "pk")
        .order_by("group_memberships__group_id", "pk")
    ):
        members[gid].append(cid)
    return [
        GroupRow(
            group_id=t["gid"],
            name=t["gname"],
            kind=t["gkind"],
            exposure=(t["total"] or Decimal("0")).quantize(CENT),
            limit=_limit_cny(limits.get(t["gid"])),
            limit_id=limits[t["gid"]].pk if t["gid"] in limits else None,
            member_ids=members[t["gid"]],
        )
        for t in sorted(totals, key=lambda t: t["gid"])
    ]


# --- what a user sees --------------------------------------------------------------------


@dataclass
class GroupExposure:
    id: int
    name: str
    kind: str
    exposure: Decimal
    members: int
    limit: Decimal | None
    utilisation: Decimal | None
    share_of_tier1: Decimal | None
    breaches: list
    visible_members: list = field(default_factory=list)  # [{"id", "name"}]

    @property
    def hidden_members(self) -> int:
        return max(self.members - len(self.visible_members), 0)

    @property
    def kind_label(self) -> str:
        return RelationshipGroup.Kind(self.kind).label

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "exposure": self.exposure,
            "limit": self.limit,
            "utilisation": self.utilisation,
            "share_of_tier1": self.share_of_tier1,
            "breaches": [b.code for b in self.breaches],
            "members": self.visible_members,
            "hidden_members": self.hidden_members,
        }


def _figures(totals, limits, settings, *, extra: Decimal = Decimal("0")) -> list[GroupExposure]:
    out = []
    for t in totals:
        exposure = (t["total"] or Decimal("0")).quantize(CENT) + extra
        limit = _limit_cny(limits.get(t["gid"]))
        out.append(
            GroupExposure(
                id=t["gid"],
                name=t["gname"],
                kind=t["gkind"],
                exposure=exposure,
                members=t["members"],
                limit=limit,
                utilisation=rules.ratio(exposure, limit),
                share_of_tier1=rules.ratio(exposure, settings.tier1_capital),
                breaches=rules.group_breaches(
                    exposure=exposure, limit=limit, settings=settings, group=t["gid"]
                ),
            )
        )
    return out


def client_groups(
    *, user, client, extra: Decimal = Decimal("0"), names: bool = True
) -> list[GroupExposure]:
    """The groups of a client ``user`` already sees (from ``client_get``), with
    the exposure of all members plus ``extra`` (a what-if loan), the group
    limit and the cap; ``names``: the members ``user`` sees. Three queries
    (two without names), whatever the number of groups and members."""
    settings = risk_settings()
    ids = tenant_clients().filter(pk=client.pk).values("group_memberships__group_id")
    totals = sorted(_totals(ids), key=lambda t: (t["gname"], t["gid"]))
    if not totals:
        return []
    group_ids = [t["gid"] for t in totals]
    rows = _figures(totals, _limits_by_group(group_ids), settings, extra=Decimal(extra))
    if names:
        seen = defaultdict(list)
        for m in (
            visible_clients(user)
            .filter(group_memberships__group_id__in=group_ids)
            .values("pk", "name", gid=F("group_memberships__group_id"))
            .order_by("name", "pk")
        ):
            seen[m["gid"]].append({"id": m["pk"], "name": m["name"]})
        for row in rows:
            row.visible_members = seen[row.id]
    return rows


def group_concentration(*, user, limit: int = 20) -> list[GroupExposure]:
    """The largest group exposures among the groups with a member ``user``
    sees, as a share of tier-1, flagged over the cap or the group limit (three
    queries: the groups, their member counts, their limits). The sums are
    ``RelationshipGroup.exposure``, which triggers keep equal to the sum over
    all members (clients migration 0114), read in order from the partial index
    ``relgroup_tenant_exposure`` — not a sum over every member of every group
    per request."""
    settings = risk_settings()
    groups = RelationshipGroup.objects.filter(exposure__gt=0)
    if not sees_whole_bank(user):
        groups = groups.filter(pk__in=_member_groups(visible_clients(user)))
    ids = list(groups.order_by("-exposure", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    rank = {gid: i for i, gid in enumerate(ids)}
    totals = sorted(_totals(ids), key=lambda t: rank[t["gid"]])
    return _figures(totals, _limits_by_group(ids), settings)


def limit_groups(*, user) -> QuerySet[RelationshipGroup]:
    """The groups a limit may be set on: of the tenant, with a member ``user`` sees."""
    return group_list(user=user).filter(pk__in=_member_groups(visible_clients(user)))


def group_for_limit(*, user, group_id) -> RelationshipGroup:
    """One of ``limit_groups`` (404 for a foreign, invisible or empty group alike)."""
    return get_or_404(limit_groups(user=user), group_id)

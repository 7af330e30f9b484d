"""Reads of client data. Every function starts from the access policy
(``clients.access.visible_clients``): an invisible or foreign client is a 404."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from clients.access import (
    client_rows,
    managed_by_q,
    subtree_q,
    tenant_clients,
    tier_rank,
    visible_clients,
)
from tenancy import directory
from tenancy import selectors as tenancy_selectors
from tenancy.models import Role, User, full_name
from tenancy.shortcuts import get_or_404

from ..models import (
    Client,
    ClientNameGram,
    ContactPerson,
    CoverageChange,
    CoverageTeamMember,
    GroupMembership,
    LifeEvent,
    RelationshipGroup,
)

CENT = Decimal("0.01")
PII_DEFERRED = ("national_id", "phone", "email", "address")
# the same, for rows that reach their client through a ``client`` foreign key
CLIENT_PII_DEFERRED = tuple(f"client__{f}" for f in PII_DEFERRED)


ORDERINGS: dict[str, tuple] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "-aum": ("-aum", "id"),
    "aum": ("aum", "id"),
    "tier": (tier_rank().asc(), "-aum", "id"),
    "-last_contacted": (F("last_contacted_at").desc(nulls_last=True), "id"),
    "last_contacted": (F("last_contacted_at").asc(nulls_first=True), "id"),
    "external_id": ("external_id",),
}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def name_grams(term: str) -> set[str]:
    """The pieces of ``term`` a name must contain (clients/models/search.py):
    itself for one character, else every pair of neighbouring characters."""
    upper = term.upper()
    if len(upper) == 1:
        return {upper}
    return {upper[i : i + 2] for i in range(len(upper) - 1)}


def _name_candidates(term: str) -> QuerySet:
    """Ids of the clients whose name holds every piece of ``term`` — found
    by text equality, which row-level security lets PostgreSQL answer from
    the grams' primary key (``LIKE`` it would not: not leakproof)."""
    grams = name_grams(term)
    rows = ClientNameGram.objects.filter(gram__in=grams).values("client_id")
    if len(grams) > 1:
        rows = rows.annotate(pieces=Count("gram")).filter(pieces=len(grams)).values("client_id")
    return rows


def client_search_q(term: str) -> Q:
    """Name contains, core-banking id exact, or id number / phone / email exact
    through their blind indexes (the plaintext is never in the database).

    On PostgreSQL the match is read from indexes only: the candidates are the
    union of the name grams' clients and the exact matches, and the full
    condition is then checked on those few rows (so a pair of pieces that
    are in a name but not next to each other never matches). SQLite
    (``make demo``) has no grams and reads the condition as it is."""
    from ..services import pii_indexes

    term = term.strip()
    exact = Q(external_id=term)
    indexes = pii_indexes(
        national_id=term.upper(),
        phone=term if re.fullmatch(r"[+\d\s\-()]{6,}", term) else "",
        email=term if "@" in term else "",
    )
    for field in ("national_id_index", "phone_index", "email_index"):
        if indexes[field]:
            exact |= Q(**{field: indexes[field]})
    q = Q(name__icontains=term) | exact
    if connection.vendor != "postgresql":
        return q
    candidates = _name_candidates(term).union(
        tenant_clients().filter(exact).values("pk"), all=False
    )
    if len(term) <= 2:
        # one piece, or the one pair: holding it is containing the term
        return Q(pk__in=candidates)
    return Q(pk__in=candidates) & q


def client_list(
    *,
    user: User,
    search: str = "",
    tier: str | None = None,
    branch=None,
    manager=None,
    lifecycle: str | None = None,
    risk_tolerance: str | None = None,
    kind: str | None = None,
    ordering: str | None = None,
    with_pii: bool = False,
) -> QuerySet[Client]:
    """The clients ``user`` may see, filtered and sorted, for lists and the API.
    Personal data columns are deferred unless ``with_pii`` (pages' lists never
    show them; the API shows them masked)."""
    qs = visible_clients(user)
    if search and search.strip():
        qs = qs.filter(client_search_q(search))
    if tier in Client.Tier.values:
        qs = qs.filter(tier=tier)
    if lifecycle in Client.Lifecycle.values:
        qs = qs.filter(lifecycle=lifecycle)
    if risk_tolerance in Client.RiskTolerance.values:
        qs = qs.filter(risk_tolerance=risk_tolerance)
    if kind in Client.Kind.values:
        qs = qs.filter(kind=kind)
    if (branch_id := _int(getattr(branch, "pk", branch))) is not None:
        qs = qs.filter(branch_id=branch_id)
    if (manager_id := _int(getattr(manager, "pk", manager))) is not None:
        qs = qs.filter(managed_by_q(manager_id))
    order = ORDERINGS.get(ordering or "name", ORDERINGS["name"])
    qs = qs.select_related("branch", "dedicated_manager", "backup_manager").order_by(*order)
    return qs if with_pii else qs.defer(*PII_DEFERRED)


# the columns the client list page shows (clients/templatetags/client_list.py),
# in the order its rows read them: the page fetches these as tuples, not the
# client, its branch and its managers as model instances (fifty rows of three
# instances each were a fifth of the page, their markup another)
LIST_PAGE_FIELDS = (
    "id",
    "name",
    "kind",
    "external_id",
    "tier",
    "aum",
    "currency",
    "branch__name",
    "dedicated_manager_id",
    "dedicated_manager__username",
    "dedicated_manager__first_name",
    "dedicated_manager__last_name",
    "lifecycle",
    "risk_tolerance",
    "last_contacted_at",
)


def for_list_page(qs: QuerySet[Client]) -> QuerySet:
    """``client_list(...)`` narrowed to the list page's columns, as named tuples
    (``LIST_PAGE_FIELDS``), in the same order and through the same policy."""
    return qs.select_related(None).values_list(*LIST_PAGE_FIELDS, named=True)


# --- related rows (always through a visible client) ---------------------------------


def contact_list(*, user: User, client: Client | None = None) -> QuerySet[ContactPerson]:
    qs = client_rows(ContactPerson.objects.all(), user=user, client=client)
    return qs.select_related("client", "client__branch")


def contact_get(*, user: User, contact_id, client: Client | None = None) -> ContactPerson:
    return get_or_404(contact_list(user=user, client=client), contact_id)


def life_event_list(*, user: User, client: Client | None = None) -> QuerySet[LifeEvent]:
    qs = client_rows(LifeEvent.objects.all(), user=user, client=client)
    return qs.select_related("client", "client__branch").order_by("date", "id")


def life_event_get(*, user: User, event_id, client: Client | None = None) -> LifeEvent:
    return get_or_404(life_event_list(user=user, client=client), event_id)


def coverage_team(*, user: User, client: Client) -> QuerySet[CoverageTeamMember]:
    return client_rows(CoverageTeamMember.objects.all(), user=user, client=client).select_related(
        "user", "user__branch"
    )


def coverage_member_get(*, user: User, client: Client, member_id) -> CoverageTeamMember:
    return get_or_404(
        coverage_team(user=user, client=client).select_related("client", "client__branch"),
        member_id,
    )


def coverage_history(*, user: User, client: Client) -> QuerySet[CoverageChange]:
    return (
        client_rows(CoverageChange.objects.all(), user=user, client=client)
        .select_related("from_user", "to_user", "changed_by")
        .order_by("-changed_at", "-id")
    )


def assignable_managers(*, user: User) -> QuerySet[User]:
    """Active RMs ``user`` may assign: the bank's for admins, the subtree's for branch heads."""
    qs = tenancy_selectors.rm_list(user=user)
    if user.role == Role.BRANCH_HEAD:
        qs = qs.filter(subtree_q(user.branch)) if user.branch_id else qs.none()
    elif user.role != Role.ADMIN:
        qs = qs.none()
    return qs.select_related("branch").order_by("branch__path", "username")


def staff_choices(*, user: User) -> QuerySet[User]:
    """Active staff of the bank (coverage team candidates, filters)."""
    return tenancy_selectors.staff_list(user=user).filter(is_active=True)


def team_candidates(*, user: User) -> QuerySet[User]:
    """Staff ``user`` may share a client with: the bank's active staff for admins, the
    active staff of their branch subtree for branch heads (the assignment rule)."""
    qs = staff_choices(user=user)
    if user.role == Role.BRANCH_HEAD:
        return qs.filter(branch__path__startswith=user.branch.path) if user.branch_id else qs.none()
    if user.role != Role.ADMIN:
        return qs.none()
    return qs


def manager_choices(*, user: User) -> list[tuple[int, str]]:
    """``(id, name)`` of the tenant's RMs (departed ones too: their clients can
    still be found), by username, for the list's manager filter (kept per
    process while the tenant's directory is unchanged: tenancy.directory)."""

    def build():
        rows = (
            tenancy_selectors.staff_list(user=user)
            .filter(role=Role.RM)
            .select_related(None)
            .values_list("id", "username", "first_name", "last_name")
        )
        return [(pk, full_name(first, last) or username) for pk, username, first, last in rows]

    return directory.cached(user.tenant, "manager_choices", build)


# --- relationship groups ------------------------------------------------------------


def group_list(*, user: User) -> QuerySet[RelationshipGroup]:
    """Tenant-wide roles see every group; others the groups with a member they
    can see, and the empty groups they created."""
    qs = RelationshipGroup.objects.all()
    if user.role not in (Role.ADMIN, Role.RISK_OFFICER, Role.COMPLIANCE):
        member_of_visible = GroupMembership.objects.filter(
            client__in=visible_clients(user).values("pk")
        )
        qs = qs.filter(Q(pk__in=member_of_visible.values("group_id")) | Q(created_by=user))
    return qs.order_by("name", "id")


def group_get(*, user: User, group_id) -> RelationshipGroup:
    return get_or_404(group_list(user=user), group_id)


def group_members(*, user: User, group: RelationshipGroup) -> list[GroupMembership]:
    """The members ``user`` can see (hidden ones are counted by group_rollups)."""
    return list(
        GroupMembership.objects.filter(group=group, client__in=visible_clients(user).values("pk"))
        .select_related("client", "client__dedicated_manager", "client__branch")
        .defer(*CLIENT_PII_DEFERRED)
        .order_by("role", "client__name")
    )


def membership_get(*, user: User, group: RelationshipGroup, membership_id) -> GroupMembership:
    return get_or_404(
        GroupMembership.objects.filter(
            group=group, client__in=visible_clients(user).values("pk")
        ).select_related("client", "client__branch", "group"),
        membership_id,
    )


def group_rollups(*, user: User, group_ids) -> dict[int, dict[str, Any]]:
    """AUM and exposure summed over each group's members visible to ``user``
    (per currency), and how many members are hidden from them. Two queries."""
    group_ids = list(group_ids)
    out: dict[int, dict[str, Any]] = {
        gid: {"totals": [], "visible": 0, "members": 0, "hidden": 0} for gid in group_ids
    }
    if not group_ids:
        return out
    for row in (
        GroupMembership.objects.filter(group_id__in=group_ids)
        .values("group_id")
        .annotate(n=Count("id"))
    ):
        out[row["group_id"]]["members"] = row["n"]
    sums = defaultdict(list)
    rows = (
        visible_clients(user)
        .filter(group_memberships__group_id__in=group_ids)
        .values("group_memberships__group_id", "currency")
        .annotate(aum_sum=Sum("aum"), exposure_sum=Sum("exposure"), n=Count("id"))
        .order_by("group_memberships__group_id", "currency")
    )
    for row in rows:
        gid = row["group_memberships__group_id"]
        sums[gid].append(
            {
                "currency": row["currency"],
                # two places on every database (SQLite's SUM drops the scale)
                "aum": (row["aum_sum"] or Decimal("0")).quantize(CENT),
                "exposure": (row["exposure_sum"] or Decimal("0")).quantize(CENT),
            }
        )
        out[gid]["visible"] += row["n"]
    for gid, data in out.items():
        data["totals"] = sums.get(gid, [])
        data["hidden"] = max(data["members"] - data["visible"], 0)
    return out


def client_groups(*, user: User, client: Client) -> list[dict[str, Any]]:
    """The groups of a (visible) client with their roll-ups: three queries."""
    memberships = list(GroupMembership.objects.filter(client=client).select_related("group"))
    rollups = group_rollups(user=user, group_ids=[m.group_id for m in memberships])
    return [{"membership": m, "group": m.group, **rollups[m.group_id]} for m in memberships]

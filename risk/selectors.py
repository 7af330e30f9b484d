"""Risk reads, all starting from the clients access policy: rows of visible
clients (``client_rows``), or of one client already checked by
``client_get``. Each function runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clients.access import client_rows, visible_clients
from clients.selectors import CLIENT_PII_DEFERRED, PII_DEFERRED
from clients.selectors.portfolio import client_loans as loan_holdings
from tenancy.models import Role
from tenancy.selectors import staff_list
from tenancy.shortcuts import get_or_404

from . import groups, rules, watchlist
from .models import (
    SEVERITY_ORDER,
    Classification,
    ClientClassification,
    ClientRating,
    Collateral,
    CreditLimit,
    RiskAlert,
    RiskAssessment,
)
from .scale import risk_settings

to_base = rules.to_base


# --- assessments ---------------------------------------------------------------------------


def assessment_list(*, user, client=None) -> QuerySet[RiskAssessment]:
    qs = RiskAssessment.objects.select_related(
        "client", "client__branch", "author", "approved_by", "rejected_by"
    ).defer(*CLIENT_PII_DEFERRED)  # names only: no decryption
    return client_rows(qs, user=user, client=client)


def assessment_get(*, user, assessment_id) -> RiskAssessment:
    return get_or_404(assessment_list(user=user), assessment_id)


def current_rating(*, client) -> ClientRating | None:
    return ClientRating.objects.filter(client=client).first()


def client_assessments(*, user, client, limit: int = 10) -> tuple[list, list]:
    """The 360° section's two lists for a client from ``client_get``: its
    rating history and its open drafts and submissions,
    newest first. Only the people they show are joined — not the client and
    its branch again, nor the rejecter — and each row's client is the one
    given: planning the six-table join was most of each query's time.

    The history is every approval, newest first: who proposed, who approved,
    when, overrides marked; the newest is the current rating."""
    base = client_rows(RiskAssessment.objects.all(), user=user, client=client)
    history = list(
        base.filter(status=RiskAssessment.Status.APPROVED)
        .select_related("author", "approved_by")
        .order_by("-approved_at", "-pk")[:limit]
    )
    open_rows = list(
        base.filter(status__in=[RiskAssessment.Status.DRAFT, RiskAssessment.Status.SUBMITTED])
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )
    for row in (*history, *open_rows):
        row.client = client
    return history, open_rows


# What the desk's and My day's short lists show of an assessment (and of its
# client, author and deciders): not the snapshot, rationale or contact fields.
_PEOPLE = ("author", "approved_by", "rejected_by")
LIST_FIELDS = (
    "id",
    "client",
    "client__name",
    "client__branch",
    "client__branch__name",
    "status",
    "composite",
    "scale_rating",
    "rating_override",
    "override_reason",
    "rating",
    "submitted_at",
    "approved_at",
    "rejected_at",
    "rejection_reason",
    "next_review_at",
    "updated_at",
    *_PEOPLE,
)


def assessment_rows(*, user) -> QuerySet[RiskAssessment]:
    """``assessment_list`` for the short lists (queue, decisions, the author's
    own): the fields they show, and visibility tested on each row's client
    (``client_rows(join=True)``): they are read in an index order and cut short.
    The people are not joined (three joins more to plan for each list): give
    the lists to ``with_people``."""
    qs = RiskAssessment.objects.select_related("client__branch").only(*LIST_FIELDS)
    return client_rows(qs, user=user, join=True)


def with_people(*lists: list[RiskAssessment], user) -> None:
    """Attach author, approver and rejecter to the assessments of ``lists``
    (from ``assessment_rows`` for ``user``): one query for all of them, names only."""
    ids = {getattr(a, f"{p}_id") for rows in lists for a in rows for p in _PEOPLE}
    ids.discard(None)
    people = (
        {
            u.pk: u
            for u in staff_list(user=user)
            .select_related(None)
            .order_by()
            .filter(pk__in=ids)
            .only("id", "username", "first_name", "last_name")
        }
        if ids
        else {}
    )
    for rows in lists:
        for a in rows:
            for p in _PEOPLE:
                person = people.get(getattr(a, f"{p}_id"))
                if person is not None:  # (one missing is read when shown)
                    setattr(a, p, person)


def approval_queue(*, user) -> QuerySet[RiskAssessment]:
    """Submitted assessments ``user`` may decide: risk officers every visible
    client's, branch heads their subtree's (their visible clients); never their own."""
    qs = assessment_rows(user=user).filter(status=RiskAssessment.Status.SUBMITTED)
    if user.role not in (Role.RISK_OFFICER, Role.BRANCH_HEAD):
        return qs.none()
    return qs.exclude(author_id=user.pk).order_by("submitted_at", "pk")


def recent_decisions(*, user, days: int = 30) -> QuerySet[RiskAssessment]:
    since = timezone.now() - timedelta(days=days)
    return (
        assessment_rows(user=user)
        .filter(
            Q(status=RiskAssessment.Status.APPROVED, approved_at__gte=since)
            | Q(status=RiskAssessment.Status.REJECTED, rejected_at__gte=since)
        )
        .order_by("-updated_at", "-pk")
    )


def my_assessments(*, user, days: int = 30) -> QuerySet[RiskAssessment]:
    """The author's open assessments and the outcome of those decided lately
    (how the author learns of the decision)."""
    since = timezone.now() - timedelta(days=days)
    return (
        assessment_rows(user=user)
        .filter(author=user)
        .filter(
            Q(status__in=[RiskAssessment.Status.DRAFT, RiskAssessment.Status.SUBMITTED])
            | Q(updated_at__gte=since)
        )
        .order_by("-updated_at", "-pk")
    )


# --- collateral and limits -----------------------------------------------------------------


def collateral_list(*, user, client=None) -> QuerySet[Collateral]:
    return client_rows(Collateral.objects.select_related("client"), user=user, client=client)


def collateral_get(*, user, collateral_id) -> Collateral:
    qs = collateral_list(user=user).select_related("client__branch")
    return get_or_404(qs, collateral_id)


def credit_limit_list(*, user, client=None, group=None) -> QuerySet[CreditLimit]:
    """Limits of visible clients and of groups with a visible member; with
    ``client`` (from ``client_get``) that client's limits only."""
    qs = CreditLimit.objects.select_related("client", "group")
    if client is not None:
        return client_rows(qs, user=user, client=client)
    visible = visible_clients(user)
    qs = qs.filter(
        Q(client__in=visible.values("pk"))
        | Q(
            group_id__in=visible.filter(group_memberships__isnull=False).values(
                "group_memberships__group_id"
            )
        )
    )
    return qs if group is None else qs.filter(group=group)


def credit_limit_current(*, user, client) -> CreditLimit | None:
    """The newest credit limit of the client that has not expired."""
    today = timezone.localdate()
    return (
        credit_limit_list(user=user, client=client)
        .filter(expires_on__gte=today)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- classification ------------------------------------------------------------------------


def client_loans(*, user, client, request=None) -> list[rules.Loan]:
    """The client's loan holdings with their days past due (one query; none
    on the 360° page, which has the holdings already)."""
    holdings = loan_holdings(user=user, client=client, request=request)
    return [
        rules.Loan(key=h.pk, balance=to_base(h.balance, h.currency), days_past_due=h.days_past_due)
        for h in holdings
    ]


def client_classification(*, user, client, request=None) -> dict:
    """The floor from days past due (with contagion), the classification staff
    set (or the floor when none, or when the floor has since become worse)."""
    floor = rules.classification_floor(client_loans(user=user, client=client, request=request))
    row = ClientClassification.objects.filter(client=client).select_related("set_by").first()
    chosen = row.classification if row else floor.classification
    effective = rules.worst(chosen, floor.classification)
    return {
        "classification": effective,
        "label": Classification(effective).label,
        "floor_label": Classification(floor.classification).label,
        "floor": floor.classification,
        "contagion": floor.contagion,
        "non_performing_amount": floor.non_performing_amount,
        "set": row,
    }


# --- exposure ------------------------------------------------------------------------------


@dataclass
class Exposure:
    exposure: Decimal
    limit: Decimal | None
    utilisation: Decimal | None
    lendable_collateral: Decimal
    coverage_ratio: Decimal | None
    classification: dict
    share_of_tier1: Decimal | None
    large_exposure: bool
    breaches: list
    open_alerts: int = 0
    watch_list: bool = False
    groups: list = field(default_factory=list)  # risk.groups.GroupExposure

    def as_api(self) -> dict:
        return {
            "currency": "CNY",
            "exposure": self.exposure,
            "limit": self.limit,
            "utilisation": self.utilisation,
            "lendable_collateral": self.lendable_collateral,
            "coverage_ratio": self.coverage_ratio,
            "classification": self.classification["classification"],
            "classification_floor": self.classification["floor"],
            "watch_list": self.watch_list,
            "open_alerts": self.open_alerts,
            "share_of_tier1": self.share_of_tier1,
            "large_exposure": self.large_exposure,
            "breaches": [b.code for b in self.breaches],
            "groups": [g.as_api() for g in self.groups],
        }


def lendable_collateral(*, user, client, rows=None) -> Decimal:
    rows = collateral_list(user=user, client=client) if rows is None else rows
    return sum((to_base(c.lendable_value, c.currency) for c in rows), Decimal("0.00"))


def client_exposure(
    *, user, client, collaterals=None, alerts=None, request=None, on_watch_list: bool | None = None
) -> Exposure:
    """Exposure (the client's loans in CNY) against its limit, collateral and the
    caps. ``alerts`` (the client's current alerts) and ``on_watch_list`` when the
    caller has them already (the 360° section)."""
    settings = risk_settings()
    exposure = Decimal(client.exposure)
    limit_row = credit_limit_current(user=user, client=client)
    limit = to_base(limit_row.amount, limit_row.currency) if limit_row else None
    lendable = lendable_collateral(user=user, client=client, rows=collaterals)
    return Exposure(
        exposure=exposure,
        limit=limit,
        utilisation=rules.ratio(exposure, limit),
        lendable_collateral=lendable,
        coverage_ratio=rules.ratio(lendable, exposure),
        classification=client_classification(user=user, client=client, request=request),
        share_of_tier1=rules.ratio(exposure, settings.tier1_capital),
        large_exposure=rules.is_large_exposure(exposure=exposure, settings=settings),
        breaches=rules.breaches(exposure=exposure, limit=limit, settings=settings),
        open_alerts=(
            len(alerts) if alerts is not None else client_alerts(user=user, client=client).count()
        ),
        watch_list=(watchlist.is_on_watch_list(client) if on_watch_list is None else on_watch_list),
        groups=groups.client_groups(user=user, client=client),
    )


def what_if(*, user, client, amount: Decimal) -> dict:
    """Would a new loan of ``amount`` (CNY) breach the credit limit or a capital
    cap? The loan also adds to each of the client's groups: their limits and
    the connected-group cap are checked too (``group`` names the group)."""
    settings = risk_settings()
    limit_row = credit_limit_current(user=user, client=client)
    limit = to_base(limit_row.amount, limit_row.currency) if limit_row else None
    after = Decimal(client.exposure) + Decimal(amount)
    found = rules.breaches(exposure=after, limit=limit, settings=settings)
    names = {}
    for g in groups.client_groups(user=user, client=client, extra=Decimal(amount), names=False):
        names[g.id] = g.name
        found += g.breaches
    return {
        "amount": Decimal(amount),
        "exposure_before": Decimal(client.exposure),
        "exposure_after": after,
        "limit": limit,
        "breaches": [
            {"code": b.code, "limit": b.limit, "excess": b.excess}
            | ({} if b.group is None else {"group": b.group, "group_name": names[b.group]})
            for b in found
        ],
        "large_exposure": rules.is_large_exposure(exposure=after, settings=settings),
        "ok": not found,
    }


def concentration(*, user, limit: int = 20) -> list[dict]:
    """The largest exposures among the user's visible clients, as a share of tier-1."""
    settings = risk_settings()
    rows = list(
        visible_clients(user)
        .filter(exposure__gt=0)
        .select_related("branch")
        .defer(*PII_DEFERRED)
        .order_by("-exposure", "pk")[:limit]
    )
    return [
        {
            "client": c,
            "exposure": c.exposure,
            "share_of_tier1": rules.ratio(c.exposure, settings.tier1_capital),
            "large_exposure": rules.is_large_exposure(exposure=c.exposure, settings=settings),
            "breaches": [
                b.code for b in rules.breaches(exposure=c.exposure, limit=None, settings=settings)
            ],
        }
        for c in rows
    ]


# --- alerts ----------------------------------------------------------------------------------


def alert_list(
    *, user, client=None, status=None, severity=None, kind=None, join: bool = False
) -> QuerySet[RiskAlert]:
    """Alerts of the clients the user sees, most severe and newest first;
    ``status="current"`` = open or acknowledged. ``join``: visibility on each
    row's client (``client_rows(join=True)``), for the desk's first ten."""
    qs = (
        client_rows(RiskAlert.objects.all(), user=user, client=client, join=join)
        .select_related("client", "acknowledged_by", "resolved_by")
        .defer(*CLIENT_PII_DEFERRED)  # names only: no decryption
    )
    if status == "current":
        qs = qs.exclude(status=RiskAlert.Status.RESOLVED)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-severity_rank", "-raised_at", "-pk")


def desk_alerts(*, user, limit: int = 10) -> list[RiskAlert]:
    """The desk's most severe current alerts: read down the partial index
    ``riskalert_current_rank`` with visibility on each row's client; the rows
    show the client's name but not who acknowledged or resolved (not joined)."""
    qs = alert_list(user=user, status="current", join=True)
    return list(qs.select_related(None).select_related("client")[:limit])


def alert_get(*, user, alert_id) -> RiskAlert:
    return get_or_404(alert_list(user=user), alert_id)


def client_alerts(*, user, client) -> QuerySet[RiskAlert]:
    """The open and acknowledged alerts of a client from ``client_get`` (at
    most one per kind, so never more than ``len(AlertKind)``)."""
    return alert_list(user=user, client=client, status="current")


def alert_counts(*, user) -> dict[str, int]:
    """Open and acknowledged alerts of the visible clients by severity (one query)."""
    row = (
        client_rows(RiskAlert.objects.all(), user=user)
        .exclude(status=RiskAlert.Status.RESOLVED)
        .aggregate(
            **{sev: Count("pk", filter=Q(severity=sev)) for sev in SEVERITY_ORDER},
            acknowledged=Count("pk", filter=Q(status=RiskAlert.Status.ACKNOWLEDGED)),
        )
    )
    row["total"] = sum(row[sev] for sev in SEVERITY_ORDER)
    return row


def alert_members(*, user, alert: RiskAlert) -> dict:
    """The other clients on a guarantee circle: those the user sees by name,
    the rest only counted (one query; none for other kinds)."""
    ids = [i for i in (alert.detail or {}).get("members", []) if i != alert.client_id]
    if not ids:
        return {"visible": [], "hidden": 0}
    seen = list(visible_clients(user).filter(pk__in=ids).order_by("name", "pk"))
    return {"visible": seen, "hidden": len(set(ids)) - len(seen)}


def group_concentration(*, user, limit: int = 20) -> list:
    """The desk's "Groups" table: the largest group exposures among the groups
    with a member the user sees (``risk.groups``; two queries)."""
    return groups.group_concentration(user=user, limit=limit)

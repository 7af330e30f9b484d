"""The clients behind a number: each drill-down is one queryset over rows of
the clients the viewer may see (``clients.access``), narrowed to the
subject's attribution (an RM's clients, a branch subtree's, the tenant's)
— so a number a branch head may read never opens a client outside their
subtree. Follow-up notes made from a confidential call report stay behind
the ethical wall (``communications.policy.followup_note_hidden``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from clients.access import client_rows, visible_clients
from clients.models import Holding
from clients.selectors.portfolio import base_currency
from communications.models import FollowUp
from communications.policy import followup_note_hidden
from communications.selectors import comm_settings_get, revisit_overdue_q
from loyalty.models import SurveyKind, SurveyResponse
from risk.models import ClientRating
from tenancy.models import Branch

from . import periods
from .measures import MONEY, followups_overdue_q, revenue_days, revenue_rate_case
from .models import KeyClientBase, Scope


@dataclass(frozen=True)
class Drill:
    key: str
    title: object
    measure: str  # the measure of the snapshot the number comes from


DRILLS = {
    d.key: d
    for d in (
        Drill("detractors", _("Detractors"), "nps"),
        Drill("lost_clients", _("Lost key clients"), "key_clients_lost"),
        Drill("top_revenue", _("Top revenue"), "revenue"),
        Drill("reviews_overdue", _("Overdue rating reviews"), "reviews_overdue"),
        Drill("followups_overdue", _("Overdue follow-ups"), "followups_overdue"),
        Drill(
            "not_contacted",
            _("Key clients not contacted within their cadence"),
            "contacted_within_cadence_pct",
        ),
    )
}


def _subtree_ids(branch_id: int) -> list[int]:
    """The branch and its sub-branches, read first (one small query) so the
    planner sees a literal list rather than a subquery it cannot estimate."""
    path = Branch.objects.filter(pk=branch_id).values_list("path", flat=True).first()
    if path is None:
        return []
    return list(Branch.objects.filter(path__startswith=path).values_list("pk", flat=True))


def attribution_q(scope: str, subject_id: int, *, manager: str, branch: str) -> Q:
    """The rows of the subject: ``manager`` / ``branch`` name the fields that
    carry the RM and the branch (e.g. ``client__dedicated_manager_id``)."""
    if scope == Scope.RM:
        return Q(**{manager: subject_id})
    if scope == Scope.BRANCH:
        return Q(**{f"{branch}__in": _subtree_ids(subject_id)})
    return Q()


def _as_of(period: str, now: datetime) -> datetime:
    _start, end = periods.bounds(period)
    return min(now, end)


def detractors(*, user, scope, subject_id, period, now) -> QuerySet:
    start, end = periods.bounds(period)
    qs = SurveyResponse.objects.filter(
        attribution_q(scope, subject_id, manager="manager_id", branch="branch_id"),
        kind=SurveyKind.NPS,
        score__lte=6,
        answered_at__gte=start,
        answered_at__lt=end,
    )
    return (
        client_rows(qs, user=user)
        .select_related("client")
        .only("id", "score", "comment", "answered_at", "client__id", "client__name")
        .order_by("score", "-answered_at", "-id")
    )


def lost_clients(*, user, scope, subject_id, period, now) -> QuerySet:
    qs = KeyClientBase.objects.filter(
        attribution_q(scope, subject_id, manager="manager_id", branch="branch_id"),
        period=period,
    ).exclude(client__lifecycle="active", client__dedicated_manager__isnull=False)
    return (
        client_rows(qs, user=user)
        .select_related("client")
        .only("id", "client__id", "client__name", "client__lifecycle", "client__aum")
        .order_by("-client__aum", "client_id")
    )


def top_revenue(*, user, scope, subject_id, period, now, rates) -> QuerySet:
    start, _end = periods.bounds(period)
    days = revenue_days(start, _as_of(period, now))
    revenue = (
        Holding.objects.filter(client_id=OuterRef("pk"))
        .order_by()
        .values("client_id")
        .annotate(
            r=Sum(base_currency("balance") * revenue_rate_case(rates, days), output_field=MONEY)
        )
        .values("r")
    )
    return (
        visible_clients(user)
        .filter(
            attribution_q(scope, subject_id, manager="dedicated_manager_id", branch="branch_id"),
            lifecycle__in=("active", "dormant"),
        )
        .annotate(revenue=Coalesce(Subquery(revenue, output_field=MONEY), 0, output_field=MONEY))
        .only("id", "name", "aum", "tier")
        .order_by(F("revenue").desc(), "id")
    )


def reviews_overdue(*, user, scope, subject_id, period, now) -> QuerySet:
    day = _as_of(period, now).date()
    clients = visible_clients(user).filter(
        attribution_q(scope, subject_id, manager="dedicated_manager_id", branch="branch_id"),
        lifecycle="active",
    )
    return (
        ClientRating.objects.filter(client__in=clients.values("pk"), next_review_at__lt=day)
        .select_related("client")
        .only("id", "rating", "next_review_at", "client__id", "client__name")
        .order_by("next_review_at", "id")
    )


def followups_overdue(*, user, scope, subject_id, period, now) -> QuerySet:
    clients = visible_clients(user)
    rows = FollowUp.objects.filter(followups_overdue_q(_as_of(period, now)))
    if scope == Scope.RM:
        rows = rows.filter(assignee_id=subject_id)
    elif scope == Scope.BRANCH:
        clients = clients.filter(branch_id__in=_subtree_ids(subject_id))
    return (
        rows.filter(client__in=clients.values("pk"))
        .select_related("client", "assignee")
        .annotate(note_hidden=followup_note_hidden(user))
        .only(
            "id",
            "due_at",
            "note",
            "status",
            "client__id",
            "client__name",
            "assignee__id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
        .order_by("due_at", "id")
    )


def not_contacted(*, user, scope, subject_id, period, now) -> QuerySet:
    """The clients of a tier with a cadence overdue for a revisit (the
    complement of ``contacted_within_cadence_pct``), least recently contacted first."""
    cadences = comm_settings_get()
    return (
        visible_clients(user)
        .filter(
            attribution_q(scope, subject_id, manager="dedicated_manager_id", branch="branch_id"),
            revisit_overdue_q(settings=cadences, now=_as_of(period, now)),
            lifecycle="active",
            tier__in=list(cadences.cadence_days()),
        )
        .only("id", "name", "tier", "last_contacted_at")
        .order_by(F("last_contacted_at").asc(nulls_first=True), "id")
    )


READERS = {
    "not_contacted": not_contacted,
    "detractors": detractors,
    "lost_clients": lost_clients,
    "reviews_overdue": reviews_overdue,
    "followups_overdue": followups_overdue,
}


def drill_rows(key: str, *, user, scope: str, subject_id: int, period: str, now, rates):
    if key == "top_revenue":
        return top_revenue(
            user=user, scope=scope, subject_id=subject_id, period=period, now=now, rates=rates
        )
    return READERS[key](user=user, scope=scope, subject_id=subject_id, period=period, now=now)

"""Reads of KPI snapshots, always through the visibility rule:

- an RM: their own rows (scope rm, subject = themselves);
- a branch head: the RMs of their branch subtree and the branches of it;
- admin, risk officer, compliance: every row of the tenant;
- anyone else, or a user outside the tenant in scope: nothing.

Only current versions are read (older versions of a corrected period stay
for the audit trail). The drill-downs list clients through
``clients.access.visible_clients``, so a branch head never sees a client
outside the subtree even when it is behind a number they may read.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from clients.access import TENANT_WIDE_ROLES, is_staff_in_scope
from communications.selectors import followup_list
from tenancy.models import Branch, Role, User
from tenancy.selectors import rm_list, team_rm_list

from . import periods
from .models import ImprovementAction, ImprovementActionFollowUp, KpiSnapshot, Scope


def snapshot_visibility_q(user) -> Q | None:
    if not is_staff_in_scope(user):
        return None
    if user.role in TENANT_WIDE_ROLES:
        return Q()
    if user.role == Role.BRANCH_HEAD:
        if user.branch_id is None:
            return None
        branches = Branch.objects.filter(path__startswith=user.branch.path).values("pk")
        return Q(scope=Scope.RM, subject_id__in=team_rm_list(user=user).values("pk")) | Q(
            scope=Scope.BRANCH, subject_id__in=branches
        )
    if user.role == Role.RM:
        return Q(scope=Scope.RM, subject_id=user.pk)
    return None


def visible_snapshots(user) -> QuerySet[KpiSnapshot]:
    q = snapshot_visibility_q(user)
    qs = KpiSnapshot.objects.filter(is_current=True)
    return qs.none() if q is None else qs.filter(q)


def with_viewer_rank(qs: QuerySet[KpiSnapshot], *, user) -> QuerySet[KpiSnapshot]:
    """``viewer_rank``: 1 + the visible rows of the same period and scope with a
    higher total (ranks among what the viewer can see, whatever else filters
    the list); null without a total."""
    better = (
        visible_snapshots(user)
        .filter(period=OuterRef("period"), scope=OuterRef("scope"), total__gt=OuterRef("total"))
        .order_by()
        .values("scope")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        viewer_rank=Case(
            When(total__isnull=True, then=Value(None)),
            default=Coalesce(Subquery(better, output_field=IntegerField()), Value(0)) + 1,
            output_field=IntegerField(),
        )
    )


def snapshot_list(*, user) -> QuerySet[KpiSnapshot]:
    """The API list: newest period first, best total first."""
    return with_viewer_rank(visible_snapshots(user), user=user).order_by(
        "-period", "scope", F("total").desc(nulls_last=True), "subject_id"
    )


def scorecard_rows(*, user, period: str, scope: str) -> list[KpiSnapshot]:
    """One period and scope of the visible rows, best first, with ranks among them."""
    rows = list(
        visible_snapshots(user)
        .filter(period=period, scope=scope)
        .order_by(F("total").desc(nulls_last=True), "subject_name", "subject_id")
    )
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.total is None:
            row.viewer_rank = None
            continue
        if row.total != previous:
            rank, previous = position, row.total
        row.viewer_rank = rank
    return rows


def snapshot_get(*, user, period: str, scope: str, subject_id) -> KpiSnapshot:
    """One visible subject's current snapshot of ``period``: 404 for a missing,
    foreign or invisible one alike."""
    row = visible_snapshots(user).filter(period=period, scope=scope, subject_id=subject_id).first()
    if row is None:
        raise Http404
    return row


def trends(*, user, scope: str, subject_ids: list[int], periods: list[str]) -> dict[int, list]:
    """Totals of ``subject_ids`` over ``periods`` (one query): subject → [total|None, ...]."""
    found = {
        (s, p): t
        for s, p, t in visible_snapshots(user)
        .filter(scope=scope, subject_id__in=subject_ids, period__in=periods)
        .values_list("subject_id", "period", "total")
    }
    return {s: [found.get((s, p)) for p in periods] for s in subject_ids}


def available_periods(*, user, limit: int = 24) -> list[str]:
    return list(
        visible_snapshots(user)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:limit]
    )


# --- improvement actions --------------------------------------------------------------


def action_visibility_q(user) -> Q | None:
    """Improvement actions are read like snapshots: an RM their own, a branch
    head those of the RMs of the subtree, admins, risk officers and compliance
    the tenant's; anyone else nothing."""
    if not is_staff_in_scope(user):
        return None
    if user.role in TENANT_WIDE_ROLES:
        return Q()
    if user.role == Role.BRANCH_HEAD:
        return Q(rm__in=team_rm_list(user=user).values("pk"))
    if user.role == Role.RM:
        return Q(rm_id=user.pk)
    return None


def visible_actions(user) -> QuerySet[ImprovementAction]:
    q = action_visibility_q(user)
    qs = ImprovementAction.objects.select_related("set_by", "closed_by")
    return qs.none() if q is None else qs.filter(q)


def action_get(*, user, action_id) -> ImprovementAction:
    """A visible action (404 for a missing, foreign or invisible one alike)."""
    if not str(action_id).isdigit():
        raise Http404
    row = visible_actions(user).filter(pk=int(action_id)).first()
    if row is None:
        raise Http404
    return row


def scorecard_rms(user) -> QuerySet[User]:
    """The RMs whose scorecard page ``user`` may open: themselves (an RM), the
    team (a branch head), every active RM of the tenant (the tenant-wide roles)."""
    if not is_staff_in_scope(user):
        return rm_list(user=user).none()
    if user.role in TENANT_WIDE_ROLES:
        return rm_list(user=user)
    if user.role == Role.BRANCH_HEAD:
        return team_rm_list(user=user)
    if user.role == Role.RM:
        return rm_list(user=user).filter(pk=user.pk)
    return rm_list(user=user).none()


def scorecard_rm_get(*, user, rm_id) -> User:
    rm = scorecard_rms(user).filter(pk=rm_id).first()
    if rm is None:
        raise Http404
    return rm


def scorecard_actions(*, user, rm, period: str) -> dict[str, list[ImprovementAction]]:
    """The actions of ``rm`` set from this month's scorecard and from the
    previous month's, each with ``follow_ups`` (the linked follow-ups the
    viewer may see, with their status): three queries whatever the number."""
    previous = periods.shift(period, -1)
    actions = list(
        visible_actions(user).filter(rm=rm, period__in=(period, previous)).order_by("due_on", "id")
    )
    links: dict[int, list] = {a.pk: [] for a in actions}
    if actions:
        readable = followup_list(user=user).values("pk")
        for link in (
            ImprovementActionFollowUp.objects.filter(action_id__in=links, follow_up__in=readable)
            .select_related("follow_up", "follow_up__client")
            .order_by("follow_up__due_at", "follow_up_id")
        ):
            links[link.action_id].append(link.follow_up)
    for a in actions:
        a.follow_ups = links[a.pk]
        a.follow_ups_done = sum(f.status == "done" for f in a.follow_ups)
    return {
        "current": [a for a in actions if a.period == period],
        "previous": [a for a in actions if a.period == previous],
    }

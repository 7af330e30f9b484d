"""Reads of tenancy data, always within the tenant in scope."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from . import directory
from .context import require_tenant_id
from .models import AuditEvent, Branch, Role, User
from .shortcuts import get_or_404


def branch_list(*, user: User) -> QuerySet[Branch]:
    return Branch.objects.select_related("parent").order_by("path")


def branch_choices(*, user: User) -> list[tuple[int, str]]:
    """``(id, name)`` of the branches, in tree order, for a filter's options
    (kept per process while the tenant's directory is unchanged)."""
    return directory.cached(
        user.tenant,
        "branch_choices",
        lambda: list(Branch.objects.order_by("path").values_list("id", "name")),
    )


def branch_get(*, user: User, branch_id) -> Branch:
    return get_or_404(branch_list(user=user), branch_id)


def tenant_staff() -> QuerySet[User]:
    """Every staff member of the tenant in scope: the one query on the staff
    table (``User`` has no row-level security, so the tenant filter is here).
    For code acting without a user (tasks, imports); pages use ``staff_list``."""
    return User.objects.filter(tenant_id=require_tenant_id())


def login_pending_user(*, user_id) -> User | None:
    """The active staff member whose password step this session passed
    (tenancy.twofactor); read before any tenant is known, by the id the
    session itself stored."""
    return User.objects.filter(pk=user_id, is_active=True, tenant__isnull=False).first()


def staff_list(*, user: User) -> QuerySet[User]:
    return tenant_staff().select_related("branch").order_by("username")


def staff_get(*, user: User, staff_id) -> User:
    return get_or_404(staff_list(user=user), staff_id)


def rm_list(*, user: User) -> QuerySet[User]:
    return staff_list(user=user).filter(role=Role.RM, is_active=True)


def team_rm_list(*, user: User) -> QuerySet[User]:
    """A branch head's team: the active RMs of their branch and its sub-branches
    (nobody for a branch head without a branch or for any other role)."""
    if user.role != Role.BRANCH_HEAD or user.branch_id is None:
        return staff_list(user=user).none()
    return rm_list(user=user).filter(branch__path__startswith=user.branch.path)


def audit_list(
    *,
    user: User,
    actor_id: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The tenant's audit trail, newest first, filtered (``until`` exclusive)."""
    qs = AuditEvent.objects.select_related("actor")
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=str(object_id))
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("-seq")

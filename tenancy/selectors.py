"""Reads of tenancy data, always within the tenant in scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .context import require_tenant_id
from .models import AuditEvent, Branch, Role, User


def branch_list(*, user: User) -> QuerySet[Branch]:
    return Branch.objects.select_related("parent").order_by("path")


def branch_get(*, user: User, branch_id) -> Branch:
    try:
        return branch_list(user=user).get(pk=int(branch_id))
    except (Branch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_list(*, user: User) -> QuerySet[User]:
    return (
        User.objects.filter(tenant_id=require_tenant_id())
        .select_related("branch")
        .order_by("username")
    )


def staff_get(*, user: User, staff_id) -> User:
    try:
        return staff_list(user=user).get(pk=int(staff_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rm_list(*, user: User) -> QuerySet[User]:
    return staff_list(user=user).filter(role=Role.RM, is_active=True)


def team_rm_list(*, user: User) -> QuerySet[User]:
    """A branch head's team: the active RMs of their branch and its sub-branches
    (nobody for a branch head without a branch or for any other role)."""
    if user.role != Role.BRANCH_HEAD or user.branch_id is None:
        return staff_list(user=user).none()
    return rm_list(user=user).filter(branch__path__startswith=user.branch.path)


def audit_list(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").order_by("-seq")

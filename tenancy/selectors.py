"""Reads of tenancy data, always within the tenant in scope."""

from __future__ import annotations

from django.db.models import QuerySet

from .context import require_tenant_id
from .models import AuditEvent, Branch, Role, User
from .shortcuts import get_or_404


def branch_list(*, user: User) -> QuerySet[Branch]:
    return Branch.objects.select_related("parent").order_by("path")


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


def audit_list(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").order_by("-seq")

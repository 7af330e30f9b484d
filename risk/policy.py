"""Who may do what in risk (pure functions of the user and a loaded client or
assessment, built on the clients access rules). Visibility itself is always
``clients.access``: these rules apply to clients the user already sees."""

from __future__ import annotations

from clients.access import in_subtree, is_manager
from tenancy.models import Role

DESK_ROLES = (Role.RISK_OFFICER, Role.BRANCH_HEAD, Role.ADMIN, Role.COMPLIANCE)


def can_assess(user, client) -> bool:
    """Draft an assessment, register collateral, set the classification: an RM
    managing the client, a branch head for their subtree, a risk officer."""
    if user.role == Role.RISK_OFFICER:
        return True
    if user.role == Role.BRANCH_HEAD:
        return in_subtree(user, client.branch)
    if user.role == Role.RM:
        return is_manager(user, client)
    return False


def is_approver_for(user, client) -> bool:
    """Risk officers, and branch heads for clients in their subtree (never RMs)."""
    if user.role == Role.RISK_OFFICER:
        return True
    return user.role == Role.BRANCH_HEAD and in_subtree(user, client.branch)


def can_decide(user, assessment) -> bool:
    """Four eyes: an approver who is not the author."""
    return assessment.author_id != user.pk and is_approver_for(user, assessment.client)


def can_set_limit(user) -> bool:
    return user.role == Role.RISK_OFFICER


def can_acknowledge_alert(user, client) -> bool:
    """Acknowledge an alert or note on it: the client's managers, branch heads
    (subtree), risk officers."""
    return can_assess(user, client)


def can_resolve_alert(user, client) -> bool:
    """Resolve an alert: risk officers, branch heads (subtree) — never the RM
    whose client it warns about."""
    return is_approver_for(user, client)


def can_edit_settings(user) -> bool:
    """Risk settings and the master scale: risk officers and admins (the desk's
    other staff read them)."""
    return user.role in (Role.RISK_OFFICER, Role.ADMIN)

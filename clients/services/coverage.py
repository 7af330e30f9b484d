"""Coverage: dedicated and backup managers, the coverage team (shared in via
django-guardian), the history of every change, and bulk reassignment.

Rules: admins assign anywhere; branch heads only for clients of their branch
subtree and only relationship managers of that subtree. A manager must be an
active relationship manager (RM) of the same bank.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from clients.access import forget_shared_clients
from tenancy.audit import audit_record
from tenancy.models import Role, User

from .. import access
from ..models import Client, CoverageChange, CoverageTeamMember

ROLES = ("dedicated", "backup")


def validate_manager(*, actor: User, manager: User | None, field: str) -> None:
    """``manager`` must be an active RM of ``actor``'s bank (and of a branch
    head's subtree). Raises ValidationError({field: msg})."""
    if (
        manager is None
        or manager.tenant_id != actor.tenant_id
        or manager.role != Role.RM
        or not manager.is_active
    ):
        raise ValidationError(
            {field: _("The manager must be an active relationship manager of this bank.")}
        )
    if actor.role == Role.BRANCH_HEAD and not access.in_subtree(actor, manager.branch):
        raise ValidationError(
            {
                field: _(
                    "You may only assign relationship managers of your own branch or its sub-branches."
                )
            }
        )


def coverage_change_row(
    *,
    tenant_id: int,
    client_id: int,
    kind: str,
    from_user_id: int | None,
    to_user_id: int | None,
    actor: User | None,
    reason: str = "",
    at=None,
    batch: uuid.UUID | None = None,
) -> CoverageChange:
    """An unsaved history row, for the callers that write many at once
    (bulk reassignment, CSV import) with ``CoverageChange.objects.bulk_create``."""
    return CoverageChange(
        tenant_id=tenant_id,
        client_id=client_id,
        kind=kind,
        from_user_id=from_user_id,
        to_user_id=to_user_id,
        reason=(reason or "").strip()[:500],
        changed_by=actor,
        changed_at=at or timezone.now(),
        batch=batch,
    )


def record_coverage_change(
    *,
    client: Client,
    kind: str,
    from_user: User | None,
    to_user: User | None,
    actor: User,
    reason: str = "",
    batch: uuid.UUID | None = None,
) -> CoverageChange:
    row = coverage_change_row(
        tenant_id=client.tenant_id,
        client_id=client.pk,
        kind=kind,
        from_user_id=getattr(from_user, "pk", None),
        to_user_id=getattr(to_user, "pk", None),
        actor=actor,
        reason=reason,
        batch=batch,
    )
    row.save()
    return row


def require_can_assign(actor: User, client: Client) -> None:
    if not access.can_assign(actor, client):
        raise PermissionDenied(
            _("Only an admin, or the branch head of this client's branch, may change its coverage.")
        )


def client_assign_manager(
    *, actor: User, client: Client, manager: User | None, role: str = "dedicated", reason: str = ""
) -> Client:
    """Make ``manager`` the client's dedicated or backup manager.

    ``manager=None`` clears the backup manager (a client keeps a dedicated
    one). Promoting the current backup to dedicated clears the backup. Writes
    a CoverageChange row per change and an audit event; a no-op writes nothing.
    Raises PermissionDenied (role/branch) and ValidationError({"manager"|"role": msg}).
    """
    require_can_assign(actor, client)
    if role not in ROLES:
        raise ValidationError({"role": _("Role must be dedicated or backup.")})
    if manager is None and role == "dedicated":
        raise ValidationError({"manager": _("Choose a relationship manager.")})
    if manager is not None:
        validate_manager(actor=actor, manager=manager, field="manager")
    if role == "backup" and manager is not None and manager.pk == client.dedicated_manager_id:
        raise ValidationError(
            {"manager": _("This relationship manager is already the dedicated manager.")}
        )
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        changes = manager_changes(locked, role=role, manager=manager)
        if not changes:
            return locked
        locked.save(update_fields=["dedicated_manager", "backup_manager", "updated_at"])
        for kind, old, new in changes:
            record_coverage_change(
                client=locked, kind=kind, from_user=old, to_user=new, actor=actor, reason=reason
            )
        audit_record(
            action="client.coverage_changed",
            actor=actor,
            target=locked,
            data={
                "changes": [
                    {"role": k, "from": o.pk if o else None, "to": n.pk if n else None}
                    for k, o, n in changes
                ],
                "reason": reason,
            },
        )
    client.dedicated_manager, client.backup_manager = (
        locked.dedicated_manager,
        locked.backup_manager,
    )
    return locked


def manager_changes(
    client: Client, *, role: str, manager: User | None
) -> list[tuple[str, User | None, User | None]]:
    """Set the role on ``client`` (in memory); return (kind, from, to) per change."""
    changes = []
    if role == "dedicated":
        if client.dedicated_manager_id == manager.pk:
            return []
        if client.backup_manager_id == manager.pk:  # promoting the backup
            changes.append(("backup", client.backup_manager, None))
            client.backup_manager = None
        changes.append(("dedicated", client.dedicated_manager, manager))
        client.dedicated_manager = manager
    else:
        if client.backup_manager_id == (manager.pk if manager else None):
            return []
        if manager is not None and client.dedicated_manager_id == manager.pk:
            return []
        changes.append(("backup", client.backup_manager, manager))
        client.backup_manager = manager
    return changes


# --- coverage team ------------------------------------------------------------------


def coverage_team_add(
    *, actor: User, client: Client, user: User, team_role: str, reason: str = ""
) -> CoverageTeamMember:
    """Share the client with a colleague (product specialist, credit officer, ...):
    a CoverageTeamMember row plus guardian's ``view_client`` permission. Same rule as
    assignment: admins anywhere; a branch head only for a client of their subtree and
    a member who is staff of it (ValidationError naming ``user`` otherwise)."""
    require_can_assign(actor, client)
    errors = {}
    if user is None or user.tenant_id != actor.tenant_id or not user.is_active:
        errors["user"] = _("Choose an active staff member of this bank.")
    elif actor.role == Role.BRANCH_HEAD and not access.in_subtree(actor, user.branch):
        # the assignment rule: a branch head shares only with staff of their subtree
        errors["user"] = _(
            "You may only share a client with staff of your own branch or its sub-branches."
        )
    elif access.is_manager(user, client):
        errors["user"] = _("This staff member already manages the client.")
    elif CoverageTeamMember.objects.filter(client=client, user=user).exists():
        errors["user"] = _("This staff member is already in the coverage team.")
    if team_role not in CoverageTeamMember.TeamRole.values:
        errors["team_role"] = _("Choose a team role.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = CoverageTeamMember.objects.create(
            client=client, user=user, team_role=team_role, added_by=actor
        )
        assign_perm("view_client", user, client)
        forget_shared_clients(user.pk)
        record_coverage_change(
            client=client,
            kind=CoverageChange.Kind.TEAM_ADDED,
            from_user=None,
            to_user=user,
            actor=actor,
            reason=reason,
        )
        audit_record(
            action="client.team_added",
            actor=actor,
            target=client,
            data={"user": user.pk, "team_role": team_role, "reason": reason},
        )
    return member


def coverage_team_remove(*, actor: User, member: CoverageTeamMember, reason: str = "") -> None:
    client = member.client
    require_can_assign(actor, client)
    user = member.user
    with transaction.atomic():
        member.delete()
        remove_perm("view_client", user, client)
        forget_shared_clients(user.pk)
        record_coverage_change(
            client=client,
            kind=CoverageChange.Kind.TEAM_REMOVED,
            from_user=user,
            to_user=None,
            actor=actor,
            reason=reason,
        )
        audit_record(
            action="client.team_removed",
            actor=actor,
            target=client,
            data={"user": user.pk, "reason": reason},
        )


# --- bulk reassignment --------------------------------------------------------------

"""Coverage: dedicated and backup managers, the coverage team (shared in via
django-guardian), the history of every change, and bulk reassignment.

Rules: admins assign anywhere; branch heads only for clients of their branch
subtree and only relationship managers of that subtree. A manager must be an
active relationship manager (RM) of the same bank.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from tenancy.access import forget_shared_clients, visible_clients
from tenancy.audit import audit_record
from tenancy.models import Role, User

from .. import policy
from ..models import Client, CoverageChange, CoverageTeamMember

ROLES = ("dedicated", "backup")


class StalePlan(Exception):
    """The clients changed between the preview and the confirmation (HTTP 409)."""


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
    if actor.role == Role.BRANCH_HEAD and not policy.in_subtree(actor, manager.branch):
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
    if not policy.can_assign(actor, client):
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
        changes = _apply(locked, role=role, manager=manager)
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


def _apply(
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
    a CoverageTeamMember row plus guardian's ``view_client`` permission."""
    require_can_assign(actor, client)
    errors = {}
    if user is None or user.tenant_id != actor.tenant_id or not user.is_active:
        errors["user"] = _("Choose an active staff member of this bank.")
    elif policy.is_manager(user, client):
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


@dataclass
class PlannedChange:
    client_id: int
    client_name: str
    external_id: str
    role: str
    from_user_id: int | None
    from_name: str
    to_user_id: int | None


@dataclass
class BulkPlan:
    to_manager: User
    changes: list[PlannedChange] = field(default_factory=list)

    @property
    def client_ids(self) -> list[int]:
        return sorted({c.client_id for c in self.changes})

    @property
    def token(self) -> str:
        """Fingerprint of the plan: confirming a stale preview is refused."""
        rows = sorted((c.client_id, c.role, c.from_user_id, c.to_user_id) for c in self.changes)
        payload = json.dumps([self.to_manager.pk, rows])
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def bulk_reassign_plan(
    *,
    actor: User,
    to_manager: User | None,
    from_manager: User | None = None,
    client_ids: list[int] | None = None,
    role: str = "dedicated",
    lock: bool = False,
) -> BulkPlan:
    """What a bulk reassignment would change, without writing.

    Either every client of ``from_manager`` (a departing RM: the dedicated
    clients move to ``to_manager`` as dedicated, the backup ones as backup), or
    the listed ``client_ids`` (the ``role`` given). Only clients the actor may
    assign; any unknown or out-of-reach id makes the whole request invalid.
    """
    if actor.role not in (Role.ADMIN, Role.BRANCH_HEAD):
        raise PermissionDenied(_("Only an admin or a branch head may reassign clients."))
    validate_manager(actor=actor, manager=to_manager, field="to_manager")
    if (from_manager is None) == (not client_ids):
        raise ValidationError(
            {"client_ids": _("Give either the departing manager or a list of clients, not both.")}
        )
    if role not in ROLES:
        raise ValidationError({"role": _("Role must be dedicated or backup.")})
    qs = (
        visible_clients(actor)
        .select_related("dedicated_manager", "backup_manager")
        .order_by("name", "id")
    )
    if from_manager is not None:
        if from_manager.tenant_id != actor.tenant_id:
            raise ValidationError({"from_manager": _("Unknown staff member.")})
        if from_manager.pk == to_manager.pk:
            raise ValidationError({"to_manager": _("Choose a different relationship manager.")})
        qs = qs.filter(Q(dedicated_manager=from_manager) | Q(backup_manager=from_manager))
    else:
        try:
            wanted = sorted({int(i) for i in client_ids})
        except (TypeError, ValueError):
            raise ValidationError({"client_ids": _("Client ids must be numbers.")}) from None
        qs = qs.filter(pk__in=wanted)
    if lock:
        # Lock order (README, Architecture): client rows in id order, the tenant row last.
        list(qs.select_for_update(of=("self",)).order_by("pk").values("pk"))
    clients = list(qs)
    if from_manager is None:
        missing = sorted(set(wanted) - {c.pk for c in clients})
        if missing:
            raise ValidationError(
                {
                    "client_ids": _(
                        "Unknown clients, or clients you may not reassign: %(ids)s. Nothing was changed."
                    )
                    % {"ids": ", ".join(map(str, missing))}
                }
            )
    plan = BulkPlan(to_manager=to_manager)
    for client in clients:
        if not policy.can_assign(actor, client):
            raise ValidationError(
                {
                    "client_ids": _("You may not reassign client %(id)s. Nothing was changed.")
                    % {"id": client.pk}
                }
            )
        roles = (
            [role]
            if from_manager is None
            else [
                r
                for r, uid in (
                    ("dedicated", client.dedicated_manager_id),
                    ("backup", client.backup_manager_id),
                )
                if uid == from_manager.pk
            ]
        )
        probe = Client(
            dedicated_manager=client.dedicated_manager, backup_manager=client.backup_manager
        )
        for r in roles:
            changes = _apply(probe, role=r, manager=to_manager)
            if not changes and from_manager is not None and r == "backup":
                # the new manager is already dedicated: the departing backup simply leaves
                changes = [("backup", from_manager, None)]
            for kind, old, new in changes:
                plan.changes.append(
                    PlannedChange(
                        client_id=client.pk,
                        client_name=client.name,
                        external_id=client.external_id,
                        role=kind,
                        from_user_id=old.pk if old else None,
                        from_name=_name(old),
                        to_user_id=new.pk if new else None,
                    )
                )
    return plan


def bulk_reassign_confirm(
    *,
    actor: User,
    to_manager: User | None,
    reason: str,
    from_manager: User | None = None,
    client_ids: list[int] | None = None,
    role: str = "dedicated",
    token: str | None = None,
) -> BulkPlan:
    """Apply a bulk reassignment in one transaction: all of it or nothing.

    Recomputes the plan under row locks; when ``token`` (from the preview) no
    longer matches, raises StalePlan. Writes one CoverageChange per change
    (sharing a batch id) and one audit event for the batch.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why these clients are reassigned.")})
    with transaction.atomic():
        plan = bulk_reassign_plan(
            actor=actor,
            to_manager=to_manager,
            from_manager=from_manager,
            client_ids=client_ids,
            role=role,
            lock=True,
        )
        if not plan.changes:
            raise ValidationError(
                {"client_ids": _("Nothing to change: these clients already have this coverage.")}
            )
        if token and token != plan.token:
            raise StalePlan(_("The clients changed since the preview; preview again."))
        users = {
            u.pk: u
            for u in User.objects.filter(
                pk__in={c.from_user_id for c in plan.changes} | {to_manager.pk}
            )
        }
        by_client: dict[int, list[PlannedChange]] = {}
        for change in plan.changes:
            by_client.setdefault(change.client_id, []).append(change)
        clients = list(Client.objects.filter(pk__in=by_client))
        now, batch = timezone.now(), uuid.uuid4()
        history = []
        for client in clients:
            for change in by_client[client.pk]:
                target = users.get(change.to_user_id) if change.to_user_id else None
                setattr(client, f"{change.role}_manager", target)
                history.append(
                    coverage_change_row(
                        tenant_id=client.tenant_id,
                        client_id=client.pk,
                        kind=change.role,
                        from_user_id=change.from_user_id,
                        to_user_id=change.to_user_id,
                        actor=actor,
                        reason=reason,
                        at=now,
                        batch=batch,
                    )
                )
            client.updated_at = now
        Client.objects.bulk_update(
            clients, ["dedicated_manager", "backup_manager", "updated_at"], batch_size=500
        )
        CoverageChange.objects.bulk_create(history, batch_size=1000)
        audit_record(
            action="client.bulk_reassigned",
            actor=actor,
            object_type="clients.client",
            object_id="",
            data={
                "batch": str(batch),
                "to_manager": to_manager.pk,
                "from_manager": from_manager.pk if from_manager else None,
                "role": role if from_manager is None else "all",
                "reason": reason.strip(),
                "clients": plan.client_ids,
                "changes": len(plan.changes),
            },
        )
    return plan


def summarize(plan: BulkPlan) -> dict[str, Any]:
    return {
        "to_manager": plan.to_manager.pk,
        "token": plan.token,
        "clients": len(plan.client_ids),
        "changes": [
            {
                "client": c.client_id,
                "name": c.client_name,
                "external_id": c.external_id,
                "role": c.role,
                "from": c.from_user_id,
                "from_name": c.from_name,
                "to": c.to_user_id,
            }
            for c in plan.changes
        ],
    }

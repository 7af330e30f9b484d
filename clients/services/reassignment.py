"""Bulk reassignment: all clients of a departing manager, or a list, previewed then confirmed in one transaction (a stale preview is refused)."""

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

from clients.access import visible_clients
from tenancy.audit import audit_record
from tenancy.models import Role, User
from tenancy.selectors import tenant_staff

from .. import access
from ..models import Client, CoverageChange
from .coverage import ROLES, coverage_change_row, manager_changes, validate_manager


class StalePlan(Exception):
    """The clients changed between the preview and the confirmation (HTTP 409)."""


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
        # Lock order (README, "Lock order"): client rows in id order, the tenant row last.
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
        if not access.can_assign(actor, client):
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
            changes = manager_changes(probe, role=r, manager=to_manager)
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
            for u in tenant_staff().filter(
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

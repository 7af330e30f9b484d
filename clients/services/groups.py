"""Relationship groups: family households and corporate groups."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenancy.audit import audit_record
from tenancy.models import Role, User

from .. import access
from ..models import Client, GroupMembership, RelationshipGroup


def _require_group_editor(actor: User) -> None:
    if not access.can_manage_groups(actor):
        raise PermissionDenied(_("Your role may not change relationship groups."))


def relationship_group_create(
    *, actor: User, name: str, kind: str, note: str = ""
) -> RelationshipGroup:
    """A new household or corporate group (admins, branch heads, RMs)."""
    _require_group_editor(actor)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("A name is required.")
    if kind not in RelationshipGroup.Kind.values:
        errors["kind"] = _("Choose household or corporate group.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = RelationshipGroup.objects.create(
            name=name.strip(), kind=kind, note=(note or "").strip(), created_by=actor
        )
        audit_record(
            action="group.created",
            actor=actor,
            target=group,
            data={"name": group.name, "kind": kind},
        )
    return group


def relationship_group_update(
    *, actor: User, group: RelationshipGroup, name: str | None = None, note: str | None = None
) -> RelationshipGroup:
    _require_group_editor(actor)
    if actor.role == Role.RM and group.created_by_id != actor.pk:
        raise PermissionDenied(
            _("Only the group's creator, a branch head or an admin may rename it.")
        )
    changes = {}
    if name is not None and name.strip() != group.name:
        if not name.strip():
            raise ValidationError({"name": _("A name is required.")})
        changes["name"] = {"from": group.name, "to": name.strip()}
        group.name = name.strip()
    if note is not None and note.strip() != group.note:
        changes["note"] = "changed"
        group.note = note.strip()
    if changes:
        with transaction.atomic():
            group.save()
            audit_record(action="group.updated", actor=actor, target=group, data=changes)
    return group


def _validate_role(group: RelationshipGroup, role: str) -> None:
    allowed = (
        GroupMembership.HOUSEHOLD_ROLES
        if group.kind == RelationshipGroup.Kind.HOUSEHOLD
        else GroupMembership.CORPORATE_ROLES
    )
    if role not in allowed:
        raise ValidationError({"role": _("This role does not fit this kind of group.")})


def group_member_add(
    *, actor: User, group: RelationshipGroup, client: Client, role: str
) -> GroupMembership:
    """Put a client into a group with a role. The actor must be allowed to edit
    the client's profile (its managers, its branch head, an admin)."""
    _require_group_editor(actor)
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may only add clients whose profile you may edit."))
    _validate_role(group, role)
    if GroupMembership.objects.filter(group=group, client=client).exists():
        raise ValidationError({"client": _("This client is already in the group.")})
    if (
        group.kind == RelationshipGroup.Kind.HOUSEHOLD
        and GroupMembership.objects.filter(
            client=client, group__kind=RelationshipGroup.Kind.HOUSEHOLD
        ).exists()
    ):
        raise ValidationError({"client": _("This client already belongs to another household.")})
    with transaction.atomic():
        membership = GroupMembership.objects.create(group=group, client=client, role=role)
        audit_record(
            action="group.member_added",
            actor=actor,
            target=group,
            data={"client": client.pk, "role": role},
        )
    return membership


def group_member_remove(*, actor: User, membership: GroupMembership) -> None:
    _require_group_editor(actor)
    if not access.can_edit_profile(actor, membership.client):
        raise PermissionDenied(_("You may only remove clients whose profile you may edit."))
    with transaction.atomic():
        group, client_id = membership.group, membership.client_id
        membership.delete()
        audit_record(
            action="group.member_removed", actor=actor, target=group, data={"client": client_id}
        )

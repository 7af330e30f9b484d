"""Who may do what to a client they can already see (visibility itself is
``clients.access``). Pure functions of the user and the loaded client, so the
services enforce them and the pages use them to show or hide buttons.

- edit the profile: admin anywhere; branch head inside their branch subtree;
  an RM for the clients they manage (dedicated or backup);
- assign managers and the coverage team: admin anywhere; branch head inside
  their subtree (and only staff of their subtree);
- reveal personal data: the client's managers and compliance;
- read phone / email unmasked: the client's managers.
"""

from __future__ import annotations

from tenancy.models import Role


def is_manager(user, client) -> bool:
    return user.pk is not None and user.pk in (
        client.dedicated_manager_id,
        client.backup_manager_id,
    )


def in_subtree(user, branch) -> bool:
    """``branch`` is in ``user``'s branch subtree (tenant-wide roles: always)."""
    if user.role == Role.ADMIN:
        return True
    if branch is None or user.branch_id is None:
        return False
    return branch.path.startswith(user.branch.path)


def can_create_client(user) -> bool:
    return user.role in (Role.ADMIN, Role.BRANCH_HEAD, Role.RM)


def can_edit_profile(user, client) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.BRANCH_HEAD:
        return in_subtree(user, client.branch)
    if user.role == Role.RM:
        return is_manager(user, client)
    return False


def can_assign(user, client) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.BRANCH_HEAD and in_subtree(user, client.branch)


def can_reveal(user, client) -> bool:
    return user.role == Role.COMPLIANCE or is_manager(user, client)


def sees_plain_contact(user, client) -> bool:
    return is_manager(user, client)


def can_manage_groups(user) -> bool:
    return user.role in (Role.ADMIN, Role.BRANCH_HEAD, Role.RM)

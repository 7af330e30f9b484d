"""Who may do what with points and rewards: one rule for the pages, the API
and the services (services enforce, pages show or hide buttons).

- read a client's points: whoever sees the client (``clients.access``);
- adjust points, manage the catalogue and the settings: tenant admins;
- approve an adjustment above the four-eyes threshold: a tenant admin other
  than the one who asked;
- redeem a reward for a client: the client's managers (dedicated or backup)
  and tenant admins;
- the points-liability report: tenant admins and compliance.
"""

from __future__ import annotations

from clients.access import is_manager
from tenancy.models import Role

LIABILITY_ROLES = (Role.ADMIN, Role.COMPLIANCE)


def can_adjust(user) -> bool:
    return user.role == Role.ADMIN


def can_approve(user, adjustment) -> bool:
    return user.role == Role.ADMIN and adjustment.requested_by_id != user.pk


def can_manage_rewards(user) -> bool:
    return user.role == Role.ADMIN


def can_edit_settings(user) -> bool:
    return user.role == Role.ADMIN


def can_redeem(user, client) -> bool:
    return user.role == Role.ADMIN or is_manager(user, client)


def can_read_liability(user) -> bool:
    return user.role in LIABILITY_ROLES

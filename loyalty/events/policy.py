"""Who may do what with client-care events: one rule for the pages, the API
and the services (services enforce, pages show or hide buttons).

- read events (title, time, place, counts): every active member of staff of
  the tenant — an event is the bank's, not a client's;
- invitations and attendees: only of the clients the user sees
  (``clients.access``);
- create an event: tenant admins and branch heads;
- edit an event: tenant admins; a branch head the events they created or
  whose branch is in their subtree;
- invite clients: admins, branch heads and RMs, for clients they see;
- check in: admins, branch heads and RMs, for clients they see (risk
  officers and compliance read only).
"""

from __future__ import annotations

from clients.access import in_subtree, is_staff_in_scope
from tenancy.models import Role

ORGANISERS = (Role.ADMIN, Role.BRANCH_HEAD)
HOSTS = (Role.ADMIN, Role.BRANCH_HEAD, Role.RM)


def can_read_events(user) -> bool:
    return is_staff_in_scope(user)


def can_create(user) -> bool:
    return is_staff_in_scope(user) and user.role in ORGANISERS


def can_edit(user, event) -> bool:
    if not is_staff_in_scope(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.BRANCH_HEAD:
        return event.created_by_id == user.pk or in_subtree(user, event.branch)
    return False


def can_invite(user) -> bool:
    return is_staff_in_scope(user) and user.role in HOSTS


def can_check_in(user) -> bool:
    return is_staff_in_scope(user) and user.role in HOSTS

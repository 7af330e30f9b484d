"""Who may read and who may write communications data, for users who can
already see the client (visibility itself is the clients access policy).

The ethical wall. The content of a confidential call report and of everything
made from it (its next steps' notes, timeline entries, the digest and the
reminders) is readable only by the report's author and attendees, the
client's dedicated and backup managers, and compliance. ``wall_q`` is that
rule as a filter, used by every selector; ``inside_wall`` is the same rule for
one loaded report, used by the services. Everyone else sees at most that a
follow-up exists. Copies that leave the page (notifications, reminder and
digest emails, the calendar feed) never carry confidential content, for
anyone: they outlive a change of managers and are read outside Steward.

Who writes:

- compliance never writes client-facing data (no call reports, no amendments,
  no follow-ups) and is never given a follow-up;
- a follow-up is changed only by its assignee, its creator, the client's
  managers and branch heads of the client's branch subtree (so a risk officer
  who logs a report for a client they review cannot take over someone else's
  follow-up); the note of a confidential follow-up only by those inside the
  wall;
- the assignee of a confidential follow-up is inside the wall.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When

from clients.access import in_subtree, is_manager, managed_by_q
from tenancy.models import Role

from .models import InteractionAttendee


def wall_q(user, prefix: str = "") -> Q:
    """Call reports (``prefix`` reaches them through a relation, e.g.
    ``"interaction__"``) whose content ``user`` may read: every report that is
    not confidential, and confidential ones for their author and attendees,
    the client's managers and compliance."""
    if getattr(user, "role", None) == Role.COMPLIANCE:
        # every report; not ``Q()``, which vanishes when OR-ed with another Q
        return Q(**{f"{prefix}pk__isnull": False})
    report = OuterRef(f"{prefix}id" if prefix else "pk")
    attended = InteractionAttendee.objects.filter(interaction_id=report, user_id=user.pk)
    return (
        Q(**{f"{prefix}confidential": False})
        | Q(**{f"{prefix}author_id": user.pk})
        | managed_by_q(user.pk, prefix=f"{prefix}client__")
        | Q(Exists(attended))
    )


def followup_readable_q(user) -> Q:
    """Follow-ups whose note ``user`` may read: those made from no report, and
    those whose report passes the wall."""
    return Q(interaction__isnull=True) | wall_q(user, prefix="interaction__")


def followup_note_hidden(user) -> Case:
    """An annotation: True when the follow-up's note is behind the wall for
    ``user``. Fails closed: a condition that is not true hides the note."""
    return Case(
        When(followup_readable_q(user), then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    )


def inside_wall(user, interaction, *, attendee_ids=None) -> bool:
    """``wall_q`` for one loaded report. ``attendee_ids`` are the attendees
    when they are not saved yet (a report being logged)."""
    if user is None or user.pk is None:
        return False
    if not interaction.confidential or user.role == Role.COMPLIANCE:
        return True
    if user.pk == interaction.author_id or is_manager(user, interaction.client):
        return True
    if attendee_ids is not None:
        return user.pk in set(attendee_ids)
    return InteractionAttendee.objects.filter(
        interaction_id=interaction.pk, user_id=user.pk
    ).exists()


# --- who writes ----------------------------------------------------------------------------


def writes_client_data(user) -> bool:
    """Compliance reads and audits; it never writes client-facing data."""
    return bool(getattr(user, "role", None)) and user.role != Role.COMPLIANCE


def can_log_interaction(user) -> bool:
    return writes_client_data(user)


def can_create_followup(user) -> bool:
    return writes_client_data(user)


def can_be_assignee(user) -> bool:
    return writes_client_data(user)


def can_change_followup(user, follow_up) -> bool:
    """The assignee, the creator, the client's managers, and branch heads of
    the client's subtree; never compliance."""
    if not writes_client_data(user):
        return False
    if user.pk in (follow_up.assignee_id, follow_up.created_by_id):
        return True
    client = follow_up.client
    if is_manager(user, client):
        return True
    return user.role == Role.BRANCH_HEAD and in_subtree(user, client.branch)


def can_amend_interaction(user, interaction) -> bool:
    """The author, an attendee or one of the client's managers; never compliance."""
    if not writes_client_data(user):
        return False
    if user.pk == interaction.author_id or is_manager(user, interaction.client):
        return True
    return InteractionAttendee.objects.filter(
        interaction_id=interaction.pk, user_id=user.pk
    ).exists()

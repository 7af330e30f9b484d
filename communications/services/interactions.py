"""Writes with rules: call reports, follow-ups, settings, the calendar token.

Every service validates (``ValidationError`` naming the field), runs in one
transaction, writes its audit event and schedules side effects with
``transaction.on_commit``. Reminders, digests and the cadence job live in
``communications.dispatch``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.access import can_see_client
from clients.models import Client, ContactPerson
from clients.services import client_contacted, clients_lock
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Role, User
from tenancy.schedules import enqueue_after_commit

from .. import policy
from ..models import (
    CalendarFeedToken,
    CommunicationSettings,
    FollowUp,
    Interaction,
    InteractionAmendment,
    InteractionAttendee,
    InteractionContact,
)
from ..selectors import comm_settings_get

# An interaction is logged after it happens; planned contact is a follow-up.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Contact in person: moves Client.last_met_at too (loyalty's after-meeting survey).
MET_KINDS = frozenset({Interaction.Kind.MEETING, Interaction.Kind.VISIT})
# Free text is never copied into the audit trail (the record keeps it); the
# audit names the field. Audit events of confidential reports name fields only.
TEXT_FIELDS = frozenset({"subject", "summary", "outcome", "note"})
EDITABLE_FIELDS = (
    "kind",
    "occurred_at",
    "duration_minutes",
    "subject",
    "summary",
    "outcome",
    "sentiment",
    "confidential",
)


def _enqueue_reminders_if_due(tenant_id: int, due_at: datetime) -> None:
    """A follow-up created already due is reminded now, not at the next sweep."""
    if due_at <= timezone.now():
        enqueue_after_commit(
            "communications.tasks.followup_reminders_for_tenant", tenant_id=tenant_id
        )


def _validate_staff(user: User | None, field: str, errors: dict) -> None:
    if user is None or user.tenant_id != require_tenant_id() or not user.is_active or not user.role:
        errors[field] = _("Choose an active colleague of your bank.")


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _validate_assignee(
    *,
    assignee: User | None,
    client: Client,
    errors: dict,
    field: str = "assignee",
    report: Interaction | None = None,
    attendee_ids=None,
) -> None:
    """Active staff of the tenant who can see the client and may write (not
    compliance); for a follow-up of a confidential report, inside the wall."""
    _validate_staff(assignee, field, errors)
    if field in errors:
        return
    if not policy.can_be_assignee(assignee):
        errors[field] = _("Compliance cannot be given follow-ups.")
    elif not can_see_client(assignee, client):
        errors[field] = _("%(name)s cannot see this client; share the client with them first.") % {
            "name": _name(assignee)
        }
    elif report is not None and not policy.inside_wall(assignee, report, attendee_ids=attendee_ids):
        errors[field] = _(
            "%(name)s is outside the ethical wall of this confidential call report: choose its "
            "author, an attendee or one of the client's managers."
        ) % {"name": _name(assignee)}


def _require_writer(actor: User) -> None:
    if not policy.writes_client_data(actor):
        raise PermissionDenied(_("Compliance reads client data; it does not write it."))


def _audit_changes(changed: dict, *, confidential: bool) -> dict:
    """What an edit's audit event says: the fields changed, and the old and
    new values of those that are not free text, unless the record is
    confidential (then the fields only)."""
    data: dict = {"fields": sorted(changed)}
    if not confidential:
        data["changes"] = {
            f: [getattr(b, "pk", b), getattr(a, "pk", a)]
            for f, (b, a) in changed.items()
            if f not in TEXT_FIELDS
        }
    return data


# --- call reports ----------------------------------------------------------------


def interaction_log(
    *,
    author: User,
    client: Client,
    kind: str,
    subject: str,
    occurred_at: datetime | None = None,
    duration_minutes: int | None = None,
    summary: str = "",
    outcome: str = "",
    sentiment: str = Interaction.Sentiment.NEUTRAL,
    confidential: bool = False,
    contacts: Iterable[ContactPerson] = (),
    attendees: Iterable[User] = (),
    next_steps: Iterable[dict] = (),
) -> Interaction:
    """Log a call report with its attendees and next steps, in one transaction.

    Rules: the author must see the client (Http404 otherwise) and may write
    (compliance may not: PermissionDenied); the time is not in the future;
    contacts belong to the client; attendees and next-step assignees are
    active staff of the tenant (assignees must also see the client, may not
    be compliance, and for a confidential report are inside its wall). Each next step (``{"due_at", "note", "assignee"?}``) becomes an
    open follow-up, assigned to the author unless given. Updates
    ``Client.last_contacted_at`` with one UPDATE (never moving it back) and
    closes the client's open revisit follow-up.
    """
    if not can_see_client(author, client):
        raise Http404
    _require_writer(author)
    now = timezone.now()
    occurred_at = occurred_at or now
    contacts, attendees, next_steps = list(contacts), list(attendees), list(next_steps)
    errors: dict = {}
    if occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = _(
            "An interaction is logged after it happens; plan future contact as a follow-up."
        )
    if any(c.client_id != client.pk for c in contacts):
        errors["contacts"] = _("Only contact persons of this client can attend.")
    for user in attendees:
        _validate_staff(user, "attendees", errors)
    interaction = Interaction(
        client=client,
        author=author,
        kind=kind,
        occurred_at=occurred_at,
        duration_minutes=duration_minutes,
        subject=(subject or "").strip(),
        summary=summary,
        outcome=outcome,
        sentiment=sentiment,
        confidential=confidential,
        created_at=now,
    )
    steps = []
    for step in next_steps:
        assignee = step.get("assignee") or author
        _validate_assignee(
            assignee=assignee,
            client=client,
            errors=errors,
            report=interaction,
            attendee_ids=[u.pk for u in attendees],
        )
        if not step.get("due_at"):
            errors["due_at"] = _("A next step needs a due time.")
        steps.append(
            {"assignee": assignee, "due_at": step.get("due_at"), "note": step.get("note", "")}
        )
    try:
        interaction.full_clean(exclude=["tenant", "client", "author"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Lock order (README, Architecture): the client row, then the other rows,
        # and the tenant row (audit_record) last, after every row lock.
        clients_lock(client_ids=[client.pk])
        interaction.save()
        tenant_id = interaction.tenant_id
        InteractionContact.objects.bulk_create(
            [
                InteractionContact(tenant_id=tenant_id, interaction=interaction, contact=c)
                for c in set(contacts)
            ]
        )
        InteractionAttendee.objects.bulk_create(
            [
                InteractionAttendee(tenant_id=tenant_id, interaction=interaction, user=u)
                for u in set(attendees)
            ]
        )
        client_contacted(client_id=client.pk, at=occurred_at, met=kind in MET_KINDS)
        FollowUp.objects.filter(
            client=client, kind=FollowUp.Kind.REVISIT, status=FollowUp.Status.OPEN
        ).update(status=FollowUp.Status.DONE, completed_at=now)
        follow_ups = [
            _followup_save(
                actor=author,
                client=client,
                assignee=s["assignee"],
                due_at=s["due_at"],
                note=s["note"],
                kind=FollowUp.Kind.NEXT_STEP,
                interaction=interaction,
            )
            for s in steps
        ]
        audit_record(
            action="interaction.logged",
            actor=author,
            target=interaction,
            data={
                "client": client.pk,
                "kind": kind,
                "confidential": confidential,
                "follow_ups": [f.pk for f in follow_ups],
            },
        )
    return interaction


def interaction_update(*, actor: User, interaction: Interaction, **changes) -> Interaction:
    """Edit a call report: only its author, only inside the tenant's edit
    window. Afterwards it is locked (ValidationError): add an amendment.
    Marking it confidential needs its open follow-ups' assignees inside the
    wall (ValidationError on ``confidential``). The audit event names the
    fields changed; values only of fields that are not free text, and none
    when the report is (or was) confidential."""
    if interaction.author_id != actor.pk:
        raise PermissionDenied(
            _("Only the author may edit a call report; add an amendment instead.")
        )
    settings = comm_settings_get()
    locked_at = interaction.editable_until(settings.edit_window_hours)
    if timezone.now() >= locked_at:
        raise ValidationError(
            _(
                "This call report was locked at %(time)s (edit window %(hours)s hours); add an amendment instead."
            )
            % {
                "time": date_format(timezone.localtime(locked_at), "DATETIME_FORMAT"),
                "hours": settings.edit_window_hours,
            }
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in unknown})
    before = {f: getattr(interaction, f) for f in changes}
    for field, value in changes.items():
        setattr(interaction, field, value)
    errors: dict = {}
    if interaction.occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors["occurred_at"] = _(
            "An interaction is logged after it happens; plan future contact as a follow-up."
        )
    try:
        interaction.full_clean(exclude=["tenant", "client", "author"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if interaction.confidential and not before.get("confidential", True):
        outside = [
            fu.assignee
            for fu in interaction.follow_ups.filter(status=FollowUp.Status.OPEN).select_related(
                "assignee"
            )
            if not policy.inside_wall(fu.assignee, interaction)
        ]
        if outside:
            errors["confidential"] = _(
                "%(names)s would be outside the ethical wall: reassign their follow-ups first."
            ) % {"names": ", ".join(sorted(_name(u) for u in outside))}
    if errors:
        raise ValidationError(errors)
    changed = {f: (before[f], changes[f]) for f in changes if before[f] != changes[f]}
    was_confidential = bool(before.get("confidential", interaction.confidential))
    with transaction.atomic():
        interaction.save(update_fields=[*changes, "updated_at"])
        if "occurred_at" in changed:
            client_contacted(
                client_id=interaction.client_id,
                at=interaction.occurred_at,
                met=interaction.kind in MET_KINDS,
            )
        audit_record(
            action="interaction.edited",
            actor=actor,
            target=interaction,
            data=_audit_changes(changed, confidential=interaction.confidential or was_confidential),
        )
    return interaction


def interaction_can_amend(*, user: User, interaction: Interaction) -> bool:
    return policy.can_amend_interaction(user, interaction)


def interaction_amend(*, actor: User, interaction: Interaction, text: str) -> InteractionAmendment:
    """Append an amendment (kept forever). By the author, an attendee or one of
    the client's managers (never compliance). Its text stays in the amendment;
    the audit event names it."""
    if not interaction_can_amend(user=actor, interaction=interaction):
        raise PermissionDenied(
            _("Only the author, an attendee or the client's managers may amend a call report.")
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the amendment.")})
    with transaction.atomic():
        amendment = InteractionAmendment.objects.create(
            interaction=interaction, author=actor, text=text
        )
        audit_record(
            action="interaction.amended",
            actor=actor,
            target=interaction,
            data={"amendment": amendment.pk, "confidential": interaction.confidential},
        )
    return amendment


# --- follow-ups ------------------------------------------------------------------------


def _followup_save(
    *,
    actor: User | None,
    client: Client,
    assignee: User,
    due_at: datetime,
    note: str,
    kind: str,
    interaction: Interaction | None = None,
) -> FollowUp:
    follow_up = FollowUp(
        client=client,
        assignee=assignee,
        created_by=actor,
        due_at=due_at,
        note=note or "",
        kind=kind,
        interaction=interaction,
    )
    follow_up.full_clean(exclude=["tenant", "client", "assignee", "created_by", "interaction"])
    follow_up.save()
    audit_record(
        action="followup.created",
        actor=actor,
        target=follow_up,
        data={"client": client.pk, "assignee": assignee.pk, "due_at": due_at, "kind": kind},
    )
    _enqueue_reminders_if_due(follow_up.tenant_id, due_at)
    return follow_up


def followup_create(
    *,
    actor: User,
    client: Client,
    assignee: User | None,
    due_at: datetime | None,
    note: str = "",
    interaction: Interaction | None = None,
) -> FollowUp:
    """Open a follow-up (not by compliance: PermissionDenied). The assignee must
    be active staff of the same tenant who can see the client, and inside the
    wall when ``interaction`` is confidential (ValidationError on ``assignee``
    otherwise)."""
    if not can_see_client(actor, client):
        raise Http404
    _require_writer(actor)
    errors: dict = {}
    _validate_assignee(assignee=assignee, client=client, errors=errors, report=interaction)
    if due_at is None:
        errors["due_at"] = _("Give a due time.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _followup_save(
            actor=actor,
            client=client,
            assignee=assignee,
            due_at=due_at,
            note=note,
            kind=FollowUp.Kind.TASK,
            interaction=interaction,
        )


_UNSET = object()


def followup_update(
    *, actor: User, follow_up: FollowUp, assignee=_UNSET, due_at=_UNSET, note=_UNSET, status=_UNSET
) -> FollowUp:
    """Change assignee, due time, note or status. A new due time re-arms the
    reminder (the ledger is keyed by follow-up and due time).

    Only its assignee, its creator, the client's managers and branch heads of
    the client's subtree may (PermissionDenied otherwise, and always for
    compliance); the note of a confidential follow-up only those inside the
    wall, and a new assignee must be inside it. The audit event never holds
    the note."""
    if not policy.can_change_followup(actor, follow_up):
        raise PermissionDenied(
            _(
                "Only the assignee, the creator, the client's managers and the branch head "
                "may change this follow-up."
            )
        )
    report = follow_up.interaction if follow_up.interaction_id else None
    errors: dict = {}
    changes: dict = {}
    if assignee is not _UNSET and assignee != follow_up.assignee:
        _validate_assignee(assignee=assignee, client=follow_up.client, errors=errors, report=report)
        changes["assignee"] = assignee
    if due_at is not _UNSET and due_at != follow_up.due_at:
        if due_at is None:
            errors["due_at"] = _("Give a due time.")
        changes["due_at"] = due_at
    if note is not _UNSET and (report is None or (note or "") != follow_up.note):
        if report is not None and not policy.inside_wall(actor, report):
            raise PermissionDenied(
                _("The note of a confidential follow-up is written by those inside the wall.")
            )
        changes["note"] = note or ""
    if status is not _UNSET and status != follow_up.status:
        if status not in FollowUp.Status.values:
            errors["status"] = _("Unknown status.")
        changes["status"] = status
    if errors:
        raise ValidationError(errors)
    if not changes:
        return follow_up
    before = {f: getattr(follow_up, f) for f in changes}
    for field, value in changes.items():
        setattr(follow_up, field, value)
    fields = list(changes)
    confidential = bool(report is not None and report.confidential)
    if "due_at" in changes:
        follow_up.reminded_at = None
        fields.append("reminded_at")
    if "status" in changes:
        follow_up.completed_at = (
            timezone.now() if changes["status"] != FollowUp.Status.OPEN else None
        )
        fields.append("completed_at")
    follow_up.full_clean(exclude=["tenant", "client", "assignee", "created_by", "interaction"])
    with transaction.atomic():
        follow_up.save(update_fields=[*fields, "updated_at"])
        audit_record(
            action="followup.updated",
            actor=actor,
            target=follow_up,
            data=_audit_changes(
                {f: (before[f], v) for f, v in changes.items()}, confidential=confidential
            ),
        )
        if follow_up.status == FollowUp.Status.OPEN and "due_at" in changes:
            _enqueue_reminders_if_due(follow_up.tenant_id, follow_up.due_at)
    return follow_up


def followup_set_status(*, actor: User, follow_up: FollowUp, status: str) -> FollowUp:
    return followup_update(actor=actor, follow_up=follow_up, status=status)


def followup_snooze(*, actor: User, follow_up: FollowUp, until: datetime | None) -> FollowUp:
    """Move an open follow-up's due time to a later moment (reminded again then)."""
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError({"status": _("Only an open follow-up can be snoozed.")})
    if until is None or until <= timezone.now():
        raise ValidationError({"due_at": _("Snooze to a time in the future.")})
    return followup_update(actor=actor, follow_up=follow_up, due_at=until)


# --- settings and the calendar token ---------------------------------------------------------


def comm_settings_update(*, actor: User, **values) -> CommunicationSettings:
    """Tenant admin only."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))
    settings = comm_settings_get()
    before = {f: getattr(settings, f) for f in values}
    for field, value in values.items():
        setattr(settings, field, value)
    errors = {}
    if settings.digest_hour is not None and settings.digest_hour > 23:
        errors["digest_hour"] = _("An hour between 0 and 23.")
    for field in ("cadence_platinum_days", "cadence_gold_days", "cadence_silver_days"):
        if not getattr(settings, field):
            errors[field] = _("At least one day.")
    if errors:
        raise ValidationError(errors)
    settings.full_clean(exclude=["tenant"], validate_constraints=False)
    with transaction.atomic():
        settings.save()
        audit_record(
            action="communications.settings_changed",
            actor=actor,
            target=settings,
            data={f: [before[f], values[f]] for f in values},
        )
    return settings


def calendar_token_rotate(*, user: User) -> str:
    """Issue a new private feed token for ``user`` (the old one stops working).
    Returns the token; only its hash is stored."""
    if user.tenant_id is None:
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction.atomic():
        CalendarFeedToken.objects.update_or_create(
            user=user, defaults={"token_hash": digest, "created_at": timezone.now()}
        )
        audit_record(action="calendar.token_rotated", actor=user, target=user)
    return token


# --- notifications ---------------------------------------------------------------------------


def notification_mark_read(*, user: User, notifications: Iterable | None) -> int:
    """Mark the given notifications (or all of ``user``'s) read; one UPDATE."""
    from ..models import Notification

    qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notifications is not None:
        qs = qs.filter(pk__in=[n.pk for n in notifications])
    return qs.update(read_at=timezone.now())


def notifications_write(notices: list) -> int:
    """The notifications centre's sink for ``tenancy.notify``: one bulk insert
    in the caller's transaction and tenant scope."""
    from tenancy.context import require_tenant_id

    from ..models import Notification

    tenant_id = require_tenant_id()
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                tenant_id=tenant_id,
                recipient_id=n.recipient_id,
                title=n.title[:255],
                body=n.body,
                url=n.url[:500],
                created_at=n.created_at or now,
            )
            for n in notices
        ]
    )
    return len(rows)

"""Writes with rules for client-care events: create and edit an event,
invite clients (through the contact budget), the client's RSVP (capacity,
waitlist, promotion), the reminder sweep, check-in (timeline, points,
thank-you follow-up). Each runs in one transaction and is audited.

Lock order: the event row, then invitation rows, then the points account
(``points_earn``), then the tenant row (the audit chain, last). Inviting takes
the tenant's contact-budget lock (``dispatch_lock``) first, like every writer
of the budget.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.access import Tier, tenant_clients, visible_clients
from clients.models import Interest
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Tenant
from tenancy.notify import Notice, notify
from tenancy.schedules import enqueue_after_commit
from tenancy.timezones import tenant_zone

from ..models import Event, EventInvitation, EventKind, EventMessage, ServiceRecovery, SurveyChannel
from ..points.services import points_earn
from ..surveys.budget import budget_spent_q, channel_for, open_recovery_q
from ..surveys.config import survey_settings
from ..surveys.services import dispatch_lock
from . import policy

Status = EventInvitation.Status
SEATED = (Status.ACCEPTED, Status.ATTENDED)  # the seats taken
CHECK_IN_OPENS = timedelta(hours=2)  # before the start
CHECK_IN_LATE = timedelta(hours=6)  # after the start (or end), even past midnight
THANK_YOU_DAYS = 2
MAX_INVITES = 500  # per request

EVENT_FIELDS = (
    "title",
    "title_zh",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "location",
    "capacity",
    "target_tiers",
    "target_interests",
    "reminder_hours",
)


def _clean_event(event: Event) -> None:
    event.title = (event.title or "").strip()
    event.title_zh = (event.title_zh or "").strip()
    event.location = (event.location or "").strip()
    errors: dict[str, list] = {}
    if event.kind not in EventKind.values:
        errors["kind"] = [_("Choose a kind of event.")]
    tiers = event.target_tiers or []
    if not isinstance(tiers, list) or any(t not in Tier.values for t in tiers):
        errors["target_tiers"] = [_("Choose tiers from the list.")]
    interests = event.target_interests or []
    if not isinstance(interests, list) or any(i not in Interest.values for i in interests):
        errors["target_interests"] = [_("Choose interests from the list.")]
    if errors:
        raise ValidationError(errors)
    event.target_tiers = sorted(set(tiers))
    event.target_interests = sorted(set(interests))
    event.full_clean(exclude=["tenant", "branch", "created_by"])
    if event.ends_at is not None and event.ends_at < event.starts_at:
        raise ValidationError({"ends_at": [_("The event ends after it starts.")]})


def _seated(event: Event) -> int:
    return EventInvitation.objects.filter(event=event, status__in=SEATED).count()


def event_create(*, user, **values) -> Event:
    """A new event (admins and branch heads: PermissionDenied otherwise);
    ValidationError naming the field."""
    if not policy.can_create(user):
        raise PermissionDenied(_("Only tenant admins and branch heads organise events."))
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    event = Event(branch_id=user.branch_id, created_by=user, **values)
    _clean_event(event)
    if event.starts_at <= timezone.now():
        raise ValidationError({"starts_at": [_("A new event starts in the future.")]})
    with transaction.atomic():
        event.save()
        audit_record(
            action="loyalty.event_created",
            actor=user,
            target=event,
            data={"kind": event.kind, "capacity": event.capacity},
        )
    return event


def event_update(*, user, event: Event, **values) -> Event:
    """Change an event (``policy.can_edit``). Capacity may not drop below the
    seats already taken (ValidationError on ``capacity``); a raised capacity
    promotes the earliest waitlisted clients at once, in the same transaction."""
    if not policy.can_edit(user, event):
        raise PermissionDenied(_("You may not change this event."))
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        before = {f: getattr(locked, f) for f in EVENT_FIELDS}
        for field, value in values.items():
            setattr(locked, field, value)
        _clean_event(locked)
        seated = _seated(locked)
        if locked.capacity < seated:
            raise ValidationError(
                {
                    "capacity": [
                        _("%(n)s clients have accepted already; capacity cannot be lower.")
                        % {"n": seated}
                    ]
                }
            )
        changed = [f for f in EVENT_FIELDS if before[f] != getattr(locked, f)]
        locked.save(update_fields=[*changed, "updated_at"])
        promoted = _promote(locked, now=timezone.now(), seated=seated)
        audit_record(
            action="loyalty.event_updated",
            actor=user,
            target=locked,
            data={"changes": changed, "promoted": promoted},
        )
    return locked


# --- invitations ---------------------------------------------------------------------


def invitations_create(
    *, user, event: Event, client_ids, now: datetime | None = None
) -> list[EventInvitation]:
    """Invite the clients ``client_ids`` (all visible to ``user``) to a coming
    event, all or none: any client not visible, already invited, with an open
    service recovery or whose contact budget is spent refuses the whole
    request (ValidationError on ``clients`` naming the ids and the reason).
    A client with a consented channel gets the invitation through it; without,
    the invitation is a link only (channel ``link``, staff hand it over)."""
    if not policy.can_invite(user):
        raise PermissionDenied(_("Risk officers and compliance do not invite clients."))
    now = now or timezone.now()
    try:
        ids = sorted({int(i) for i in client_ids})
    except (TypeError, ValueError):
        raise ValidationError({"clients": [_("Give a list of client numbers.")]}) from None
    if not ids:
        raise ValidationError({"clients": [_("Choose at least one client.")]})
    if len(ids) > MAX_INVITES:
        raise ValidationError(
            {"clients": [_("At most %(n)s clients at a time.") % {"n": MAX_INVITES}]}
        )
    if event.starts_at <= now:
        raise ValidationError({"event": [_("This event has started; invitations are closed.")]})
    tenant_id = require_tenant_id()
    with transaction.atomic():
        dispatch_lock()
        clients = {
            c.pk: c
            for c in visible_clients(user).filter(pk__in=ids).select_for_update(of=("self",))
        }
        refusals: list[str] = []
        missing = [i for i in ids if i not in clients]
        if missing:
            refusals.append(_("no such client: %(ids)s") % {"ids": _ids(missing)})
        rows = tenant_clients().filter(pk__in=list(clients))
        invited = sorted(
            EventInvitation.objects.filter(event=event, client_id__in=list(clients)).values_list(
                "client_id", flat=True
            )
        )
        if invited:
            refusals.append(_("already invited: %(ids)s") % {"ids": _ids(invited)})
        recovering = sorted(rows.filter(open_recovery_q()).values_list("pk", flat=True))
        if recovering:
            refusals.append(_("open service recovery: %(ids)s") % {"ids": _ids(recovering)})
        spent = sorted(rows.filter(budget_spent_q(now=now)).values_list("pk", flat=True))
        if spent:
            refusals.append(
                _("contacted within the last %(days)s days: %(ids)s")
                % {"days": survey_settings().survey_interval_days, "ids": _ids(spent)}
            )
        if refusals:
            raise ValidationError({"clients": refusals})
        created = EventInvitation.objects.bulk_create(
            [
                EventInvitation(
                    tenant_id=tenant_id,
                    event=event,
                    client=clients[i],
                    channel=channel_for(clients[i]) or SurveyChannel.LINK,
                    invited_at=now,
                    created_by=user,
                )
                for i in ids
            ]
        )
        messages = [
            EventMessage(
                tenant_id=tenant_id,
                invitation=inv,
                kind=EventMessage.Kind.INVITATION,
                channel=inv.channel,
                created_at=now,
            )
            for inv in created
            if inv.channel != SurveyChannel.LINK
        ]
        EventMessage.objects.bulk_create(messages)
        if messages:
            enqueue_after_commit(
                "loyalty.tasks_events.event_messages_send", tenant_id=require_tenant_id()
            )
        audit_record(
            action="loyalty.event_invitations_sent",
            actor=user,
            target=event,
            data={"clients": ids, "sent": len(messages), "links": len(created) - len(messages)},
        )
    return created


def _ids(ids) -> str:
    return ", ".join(str(i) for i in ids)


# --- the client's answer -------------------------------------------------------------


class Gone(Exception):
    """The event has started: the RSVP link answers 410 and records nothing."""


def _promote(event: Event, *, now: datetime, seated: int | None = None) -> list[int]:
    """Move the earliest waitlisted clients into the free seats of a locked
    event, each with a message telling them; returns their invitation ids."""
    if event.starts_at <= now:
        return []
    free = event.capacity - (_seated(event) if seated is None else seated)
    if free <= 0:
        return []
    ids = list(
        EventInvitation.objects.filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    if not ids:
        return []
    EventInvitation.objects.filter(pk__in=ids).update(status=Status.ACCEPTED, waitlisted_at=None)
    promoted = EventInvitation.objects.filter(pk__in=ids).exclude(channel=SurveyChannel.LINK)
    EventMessage.objects.bulk_create(
        [
            EventMessage(
                tenant_id=require_tenant_id(),
                invitation_id=pk,
                kind=EventMessage.Kind.PROMOTED,
                channel=ch,
                created_at=now,
            )
            for pk, ch in promoted.values_list("pk", "channel")
        ],
        ignore_conflicts=True,  # promoted once already (then declined, waitlisted again)
    )
    enqueue_after_commit("loyalty.tasks_events.event_messages_send", tenant_id=require_tenant_id())
    return ids


def rsvp_answer(*, invitation_id: int, answer: str, now: datetime | None = None) -> EventInvitation:
    """The client's yes or no through its link, in the tenant scope the token
    named, until the event starts (Gone after: nothing recorded). A yes takes a
    seat while there is one, else joins the waitlist; a no from an accepted
    client frees its seat for the earliest waitlisted one (same transaction).
    The client may change its answer until the start. The event row is locked
    first, so two yeses at once never exceed the capacity."""
    now = now or timezone.now()
    if answer not in ("yes", "no"):
        raise ValidationError({"answer": [_("Answer yes or no.")]})
    with transaction.atomic():
        event_id = (
            EventInvitation.objects.filter(pk=invitation_id)
            .values_list("event_id", flat=True)
            .first()
        )
        if event_id is None:
            raise Http404
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.starts_at <= now:
            raise Gone
        invitation = EventInvitation.objects.select_for_update().get(pk=invitation_id)
        before = invitation.status
        if before == Status.ATTENDED:
            raise Gone
        if answer == "yes" and before not in (Status.ACCEPTED, Status.WAITLISTED):
            if _seated(event) < event.capacity:
                invitation.status, invitation.waitlisted_at = Status.ACCEPTED, None
            else:
                invitation.status, invitation.waitlisted_at = Status.WAITLISTED, now
        elif answer == "no":
            invitation.status, invitation.waitlisted_at = Status.DECLINED, None
        invitation.answered_at = now
        invitation.save(update_fields=["status", "waitlisted_at", "answered_at"])
        promoted = _promote(event, now=now) if before == Status.ACCEPTED else []
        audit_record(
            action="loyalty.event_rsvp",
            target=invitation,
            data={
                "event": event.pk,
                "client": invitation.client_id,
                "from": before,
                "to": invitation.status,
                "promoted": promoted,
            },
        )
    return invitation


# --- reminders -----------------------------------------------------------------------


def event_reminders_due(*, now: datetime | None = None) -> int:
    """Write the reminder for every accepted client of a coming event whose
    reminder time (``starts_at − reminder_hours``) has come — exactly once
    (INSERT … ON CONFLICT DO NOTHING on the unique invitation and kind), so a
    second sweep or a retry writes nothing. Link-only invitations get none."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            EventInvitation.objects.filter(status=Status.ACCEPTED, event__starts_at__gt=now)
            .exclude(channel=SurveyChannel.LINK)
            .filter(event__starts_at__lte=now + timedelta(hours=720))
            .exclude(messages__kind=EventMessage.Kind.REMINDER)
            .values_list("pk", "channel", "event__starts_at", "event__reminder_hours")
        )
        rows = [
            EventMessage(
                tenant_id=require_tenant_id(),
                invitation_id=pk,
                kind=EventMessage.Kind.REMINDER,
                channel=ch,
                created_at=now,
            )
            for pk, ch, starts, hours in due
            if starts - timedelta(hours=hours) <= now
        ]
        written = EventMessage.objects.bulk_create(rows, ignore_conflicts=True)
        if written:
            enqueue_after_commit(
                "loyalty.tasks_events.event_messages_send", tenant_id=require_tenant_id()
            )
    return len(rows)


# --- check-in ------------------------------------------------------------------------


def check_in_window(event: Event) -> tuple[datetime, datetime]:
    """Check-in opens ``CHECK_IN_OPENS`` before the start and closes at the
    end of the event's last day in the tenant's time zone, but never sooner
    than ``CHECK_IN_LATE`` after the event's end (or start, without an end):
    a dinner that starts at 23:30 can still be checked in at 00:10."""
    zone = tenant_zone()
    last_moment = event.ends_at or event.starts_at
    last = timezone.localtime(last_moment, zone).date()
    midnight = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return event.starts_at - CHECK_IN_OPENS, max(midnight, last_moment + CHECK_IN_LATE)


def check_in(*, user, invitation: EventInvitation, now: datetime | None = None) -> EventInvitation:
    """Mark a client at the door as attended (``invitation`` came from the
    user's selectors, so the client is visible). Idempotent: a second check-in
    changes nothing. Accepted and waitlisted clients may be checked in, within
    ``check_in_window`` (ValidationError on ``status`` / ``event``). Attendance
    earns the tenant's event points once (``points_earn``, keyed by event and
    client) and opens a thank-you follow-up for the client's active dedicated
    manager, due two days later."""
    if not policy.can_check_in(user):
        raise PermissionDenied(_("Risk officers and compliance do not check clients in."))
    now = now or timezone.now()
    opens, closes = check_in_window(invitation.event)
    with transaction.atomic():
        inv = (
            EventInvitation.objects.select_for_update(of=("self",))
            .select_related("event", "client__dedicated_manager")
            .get(pk=invitation.pk)
        )
        if inv.status == Status.ATTENDED:
            return inv
        if not opens <= now < closes:
            raise ValidationError(
                {
                    "event": [
                        _(
                            "Check-in is open from two hours before the start until the end of "
                            "the event day, and at least six hours after the event."
                        )
                    ]
                }
            )
        if inv.status not in (Status.ACCEPTED, Status.WAITLISTED):
            raise ValidationError({"status": [_("Only clients who said yes can be checked in.")]})
        before = inv.status
        inv.status, inv.attended_at, inv.checked_in_by = Status.ATTENDED, now, user
        inv.save(update_fields=["status", "attended_at", "checked_in_by"])
        client = inv.client
        entry = points_earn(
            client=client,
            reason=_("Attended %(event)s") % {"event": inv.event.title},
            source_key=f"event:{inv.event_id}:client:{client.pk}",
            user=user,
        )
        manager = client.dedicated_manager
        thank_you = None
        if manager is not None and manager.is_active:
            thank_you, created = ServiceRecovery.objects.get_or_create(
                invitation=inv,
                defaults={
                    "kind": ServiceRecovery.Kind.THANK_YOU,
                    "client": client,
                    "manager": manager,
                    "opened_at": now,
                    "due_at": now + timedelta(days=THANK_YOU_DAYS),
                },
            )
            if created:
                locale = manager.language or Tenant.objects.get(pk=inv.tenant_id).locale
                with translation.override(locale):
                    notify(
                        [
                            Notice(
                                recipient_id=manager.pk,
                                title=_("%(client)s came to %(event)s: say thank you")
                                % {"client": client.name, "event": inv.event.title},
                                url=reverse("loyalty:recovery", args=[thank_you.pk]),
                                created_at=now,
                            )
                        ]
                    )
        audit_record(
            action="loyalty.event_checked_in",
            actor=user,
            target=inv,
            data={
                "event": inv.event_id,
                "client": client.pk,
                "from": before,
                "points": entry.points,
                "follow_up": thank_you.pk if thank_you else None,
            },
        )
    return inv


def accepted_count(event: Event) -> int:
    return _seated(event)


__all__ = [
    "Gone",
    "accepted_count",
    "check_in",
    "check_in_window",
    "event_create",
    "event_reminders_due",
    "event_update",
    "invitations_create",
    "rsvp_answer",
]

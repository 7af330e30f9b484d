"""Background services: due reminders, the branch heads' overdue digest and
the revisit-cadence job (split from services.py, which passed ~400 lines).

They run inside one tenant's scope (the tasks' ``@tenant_task``) and are
idempotent:

- the reminder claim locks due rows with ``select_for_update(skip_locked=True)``
  in batches and writes the batch's ledger rows (unique per follow-up and due
  time), in-app notifications and ``reminded_at`` in bulk, in the batch's own
  transaction; a second sweep, a concurrent worker or a retry after a crash
  (even kill -9) finds nothing left to claim, or hits the ledger's constraint;
- emails go out after commit, one task per batch over one SMTP connection,
  which locks the rows and sets ``emailed_at`` (the outbox state): a lost
  enqueue is re-enqueued by the next sweep;
- the digest has a ledger row per branch head and local day; the cadence job
  relies on a partial unique constraint (one open revisit per client).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings as django_settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.models import Client
from tenancy.audit import audit_record
from tenancy.bulk import insert_returning_ids
from tenancy.context import require_tenant_id
from tenancy.models import Role, Tenant
from tenancy.schedules import enqueue_after_commit
from tenancy.selectors import tenant_staff
from tenancy.timezones import ZoneInfo, tenant_zone

from ..models import FollowUp, Notification, ReminderDispatch
from ..selectors import comm_settings_get, followup_list, revisit_due_clients

REMINDER_BATCH = 1000
REVISIT_BATCH = 1000  # revisit follow-ups built and inserted at a time
DISPATCH_COLUMNS = [
    "tenant_id",
    "kind",
    "follow_up_id",
    "due_at",
    "recipient_id",
    "subject",
    "body",
    "created_at",
]
NOTIFICATION_COLUMNS = [
    "tenant_id",
    "recipient_id",
    "title",
    "body",
    "url",
    "follow_up_id",
    "created_at",
]
EMAIL_RETRY_AFTER = timedelta(minutes=10)


def _tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def _local(dt: datetime, tz: ZoneInfo) -> str:
    return date_format(dt.astimezone(tz), "DATETIME_FORMAT")


def _copy_note(follow_up: FollowUp) -> str:
    """A follow-up's note as copied into a notification, the reminder ledger
    and an email: never the note of one made from a confidential report (the
    copy outlives any change of managers and leaves Steward by email)."""
    confidential = getattr(follow_up, "confidential", None)
    if confidential is None:
        confidential = bool(follow_up.interaction_id and follow_up.interaction.confidential)
    return _note_copy(follow_up.note, confidential or getattr(follow_up, "note_hidden", False))


def _note_copy(note: str, confidential: bool) -> str:
    return _("Confidential follow-up: open Steward to read it.") if confidential else note


def _enqueue_emails(tenant_id: int, dispatch_ids: list[int]) -> None:
    """One email task per batch of ledger rows (one SMTP connection each)."""
    if dispatch_ids:
        enqueue_after_commit(
            "communications.tasks.reminder_emails_send",
            tenant_id=tenant_id,
            dispatch_ids=list(dispatch_ids),
        )


# --- due reminders -----------------------------------------------------------------


def followup_reminders_claim(
    *, now: datetime | None = None, batch_size: int = REMINDER_BATCH
) -> list[int]:
    """Claim up to ``batch_size`` due, unreminded open follow-ups of the tenant
    in scope (row locks, ``skip_locked``: a concurrent worker claims others);
    write their ledger rows, notifications and ``reminded_at`` in bulk — a
    handful of queries per batch, whatever its size. Emails are enqueued after
    commit, one task for the batch. Returns the ids of the follow-ups
    reminded."""
    now = now or timezone.now()
    tenant = _tenant()
    tz = tenant_zone(tenant)
    claimed = list(
        FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=FollowUp.Status.OPEN, reminded_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list(
            "id", "due_at", "note", "assignee_id", "client__name", "interaction__confidential"
        )[:batch_size]
    )
    if not claimed:
        return []
    # already reminded for this due time (someone cleared reminded_at): the
    # ledger says so — only mark them. The unique (follow-up, due time) stays
    # the guard: a row slipping past this check fails the batch, which rolls
    # back whole and is claimed again.
    ledger = set(
        ReminderDispatch.objects.filter(
            kind=ReminderDispatch.Kind.DUE, follow_up__in=[row[0] for row in claimed]
        ).values_list("follow_up_id", "due_at")
    )
    url = reverse("communications:followups")
    due_texts: dict[datetime, str] = {}  # a backlog shares due times: format each once
    due_kind = ReminderDispatch.Kind.DUE.value
    dispatches, notifications = [], []
    with translation.override(tenant.locale):
        for pk, due_at, note, assignee_id, client_name, confidential in claimed:
            if (pk, due_at) in ledger:
                continue
            if due_at not in due_texts:
                due_texts[due_at] = _local(due_at, tz)
            title = _("Follow-up due: %(client)s") % {"client": client_name}
            body = _("Due %(due)s. %(note)s") % {
                "due": due_texts[due_at],
                "note": _note_copy(note, bool(confidential)),
            }
            text = f"{body}\n\n{url}"
            dispatches.append((tenant.pk, due_kind, pk, due_at, assignee_id, title, text, now))
            notifications.append((tenant.pk, assignee_id, title, body, url, pk, now))
    # plain rows, one INSERT each (tenancy.bulk): the ORM's per-value preparation
    # was half of a batch's time
    dispatch_ids = insert_returning_ids(ReminderDispatch, DISPATCH_COLUMNS, dispatches)
    insert_returning_ids(Notification, NOTIFICATION_COLUMNS, notifications)
    reminded = [row[0] for row in claimed]
    FollowUp.objects.filter(pk__in=reminded).update(reminded_at=now)
    _enqueue_emails(tenant.pk, dispatch_ids)
    return reminded


def reminder_emails_pending(*, now: datetime | None = None) -> list[int]:
    """Ledger rows whose email never went out (a lost enqueue or a crash)."""
    now = now or timezone.now()
    return list(
        ReminderDispatch.objects.filter(
            emailed_at__isnull=True, created_at__lt=now - EMAIL_RETRY_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )


def reminder_emails_requeue(*, now: datetime | None = None) -> int:
    ids = reminder_emails_pending(now=now)
    _enqueue_emails(require_tenant_id(), ids)
    return len(ids)


def reminder_emails_deliver(*, dispatch_ids: list[int]) -> int:
    """Send the emails of these ledger rows that have not gone out, over one
    SMTP connection, and mark them sent. The row locks (``skip_locked``) keep
    two workers from sending the same row; a row sent already is skipped. If
    the connection fails midway the transaction rolls back and the task
    retries the batch: an email may then go twice, never zero times."""
    rows = list(
        ReminderDispatch.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=dispatch_ids, emailed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "subject", "body", "recipient__email", "recipient__is_active")
    )
    if not rows:
        return 0
    messages = [
        EmailMessage(subject, body, django_settings.DEFAULT_FROM_EMAIL, [email])
        for _pk, subject, body, email, active in rows
        if email and active
    ]
    if messages:
        with get_connection() as smtp:
            smtp.send_messages(messages)
    ReminderDispatch.objects.filter(pk__in=[row[0] for row in rows]).update(
        emailed_at=timezone.now()
    )
    return len(rows)


# --- overdue digest to branch heads ------------------------------------------------------------


def overdue_digest_send(*, now: datetime | None = None) -> int:
    """Once per local day, at or after the tenant's digest hour (in the
    tenant's time zone, so daylight-saving changes move it with the clock),
    each branch head gets a summary of the overdue follow-ups of their branch
    subtree. Returns the number of digests sent."""
    now = now or timezone.now()
    tenant = _tenant()
    tz = tenant_zone(tenant)
    local_now = now.astimezone(tz)
    if local_now.hour < comm_settings_get().digest_hour:
        return 0
    heads = tenant_staff().filter(role=Role.BRANCH_HEAD, is_active=True).select_related("branch")
    sent, dispatch_ids = 0, []
    with translation.override(tenant.locale):
        for head in heads:
            try:
                with transaction.atomic():
                    dispatch = ReminderDispatch.objects.create(
                        kind=ReminderDispatch.Kind.DIGEST,
                        recipient=head,
                        digest_date=local_now.date(),
                        created_at=now,
                    )
            except IntegrityError:
                continue  # today's digest went out already
            overdue = followup_list(user=head).filter(status=FollowUp.Status.OPEN, due_at__lt=now)
            count = overdue.count()
            if count == 0:
                dispatch.emailed_at = now  # nothing to tell; the day is done
                dispatch.save(update_fields=["emailed_at"])
                continue
            lines = [
                f"- {fu.client.name} · {fu.assignee.get_full_name() or fu.assignee.username} · "
                f"{_local(fu.due_at, tz)} · {_copy_note(fu)[:80]}"
                for fu in overdue[:50]
            ]
            title = _("%(count)s overdue follow-ups in your branch") % {"count": count}
            body = "\n".join(lines)
            dispatch.subject, dispatch.body = title, body
            dispatch.save(update_fields=["subject", "body"])
            Notification.objects.create(
                recipient=head,
                title=title,
                body=body,
                url=reverse("communications:followups") + "?scope=team&when=overdue",
                created_at=now,
            )
            dispatch_ids.append(dispatch.pk)
            sent += 1
    _enqueue_emails(tenant.pk, dispatch_ids)
    return sent


# --- revisit cadence ------------------------------------------------------------------


def revisit_followups_open(*, now: datetime | None = None) -> int:
    """Open one revisit follow-up, for its dedicated manager, per key client
    not contacted within its tier's cadence — never a second while one is
    open (the service filters, the partial unique constraint guarantees it
    under concurrency). Returns how many were opened."""
    now = now or timezone.now()
    open_revisit = FollowUp.objects.filter(
        client=OuterRef("pk"), kind=FollowUp.Kind.REVISIT, status=FollowUp.Status.OPEN
    )
    due = (
        revisit_due_clients(clients=Client.objects.all(), now=now)
        .filter(dedicated_manager__isnull=False, dedicated_manager__is_active=True)
        .exclude(Exists(open_revisit))
        .values_list("pk", "dedicated_manager_id", "last_contacted_at")
    )
    tenant_id = require_tenant_id()

    def follow_up(client_id, manager_id, last) -> FollowUp:
        return FollowUp(
            tenant_id=tenant_id,
            client_id=client_id,
            assignee_id=manager_id,
            kind=FollowUp.Kind.REVISIT,
            due_at=now,
            created_at=now,
            note=_("Revisit due: last contacted %(date)s.")
            % {"date": date_format(last, "DATE_FORMAT") if last else _("never")},
        )

    # a batch at a time from one query (a server-side cursor): a worker holds
    # REVISIT_BATCH follow-ups, not one per key client due (5,016 at bench size)
    with transaction.atomic():
        before = FollowUp.objects.filter(kind=FollowUp.Kind.REVISIT, created_at=now).count()
        found = due.iterator(chunk_size=REVISIT_BATCH)
        while batch := list(islice(found, REVISIT_BATCH)):
            FollowUp.objects.bulk_create(
                [follow_up(*row) for row in batch], batch_size=REVISIT_BATCH, ignore_conflicts=True
            )
        opened = (
            FollowUp.objects.filter(kind=FollowUp.Kind.REVISIT, created_at=now).count() - before
        )
    if opened:
        audit_record(action="followup.revisits_opened", data={"count": opened, "at": now})
    return opened

"""Background services: due reminders, the branch heads' overdue digest and
the revisit-cadence job (split from services.py, which passed ~400 lines).

They run inside one tenant's scope (the tasks' ``@tenant_task``) and are
idempotent:

- the reminder claim locks due rows with ``select_for_update(skip_locked=True)``
  in batches, writes the ledger row (unique per follow-up and due time), the
  in-app notification and ``reminded_at`` in the task's one transaction; a
  second sweep, a concurrent worker or a retry after a crash finds nothing
  left to claim, or hits the ledger's constraint;
- emails go out after commit, one task per ledger row, which locks the row and
  sets ``emailed_at`` (the outbox state): a lost enqueue is re-enqueued by the
  next sweep;
- the digest has a ledger row per branch head and local day; the cadence job
  relies on a partial unique constraint (one open revisit per client).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.models import Client
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Role, Tenant
from tenancy.schedules import enqueue_after_commit
from tenancy.selectors import tenant_staff
from tenancy.timezones import ZoneInfo, tenant_zone

from ..models import FollowUp, Notification, ReminderDispatch
from ..selectors import comm_settings_get, followup_list, revisit_due_clients

REMINDER_BATCH = 200
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
    if confidential or getattr(follow_up, "note_hidden", False):
        return _("Confidential follow-up: open Steward to read it.")
    return follow_up.note


def _enqueue_emails(tenant_id: int, dispatch_ids: list[int]) -> None:
    if not dispatch_ids:
        return
    for dispatch_id in dispatch_ids:
        enqueue_after_commit(
            "communications.tasks.reminder_email_send", tenant_id=tenant_id, dispatch_id=dispatch_id
        )


# --- due reminders -----------------------------------------------------------------


def followup_reminders_claim(
    *, now: datetime | None = None, batch_size: int = REMINDER_BATCH
) -> list[int]:
    """Claim up to ``batch_size`` due, unreminded open follow-ups of the tenant
    in scope; for each, write the ledger row and the notification and set
    ``reminded_at``. Emails are enqueued after commit. Returns the ids of the
    follow-ups reminded."""
    now = now or timezone.now()
    tenant = _tenant()
    tz = tenant_zone(tenant)
    claimed = list(
        FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=FollowUp.Status.OPEN, reminded_at__isnull=True, due_at__lte=now)
        .select_related("client", "assignee", "interaction")
        .order_by("due_at", "id")[:batch_size]
    )
    reminded, dispatch_ids, notifications = [], [], []
    with translation.override(tenant.locale):
        for fu in claimed:
            title = _("Follow-up due: %(client)s") % {"client": fu.client.name}
            body = _("Due %(due)s. %(note)s") % {
                "due": _local(fu.due_at, tz),
                "note": _copy_note(fu),
            }
            url = reverse("communications:followups")
            try:
                with transaction.atomic():
                    dispatch = ReminderDispatch.objects.create(
                        kind=ReminderDispatch.Kind.DUE,
                        follow_up=fu,
                        due_at=fu.due_at,
                        recipient=fu.assignee,
                        subject=title,
                        body=f"{body}\n\n{url}",
                        created_at=now,
                    )
            except IntegrityError:
                # already reminded for this due time (the ledger says so): only mark it
                reminded.append(fu.pk)
                continue
            dispatch_ids.append(dispatch.pk)
            reminded.append(fu.pk)
            notifications.append(
                Notification(
                    tenant_id=tenant.pk,
                    recipient=fu.assignee,
                    title=title,
                    body=body,
                    url=url,
                    follow_up=fu,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(notifications)
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


def reminder_email_deliver(*, dispatch_id: int) -> bool:
    """Send one ledger row's email unless it went out already. The row lock
    keeps two workers from sending it at once."""
    dispatch = (
        ReminderDispatch.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=dispatch_id, emailed_at__isnull=True)
        .first()
    )
    if dispatch is None:
        return False
    if dispatch.recipient.email and dispatch.recipient.is_active:
        send_mail(
            dispatch.subject,
            dispatch.body,
            django_settings.DEFAULT_FROM_EMAIL,
            [dispatch.recipient.email],
        )
    dispatch.emailed_at = timezone.now()
    dispatch.save(update_fields=["emailed_at"])
    return True


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
    rows = [
        FollowUp(
            tenant_id=tenant_id,
            client_id=client_id,
            assignee_id=manager_id,
            kind=FollowUp.Kind.REVISIT,
            due_at=now,
            created_at=now,
            note=_("Revisit due: last contacted %(date)s.")
            % {"date": date_format(last, "DATE_FORMAT") if last else _("never")},
        )
        for client_id, manager_id, last in due.iterator(chunk_size=2000)
    ]
    before = FollowUp.objects.filter(kind=FollowUp.Kind.REVISIT, created_at=now).count()
    FollowUp.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    opened = FollowUp.objects.filter(kind=FollowUp.Kind.REVISIT, created_at=now).count() - before
    if opened:
        audit_record(action="followup.revisits_opened", data={"count": opened, "at": now})
    return opened

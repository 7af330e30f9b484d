"""Survey dispatch: set-based sweeps over the tenant's key clients and an
outbox of messages.

``survey_dispatch_due`` runs in one tenant's scope and one transaction (the
task's), under the tenant's dispatch lock (``services.dispatch_lock``):

1. after a meeting or visit: key clients whose ``last_met_at`` is at least
   ``after_meeting_delay_hours`` old (and at most a week beyond that, so an
   old meeting is not surveyed the day this ships);
2. after a closed service recovery: ``resurvey_after_recovery_days`` after it
   closed (within a 30-day window), whatever the survey interval — this is
   the survey that tells whether the recovery worked;
3. periodically: key clients not surveyed for ``periodic_interval_days``.

Every step is one ``INSERT … SELECT`` (no per-client Python) that skips
clients whose contact budget is spent (``budget``: another outreach within
the survey interval, an open service recovery, no consent for any channel).
The unique ``(tenant, client, reason, trigger_key)`` of the ledger plus
``ON CONFLICT DO NOTHING`` make a retry or a second sweep insert nothing;
the advisory lock makes a concurrent sweep wait and then see the first's
rows. A crash rolls the whole sweep back; the rerun sends exactly once.

The messages (invitation, reminder 1 and 2) are rows of ``SurveyMessage``
(unique per invitation and kind), written by the sweep in the same
transaction and delivered after commit by ``survey_messages_deliver``,
which claims undelivered rows with ``skip_locked``: a lost enqueue or a
crashed sender is picked up by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.access import tenant_clients
from tenancy.context import require_tenant_id
from tenancy.schedules import enqueue_after_commit

from ..models import ServiceRecovery, SurveyChannel, SurveyInvitation, SurveyMessage
from ..outbox import outbox_deliver
from .budget import budget_spent_q, channel_expression, open_recovery_q
from .channels import address_for
from .config import survey_settings
from .links import invitation_url
from .services import dispatch_lock, survey_defaults_ensure

AFTER_MEETING_WINDOW = timedelta(days=7)
AFTER_RECOVERY_WINDOW = timedelta(days=30)
DELIVERY_BATCH = 200

INVITATION_COLUMNS = (
    "tenant_id",
    "client_id",
    "survey_id",
    "reason",
    "trigger_key",
    "channel",
    "status",
    "sent_at",
    "expires_at",
)
MESSAGE_COLUMNS = ("tenant_id", "invitation_id", "kind", "channel", "created_at")


@dataclass(frozen=True)
class DispatchResult:
    after_meeting: int = 0
    after_recovery: int = 0
    periodic: int = 0
    reminders: int = 0
    expired: int = 0

    @property
    def invited(self) -> int:
        return self.after_meeting + self.after_recovery + self.periodic


def _insert_select(table: str, columns: tuple[str, ...], rows: QuerySet) -> int:
    """``INSERT INTO table (columns) SELECT …`` from ``rows`` (a ``values()``
    queryset of exactly these annotations, in this order), skipping rows the
    ledger's unique constraint already holds. Returns how many were inserted."""
    sql, params = rows.order_by().query.sql_with_params()
    qn = connection.ops.quote_name
    statement = (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) {sql} "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _key_clients(*, now: datetime) -> QuerySet:
    """The tenant's key clients (active, with an active dedicated manager),
    with the channel a survey would reach them through (NULL: no consent)."""
    return (
        tenant_clients()
        .filter(
            lifecycle="active",
            dedicated_manager__isnull=False,
            dedicated_manager__is_active=True,
        )
        .annotate(c_channel=channel_expression())
        .filter(c_channel__isnull=False)
        .exclude(open_recovery_q())
    )


def _invitation_rows(qs: QuerySet, *, survey_id: int, reason: str, key, now, expires) -> QuerySet:
    return qs.annotate(
        c_tenant=Value(require_tenant_id(), output_field=IntegerField()),
        c_client=F("pk"),
        c_survey=Value(survey_id, output_field=IntegerField()),
        c_reason=Value(reason, output_field=CharField()),
        c_key=key,
        c_status=Value(SurveyInvitation.Status.SENT.value, output_field=CharField()),
        c_sent=Value(now, output_field=DateTimeField()),
        c_expires=Value(expires, output_field=DateTimeField()),
    ).values(
        "c_tenant",
        "c_client",
        "c_survey",
        "c_reason",
        "c_key",
        "c_channel",
        "c_status",
        "c_sent",
        "c_expires",
    )


def _invite(rows: QuerySet) -> int:
    return _insert_select(SurveyInvitation._meta.db_table, INVITATION_COLUMNS, rows)


def _after_meeting(*, now, survey_id, settings, expires) -> int:
    delay = timedelta(hours=settings.after_meeting_delay_hours)
    due = (
        _key_clients(now=now)
        .filter(last_met_at__lte=now - delay, last_met_at__gt=now - delay - AFTER_MEETING_WINDOW)
        .exclude(budget_spent_q(now=now))
        # not surveyed since that meeting (whatever the interval)
        .exclude(
            Exists(
                SurveyInvitation.objects.filter(
                    client_id=OuterRef("pk"), sent_at__gte=OuterRef("last_met_at")
                )
            )
        )
    )
    key = Concat(Value("met:"), Cast("last_met_at", CharField()), output_field=CharField())
    return _invite(
        _invitation_rows(
            due,
            survey_id=survey_id,
            reason=SurveyInvitation.Reason.AFTER_MEETING,
            key=key,
            now=now,
            expires=expires,
        )
    )


def _after_recovery(*, now, survey_id, settings, expires) -> int:
    after = timedelta(days=settings.resurvey_after_recovery_days)
    closed = ServiceRecovery.objects.filter(
        client_id=OuterRef("pk"),
        kind=ServiceRecovery.Kind.RECOVERY,
        status=ServiceRecovery.Status.CLOSED,
        closed_at__lte=now - after,
        closed_at__gt=now - after - AFTER_RECOVERY_WINDOW,
    ).order_by("-closed_at", "-pk")
    due = (
        _key_clients(now=now)
        .annotate(c_recovery=Subquery(closed.values("pk")[:1]))
        .filter(c_recovery__isnull=False)
        # not surveyed since the recovery closed
        .exclude(
            Exists(
                SurveyInvitation.objects.filter(
                    client_id=OuterRef("pk"),
                    sent_at__gte=Subquery(closed.values("closed_at")[:1]),
                )
            )
        )
    )
    key = Concat(Value("recovery:"), Cast("c_recovery", CharField()), output_field=CharField())
    return _invite(
        _invitation_rows(
            due,
            survey_id=survey_id,
            reason=SurveyInvitation.Reason.AFTER_RECOVERY,
            key=key,
            now=now,
            expires=expires,
        )
    )


def _periodic(*, now, survey_id, settings, expires) -> int:
    since = now - timedelta(days=settings.periodic_interval_days)
    last = SurveyInvitation.objects.filter(client_id=OuterRef("pk")).order_by("-sent_at", "-pk")
    due = (
        _key_clients(now=now)
        .exclude(
            Exists(SurveyInvitation.objects.filter(client_id=OuterRef("pk"), sent_at__gt=since))
        )
        .exclude(budget_spent_q(now=now))
        .annotate(c_last=Coalesce(Subquery(last.values("pk")[:1]), Value(0)))
    )
    # the round follows the last invitation: a retry of the same round collides
    key = Concat(Value("periodic:"), Cast("c_last", CharField()), output_field=CharField())
    return _invite(
        _invitation_rows(
            due,
            survey_id=survey_id,
            reason=SurveyInvitation.Reason.PERIODIC,
            key=key,
            now=now,
            expires=expires,
        )
    )


def _messages_for(invitations: QuerySet, kind: str, now: datetime) -> int:
    rows = (
        invitations.exclude(channel=SurveyChannel.LINK)
        .annotate(
            c_tenant=Value(require_tenant_id(), output_field=IntegerField()),
            c_invitation=F("pk"),
            c_kind=Value(kind, output_field=CharField()),
            c_channel=F("channel"),
            c_created=Value(now, output_field=DateTimeField()),
        )
        .values("c_tenant", "c_invitation", "c_kind", "c_channel", "c_created")
    )
    return _insert_select(SurveyMessage._meta.db_table, MESSAGE_COLUMNS, rows)


def _reminders(*, now, settings) -> int:
    """Reminders only to non-respondents of a live link, at most two."""
    live = SurveyInvitation.objects.filter(status=SurveyInvitation.Status.SENT, expires_at__gt=now)
    sent_kind = SurveyMessage.objects.filter(invitation_id=OuterRef("pk"))
    first = live.filter(sent_at__lte=now - timedelta(days=settings.first_reminder_days))
    n = _messages_for(first, SurveyMessage.Kind.REMINDER_1, now)
    # the second keeps its distance from the first too: after sweeps that did not run
    # for a while, a client gets the first reminder now and the second days later,
    # never both in one week's first two sweeps
    spacing = timedelta(days=settings.second_reminder_days - settings.first_reminder_days)
    second = live.filter(sent_at__lte=now - timedelta(days=settings.second_reminder_days)).filter(
        Exists(sent_kind.filter(kind=SurveyMessage.Kind.REMINDER_1, created_at__lte=now - spacing))
    )
    return n + _messages_for(second, SurveyMessage.Kind.REMINDER_2, now)


def survey_dispatch_due(*, now: datetime | None = None) -> DispatchResult:
    """Invite every due key client of the tenant in scope once, write the
    reminders due, mark expired links; enqueue the delivery after commit."""
    now = now or timezone.now()
    settings = survey_settings()
    expires = now + timedelta(days=settings.link_validity_days)
    with transaction.atomic():
        dispatch_lock()
        survey_id = survey_defaults_ensure().pk
        kw = {"now": now, "survey_id": survey_id, "settings": settings, "expires": expires}
        after_meeting = _after_meeting(**kw)
        after_recovery = _after_recovery(**kw)
        periodic = _periodic(**kw)
        new = SurveyInvitation.objects.filter(
            sent_at=now,
            reason__in=[
                SurveyInvitation.Reason.AFTER_MEETING,
                SurveyInvitation.Reason.AFTER_RECOVERY,
                SurveyInvitation.Reason.PERIODIC,
            ],
        )
        _messages_for(new, SurveyMessage.Kind.INVITATION, now)
        reminders = _reminders(now=now, settings=settings)
        expired = SurveyInvitation.objects.filter(
            status=SurveyInvitation.Status.SENT, expires_at__lte=now
        ).update(status=SurveyInvitation.Status.EXPIRED)
        enqueue_after_commit("loyalty.tasks.survey_messages_send", tenant_id=require_tenant_id())
    return DispatchResult(after_meeting, after_recovery, periodic, reminders, expired)


# --- delivery -------------------------------------------------------------------------


def _texts(message: SurveyMessage, url: str) -> tuple[str, str]:
    inv = message.invitation
    question = inv.survey.question_in(inv.client.language)
    if message.kind == SurveyMessage.Kind.INVITATION:
        subject = _("A short question from your relationship manager")
    else:
        subject = _("Reminder: a short question from your relationship manager")
    body = _(
        "Dear %(name)s,\n\n%(question)s\n\nAnswer with one click (the link works once, "
        "until %(until)s):\n%(url)s\n\nThank you."
    ) % {
        "name": inv.client.name,
        "question": question,
        "until": timezone.localtime(inv.expires_at).strftime("%Y-%m-%d"),
        "url": url,
    }
    return subject, body


def survey_messages_deliver(
    *, batch_size: int = DELIVERY_BATCH, now: datetime | None = None
) -> int:
    """Send the outbox's pending messages, a batch at a time, in the
    client's language; rows another worker holds are skipped (it sends them).
    A reminder whose link was answered or expired meanwhile is dropped."""
    return outbox_deliver(
        SurveyMessage.objects.filter(delivered_at__isnull=True).select_related(
            "invitation__client", "invitation__survey"
        ),
        compose=_compose,
        batch_size=batch_size,
        now=now,
    )


def _compose(message: SurveyMessage, tenant, now: datetime):
    inv = message.invitation
    if inv.status != SurveyInvitation.Status.SENT or inv.expires_at <= now:
        return None
    to = address_for(message.channel, inv.client)
    if not to:
        return None
    url = invitation_url(tenant_id=inv.tenant_id, invitation_id=inv.pk)
    with translation.override(inv.client.language):
        subject, body = _texts(message, url)
    return to, subject, body

"""Interactions (call reports), follow-ups, revisit cadences, reminders and
notifications.

Due work lives in rows: a follow-up's ``due_at`` / ``reminded_at`` and the
``ReminderDispatch`` ledger, whose unique constraints make a second reminder for
the same follow-up (at the same due time) or a second daily digest impossible.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel


class CommunicationSettings(TenantOwnedModel):
    """Per-tenant rules: edit window of call reports, revisit cadence per tier,
    and the local hour of the branch heads' overdue digest."""

    edit_window_hours = models.PositiveIntegerField(_("edit window (hours)"), default=24)
    cadence_platinum_days = models.PositiveIntegerField(
        _("revisit cadence: platinum (days)"), default=30
    )
    cadence_gold_days = models.PositiveIntegerField(_("revisit cadence: gold (days)"), default=60)
    cadence_silver_days = models.PositiveIntegerField(
        _("revisit cadence: silver (days)"), default=90
    )
    digest_hour = models.PositiveSmallIntegerField(_("overdue digest hour (local time)"), default=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("communication settings")
        verbose_name_plural = _("communication settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="commsettings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23), name="commsettings_digest_hour_0_23"
            ),
        ]

    def cadence_days(self) -> dict[str, int]:
        """Tier → days; tiers not listed (standard) have no cadence."""
        return {
            "platinum": self.cadence_platinum_days,
            "gold": self.cadence_gold_days,
            "silver": self.cadence_silver_days,
        }


class Interaction(TenantOwnedModel):
    """A call report: one contact with a client."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        EVENT = "event", _("Event")
        MESSAGE = "message", _("Message")

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    # The channel a kind of contact uses (Client.Channel values), for the
    # consent and contact-hours warnings.
    KIND_CHANNEL = {
        "meeting": "in_person",
        "visit": "in_person",
        "event": "in_person",
        "call": "phone",
        "email": "email",
        "message": "message",
    }

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("client"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only attendees, the client's managers and compliance can read it."),
    )
    contacts = models.ManyToManyField(
        "clients.ContactPerson",
        through="InteractionContact",
        related_name="+",
        blank=True,
        verbose_name=_("client-side attendees"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="InteractionAttendee",
        related_name="+",
        blank=True,
        verbose_name=_("bank-side attendees"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "client", "-occurred_at"], name="interaction_client_time"
            ),
            models.Index(
                fields=["tenant", "author", "-occurred_at"], name="interaction_author_time"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def channel(self) -> str:
        return self.KIND_CHANNEL.get(self.kind, "in_person")

    def editable_until(self, edit_window_hours: int):
        return self.created_at + timedelta(hours=edit_window_hours)


class InteractionAttendee(TenantOwnedModel):
    """A colleague who took part (bank side). Read by the ethical-wall rule."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attendee_links"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "interaction", "user"], name="attendee_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="attendee_tenant_user")]


class InteractionContact(TenantOwnedModel):
    """A contact person of the client who took part (client side)."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="contact_links"
    )
    contact = models.ForeignKey("clients.ContactPerson", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "interaction", "contact"], name="interaction_contact_unique"
            ),
        ]


class InteractionAmendment(TenantOwnedModel):
    """Appended to a call report once its edit window has passed; never edited."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="amendments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("amendment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "interaction"], name="amendment_interaction")]


class FollowUp(TenantOwnedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        TASK = "task", _("Follow-up")
        NEXT_STEP = "next_step", _("Next step")
        REVISIT = "revisit", _("Revisit")

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("client"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        verbose_name=_("interaction"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TASK)
    due_at = models.DateTimeField(_("due"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        constraints = [
            # never a second open revisit follow-up for one client (cadence job)
            models.UniqueConstraint(
                fields=["tenant", "client", "kind"],
                condition=Q(status="open", kind="revisit"),
                name="followup_one_open_revisit_per_client",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "assignee", "status", "due_at"], name="followup_assignee_due"
            ),
            models.Index(
                fields=["tenant", "client", "-created_at"], name="followup_client_created"
            ),
            # the reminder sweep: open, not yet reminded, by due time
            # the reminder sweep's claim, in its order (due time, then id): a
            # backlog sharing one due time is read batch by batch from the
            # index instead of sorted whole for every batch
            models.Index(
                fields=["tenant", "due_at", "id"],
                condition=Q(status="open", reminded_at__isnull=True),
                name="followup_due_unreminded",
            ),
        ]

    def __str__(self) -> str:
        return self.note[:60] or str(self._meta.verbose_name)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class ReminderDispatch(TenantOwnedModel):
    """The dispatch ledger. A row is written in the same transaction that marks
    the follow-up reminded; its unique constraints make a second reminder for
    the same follow-up and due time, or a second digest per branch head and
    local day, impossible. ``emailed_at`` is the email outbox state."""

    class Kind(models.TextChoices):
        DUE = "due", _("Due reminder")
        DIGEST = "digest", _("Overdue digest")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    digest_date = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "follow_up", "due_at"],
                condition=Q(kind="due"),
                name="dispatch_one_reminder_per_followup_due",
            ),
            models.UniqueConstraint(
                fields=["tenant", "recipient", "digest_date"],
                condition=Q(kind="digest"),
                name="dispatch_one_digest_per_day",
            ),
            models.CheckConstraint(
                condition=(Q(kind="due") & Q(follow_up__isnull=False) & Q(due_at__isnull=False))
                | (Q(kind="digest") & Q(digest_date__isnull=False)),
                name="dispatch_kind_fields",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="dispatch_email_pending",
            ),
        ]


class Notification(TenantOwnedModel):
    """In-app notification (the notifications centre)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "recipient", "-created_at"], name="notification_recipient"
            ),
            models.Index(
                fields=["tenant", "recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeedToken(models.Model):
    """The private token of an RM's iCalendar feed, keyed by user.

    Like ``User`` it is not tenant-owned: the feed is fetched by calendar apps
    without a session, so the token must be resolved before any tenant is
    known (it is a credential). Only its SHA-256 is stored.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_token",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed token")

    def __str__(self) -> str:
        return f"{self.user_id}"

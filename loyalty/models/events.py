"""Client-care events (issue 10, part 3): VIP salons, investment lectures,
social events; invitations with an RSVP link, a waitlist, reminders, check-in
and the outbox of messages to invited clients."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel

from .surveys import SurveyChannel

__all__ = ["Event", "EventInvitation", "EventKind", "EventMessage"]


class EventKind(models.TextChoices):
    SALON = "salon", _("VIP salon")
    LECTURE = "lecture", _("Investment lecture")
    SOCIAL = "social", _("Social event")
    OTHER = "other", _("Other event")


class Event(TenantOwnedModel):
    """One client-care event. ``branch`` is the branch of the staff member who
    created it: a branch head edits the events of their subtree."""

    title = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Simplified Chinese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300)
    capacity = models.IntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    target_tiers = models.JSONField(_("target tiers"), default=list, blank=True)
    target_interests = models.JSONField(_("target interests"), default=list, blank=True)
    reminder_hours = models.IntegerField(
        _("reminder before the event (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    branch = models.ForeignKey(
        "tenancy.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client-care event")
        verbose_name_plural = _("client-care events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "starts_at"], name="event_tenant_starts")]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        if (language or "").startswith("zh") and self.title_zh:
            return self.title_zh
        return self.title


class EventInvitation(TenantOwnedModel):
    """One client invited to one event (unique), with its RSVP state. The
    RSVP link is derived from the ids (``loyalty.events.links``)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WAITLISTED = "waitlisted", _("Waitlisted")
        ATTENDED = "attended", _("Attended")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event")
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="event_invitations",
        verbose_name=_("client"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=SurveyChannel.choices)
    invited_at = models.DateTimeField(_("invited"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # the waitlist's order: the earliest yes that found the event full goes first
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    attended_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )

    class Meta:
        verbose_name = _("event invitation")
        verbose_name_plural = _("event invitations")
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "event", "client"], name="eventinvitation_once_per_client"
            ),
            models.CheckConstraint(
                condition=~Q(status="attended") | Q(attended_at__isnull=False),
                name="eventinvitation_attended_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "-invited_at"], name="eventinv_tenant_client"),
            models.Index(fields=["tenant", "invited_at"], name="eventinv_tenant_invited"),
            models.Index(fields=["tenant", "event", "status"], name="eventinv_tenant_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.client_id}"


class EventMessage(TenantOwnedModel):
    """The outbox of event messages to clients: the invitation, the reminder
    before the event, the news of a promotion from the waitlist — each once
    per invitation (unique), delivered by a task that claims with ``skip_locked``."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        PROMOTED = "promoted", _("Promoted from the waitlist")

    invitation = models.ForeignKey(
        EventInvitation, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=SurveyChannel.choices)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invitation", "kind"], name="eventmessage_once_per_kind"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "created_at"],
                name="eventmsg_tenant_outbox",
                condition=Q(delivered_at__isnull=True),
            ),
        ]

"""Satisfaction surveys (issue 10, part 1): templates, invitations with
single-use links, answers, the outbox of messages to clients, service
recovery and the per-tenant survey settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel

__all__ = [
    "ServiceRecovery",
    "Survey",
    "SurveyChannel",
    "SurveyInvitation",
    "SurveyKind",
    "SurveyMessage",
    "SurveyResponse",
    "SurveySettings",
]


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10)")
    CSAT = "csat", _("CSAT (1–5)")


class SurveyChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    LINK = "link", _("Link handed over by staff")


class SurveySettings(TenantOwnedModel):
    """One row per tenant; ``loyalty.surveys.settings.survey_settings`` gives
    the defaults while no row exists."""

    survey_interval_days = models.IntegerField(
        _("at most one survey per client within (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    after_meeting_delay_hours = models.IntegerField(
        _("survey after a meeting or visit, after (hours)"),
        default=24,
        validators=[MinValueValidator(0), MaxValueValidator(720)],
    )
    periodic_interval_days = models.IntegerField(
        _("relationship survey every (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    link_validity_days = models.IntegerField(
        _("a survey link is valid for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    first_reminder_days = models.IntegerField(
        _("first reminder after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    second_reminder_days = models.IntegerField(
        _("second reminder after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    resurvey_after_recovery_days = models.IntegerField(
        _("survey again after a closed service recovery (days)"),
        default=45,
        validators=[MinValueValidator(30), MaxValueValidator(60)],
    )
    referral_ask = models.BooleanField(
        _("ask promoters for a referral"),
        default=False,
        help_text=_("A promoter's answer opens a referral follow-up for the dedicated manager."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="surveysettings_one_per_tenant"),
        ]


class Survey(TenantOwnedModel):
    """A survey template: one question, NPS (0–10) or CSAT (1–5), in both languages."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    question = models.CharField(_("question (English)"), max_length=500)
    question_zh = models.CharField(_("question (Simplified Chinese)"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "kind", "active"], name="survey_tenant_kind")]

    def __str__(self) -> str:
        return self.name

    def question_in(self, language: str) -> str:
        if language.startswith("zh") and self.question_zh:
            return self.question_zh
        return self.question


class SurveyInvitation(TenantOwnedModel):
    """One invitation = one single-use link. The ledger of dispatch: the
    unique ``(tenant, client, reason, trigger_key)`` makes a second invitation
    for the same occasion (the same meeting, the same periodic round, the same
    closed recovery) impossible, whichever sweep or retry tries."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Expired")

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Invited by staff")
        AFTER_MEETING = "after_meeting", _("After a meeting or visit")
        PERIODIC = "periodic", _("Relationship survey")
        AFTER_RECOVERY = "after_recovery", _("After a service recovery")

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("client"),
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("survey")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # What the invitation answers: the meeting time (after_meeting), the last
    # invitation's id or 0 (periodic), the recovery's id (after_recovery), or
    # the invitation's own time (manual) — see loyalty/surveys/dispatch.py.
    trigger_key = models.CharField(max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=SurveyChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client", "reason", "trigger_key"],
                name="surveyinvitation_once_per_occasion",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "-sent_at"], name="surveyinv_tenant_client"),
            models.Index(
                fields=["tenant", "sent_at"],
                name="surveyinv_tenant_open",
                condition=Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.client_id}"


class SurveyMessage(TenantOwnedModel):
    """The outbox: each message to a client (the invitation, reminder 1, 2)
    once per invitation (unique), delivered by a task that claims undelivered
    rows with ``skip_locked``."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER_1 = "reminder_1", _("First reminder")
        REMINDER_2 = "reminder_2", _("Second reminder")

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=SurveyChannel.choices)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invitation", "kind"], name="surveymessage_once_per_kind"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "created_at"],
                name="surveymsg_tenant_outbox",
                condition=Q(delivered_at__isnull=True),
            ),
        ]


class SurveyResponse(TenantOwnedModel):
    """A client's answer; at most one per invitation (unique)."""

    class Category(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        PASSIVE = "passive", _("Passive")
        DETRACTOR = "detractor", _("Detractor")

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="responses"
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("client"),
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    score = models.SmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"))
    # Who managed the client when it answered: NPS by RM and branch stays
    # what it was when a client later moves.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dedicated manager"),
    )
    branch = models.ForeignKey(
        "tenancy.Branch",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    tier = models.CharField(_("tier"), max_length=20)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invitation"], name="surveyresponse_once_per_invitation"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=10), name="surveyresponse_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "answered_at"], name="surveyresp_tenant_answered"),
            models.Index(
                fields=["tenant", "client", "-answered_at"], name="surveyresp_tenant_client"
            ),
        ]


class ServiceRecovery(TenantOwnedModel):
    """A follow-up loyalty opens itself (it may not import communications):
    a detractor's service recovery (due 48 h after the answer), a promoter's
    referral ask, or the thank-you after a client attended a client-care event
    (``invitation`` instead of ``response``; a CHECK keeps each kind with its
    source). The manager records the action and outcome."""

    class Kind(models.TextChoices):
        RECOVERY = "recovery", _("Service recovery")
        REFERRAL = "referral", _("Referral ask")
        THANK_YOU = "thank_you", _("Thank-you after an event")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RECOVERY)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="service_recoveries",
        verbose_name=_("client"),
    )
    response = models.ForeignKey(
        SurveyResponse,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recoveries",
        verbose_name=_("survey answer"),
    )
    invitation = models.ForeignKey(
        "loyalty.EventInvitation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="thank_yous",
        verbose_name=_("event invitation"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dedicated manager"),
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    action = models.TextField(_("what was done"), blank=True, max_length=4000)
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("service recovery")
        verbose_name_plural = _("service recoveries")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "response", "kind"], name="servicerecovery_once_per_answer"
            ),
            models.UniqueConstraint(
                fields=["tenant", "invitation"],
                name="servicerecovery_one_thank_you",
                condition=Q(invitation__isnull=False),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["recovery", "referral"], response__isnull=False)
                    | Q(kind="thank_you", invitation__isnull=False)
                ),
                name="servicerecovery_source_of_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "client"],
                name="recovery_tenant_open",
                condition=Q(status="open"),
            ),
            models.Index(fields=["tenant", "closed_at"], name="recovery_tenant_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.client_id}"

"""Training records and certifications of staff, what each product category
requires, and the ledger of expiry reminders (issue 11, part 2a).

Imported at the end of performance/models.py so Django registers them as the
app's models. See performance/README.md "Training and certification"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models import ProductCategory
from tenancy.models import TenantOwnedModel

__all__ = ["Certification", "CertificationRequirement", "Training", "TrainingReminder"]


class Certification(models.TextChoices):
    FUND = "fund", _("Fund qualification")
    AFP = "afp", _("AFP")
    CFP = "cfp", _("CFP")
    CFA = "cfa", _("CFA")
    SECURITIES = "securities", _("Securities qualification")
    BANKING = "banking", _("Banking qualification")
    INSURANCE = "insurance", _("Insurance qualification")
    OTHER = "other", _("Other certification")


class Training(TenantOwnedModel):
    """One course a staff member took, with the hours and the day it was
    completed; when it led to a certification, which one and (if it lapses)
    until when. A certification is valid while ``expires_on`` is empty or
    today or later (in the tenant's zone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff member"),
    )
    course = models.CharField(_("course"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    completed_on = models.DateField(_("completed on"))
    certification = models.CharField(
        _("certification"), max_length=20, choices=Certification.choices, blank=True
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=10000), name="training_hours_range"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | ~Q(certification=""),
                name="training_expiry_needs_certification",
            ),
        ]
        indexes = [
            # the list pages and the API: one person's records, newest first
            models.Index(fields=["tenant", "user", "completed_on"], name="training_tenant_user"),
            # the daily reminders: certifications expiring in a window of days
            models.Index(
                fields=["tenant", "expires_on"],
                condition=~Q(certification=""),
                name="training_tenant_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.course


class CertificationRequirement(TenantOwnedModel):
    """Products of ``category`` are recommended only by staff who hold a valid
    ``certification`` (one requirement per category)."""

    category = models.CharField(
        _("product category"), max_length=20, choices=ProductCategory.choices
    )
    certification = models.CharField(
        _("certification"), max_length=20, choices=Certification.choices
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("certification requirement")
        verbose_name_plural = _("certification requirements")
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "category"], name="certrequirement_one_per_category"
            ),
        ]


class TrainingReminder(TenantOwnedModel):
    """The ledger of expiry reminders: one row per (training, days before
    expiry) once its notices are written, so a second run sends nothing."""

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="+", verbose_name=_("training record")
    )
    days_before = models.IntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("certification expiry reminder")
        verbose_name_plural = _("certification expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "training", "days_before"], name="trainingreminder_once"
            ),
        ]

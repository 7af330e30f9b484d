"""Who covers a client besides its managers (coverage team) and the history of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel

from .core import Client


class CoverageTeamMember(TenantOwnedModel):
    """A colleague shared into a client's coverage (服务团队). The row records
    the team role; visibility itself is the guardian ``view_client``
    permission the service assigns alongside it."""

    class TeamRole(models.TextChoices):
        PRODUCT_SPECIALIST = "product_specialist", _("Product specialist")
        CREDIT_OFFICER = "credit_officer", _("Credit officer")
        INVESTMENT_ADVISOR = "investment_advisor", _("Investment advisor")
        INSURANCE_SPECIALIST = "insurance_specialist", _("Insurance specialist")
        ASSISTANT = "assistant", _("Assistant relationship manager")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="coverage_team", verbose_name=_("client")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coverage_memberships",
        verbose_name=_("staff member"),
    )
    team_role = models.CharField(_("team role"), max_length=24, choices=TeamRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coverage team member")
        verbose_name_plural = _("coverage team")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client", "user"], name="coverageteam_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="coverageteam_tenant_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.client_id}"


class CoverageChange(TenantOwnedModel):
    """History of every coverage change: who, when, from whom, to whom, why."""

    class Kind(models.TextChoices):
        DEDICATED = "dedicated", _("Dedicated manager")
        BACKUP = "backup", _("Backup manager")
        TEAM_ADDED = "team_added", _("Added to coverage team")
        TEAM_REMOVED = "team_removed", _("Removed from coverage team")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="coverage_changes", verbose_name=_("client")
    )
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))
    # Rows written by one bulk reassignment share a batch id.
    batch = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("coverage change")
        verbose_name_plural = _("coverage history")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "client", "changed_at"], name="coveragechange_tenant_client"
            ),
            models.Index(fields=["tenant", "batch"], name="coveragechange_tenant_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"

"""Households and corporate groups (relationship groups) and their members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel, trigger_kept

from .core import Client


class RelationshipGroup(TenantOwnedModel):
    """A family household or a corporate group: clients the bank serves as one."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        CORPORATE_GROUP = "corporate_group", _("Corporate group")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The sum of the members' exposure (CNY). Kept by database triggers on every
    # change of a member's exposure and of the membership (migration 0114) and
    # never written by Python: the risk desk reads the largest from an index.
    exposure = models.DecimalField(
        _("group exposure"),
        max_digits=22,
        decimal_places=2,
        default=Decimal("0"),
        db_default=Decimal("0"),
        editable=False,
    )

    class Meta:
        verbose_name = _("relationship group")
        verbose_name_plural = _("relationship groups")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["tenant", "name"], name="relgroup_tenant_name"),
            models.Index(
                models.F("tenant"),
                models.F("exposure").desc(),
                models.F("id"),
                name="relgroup_tenant_exposure",
                condition=models.Q(exposure__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Never writes ``exposure``, which the triggers keep (``trigger_kept``)."""
        super().save(*args, **trigger_kept(self, kwargs, "exposure"))


class GroupMembership(TenantOwnedModel):
    class Role(models.TextChoices):
        HEAD_OF_HOUSEHOLD = "head_of_household", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Sibling")
        RELATIVE = "relative", _("Other relative")
        PARENT_COMPANY = "parent_company", _("Parent company")
        SUBSIDIARY = "subsidiary", _("Subsidiary")
        AFFILIATE = "affiliate", _("Affiliate")
        CONTROLLING_PERSON = "controlling_person", _("Controlling person")
        OTHER = "other", _("Other")

    HOUSEHOLD_ROLES = frozenset(
        {"head_of_household", "spouse", "child", "parent", "sibling", "relative", "other"}
    )
    CORPORATE_ROLES = frozenset(
        {"parent_company", "subsidiary", "affiliate", "controlling_person", "other"}
    )

    group = models.ForeignKey(
        RelationshipGroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("group"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="group_memberships", verbose_name=_("client")
    )
    role = models.CharField(_("role in group"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "group", "client"], name="groupmember_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "client"], name="groupmember_tenant_client")]

    def __str__(self) -> str:
        return f"{self.client_id} in {self.group_id}"

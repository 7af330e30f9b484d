"""Households and corporate groups (relationship groups) and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel

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

    class Meta:
        verbose_name = _("relationship group")
        verbose_name_plural = _("relationship groups")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "name"], name="relgroup_tenant_name")]

    def __str__(self) -> str:
        return self.name


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

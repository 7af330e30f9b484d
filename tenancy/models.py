"""Tenants, the branch tree, staff, and the audit trail.

``TenantOwnedModel`` is the base of every row that belongs to one bank: its
default manager refuses to run without a tenant in scope, and on PostgreSQL
row-level security (see ``tenancy.rls``) is the second wall.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .context import TenantScopeError, current_tenant_id, require_tenant_id


def trigger_kept(instance, save_kwargs: dict, *columns: str) -> dict:
    """``save()`` keyword arguments that leave ``columns`` — kept by database
    triggers — unwritten when a loaded row is saved in full: the triggers may
    have changed them since the row was read. An insert, or a save naming its
    ``update_fields``, is left as it is."""
    if instance._state.adding or save_kwargs.get("update_fields") is not None:
        return save_kwargs
    fields = [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in columns
    ]
    return {**save_kwargs, "update_fields": fields}


class Tenant(models.Model):
    """One bank on the deployment (platform table, not tenant-owned)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    locale = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Every staff member must log in with a one-time code as well."),
    )
    # Bumped by database triggers (tenancy 0005) whenever a branch or a staff
    # member's name, role, branch or status changes: the per-process cache of
    # filter options (tenancy.directory) is valid while it is unchanged.
    directory_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Never writes ``directory_version`` back (``trigger_kept``): writing
        an old value would make stale cached options valid again."""
        super().save(*args, **trigger_kept(self, kwargs, "directory_version"))


class TenantQuerySet(models.QuerySet):
    """A queryset built with no tenant in scope matches nothing and raises
    ``TenantScopeError`` as soon as it is evaluated. Building one is allowed
    (django-filter and drf-spectacular build querysets at import time without
    running them); reading through one is not. Used as a subquery it stays
    empty: fail closed."""

    _built_unscoped = False

    def _clone(self):
        clone = super()._clone()
        clone._built_unscoped = self._built_unscoped
        return clone

    def _guard(self) -> None:
        if self._built_unscoped:
            require_tenant_id()  # raises: there was no tenant when this was built
            raise TenantScopeError(
                "This queryset was built outside a tenant scope; build it inside tenant_scope(...)."
            )

    def _fetch_all(self):
        self._guard()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._guard()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._guard()
        return super().count()

    def exists(self):
        self._guard()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._guard()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._guard()
        return super().update(**kwargs)

    def delete(self):
        self._guard()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant-owned models: filters by the tenant in scope;
    with none in scope, any read raises ``TenantScopeError``."""

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        tenant_id = current_tenant_id()
        if tenant_id is None:
            queryset = queryset.none()
            queryset._built_unscoped = True
            return queryset
        return queryset.filter(tenant_id=tenant_id)


class TenantOwnedModel(models.Model):
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"), editable=False
    )

    objects = TenantManager()
    # The unscoped manager. Allowed only in migrations, platform admin and the
    # scheduler's fan-out (an architecture test greps for it).
    all_tenants = models.Manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        scoped = current_tenant_id()
        if self.tenant_id is None:
            self.tenant_id = require_tenant_id()
        elif scoped is not None and scoped != self.tenant_id:
            raise ValueError("Refusing to write a row of another tenant than the one in scope.")
        super().save(*args, **kwargs)


class Branch(TenantOwnedModel):
    """A node of the branch tree: head office → region → branch.

    ``path`` is the materialised path of ids (``/1/4/9/``) so a subtree is one
    indexed prefix match.
    """

    class Level(models.TextChoices):
        HEAD_OFFICE = "head_office", _("Head office")
        REGION = "region", _("Region")
        BRANCH = "branch", _("Branch")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BRANCH)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent branch"),
    )
    path = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["path"]
        indexes = [models.Index(fields=["tenant", "path"], name="branch_tenant_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="branch_unique_name_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def full_name(first: str, last: str) -> str:
    """Chinese names read family name first, without a space (王敏); for rows
    read as columns as well as for ``User.get_full_name``."""
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


class Role(models.TextChoices):
    ADMIN = "admin", _("Tenant admin")
    BRANCH_HEAD = "branch_head", _("Branch head")
    RM = "rm", _("Relationship manager")
    RISK_OFFICER = "risk_officer", _("Risk officer")
    COMPLIANCE = "compliance", _("Compliance")


class User(AbstractUser):
    """Bank staff (one tenant, one role, one branch) or a platform superuser
    (no tenant). Usernames are unique across the deployment, so a login names
    no tenant.

    Not a tenant-owned model: authentication resolves the user before the
    tenant is known. Every listing of users goes through ``tenancy.selectors``,
    which filter by the tenant in scope.
    """

    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("tenant"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("branch"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # the language the staff member chose in the top bar; empty = the tenant's
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, null=True, blank=True
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        indexes = [models.Index(fields=["tenant", "role"], name="user_tenant_role")]
        constraints = [
            # tenant staff have a role; platform superusers have neither tenant nor role
            models.CheckConstraint(
                condition=(Q(tenant__isnull=False) & ~Q(role=""))
                | (Q(tenant__isnull=True) & Q(role="") & Q(is_superuser=True)),
                name="user_tenant_staff_or_platform_superuser",
            ),
        ]

    def get_full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def is_platform_user(self) -> bool:
        return self.tenant_id is None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AuditEvent(TenantOwnedModel):
    """Append-only, HMAC-chained per tenant: each event carries the HMAC of the
    one before (see tenancy.audit). On PostgreSQL a trigger refuses UPDATE and
    DELETE, and the application role may only INSERT and SELECT."""

    seq = models.PositiveBigIntegerField(editable=False)
    occurred_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # 1: unkeyed SHA-256 (events written before the keyed chain), 2: HMAC-SHA256.
    chain_version = models.SmallIntegerField(default=2, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "seq"], name="audit_unique_seq_per_tenant"),
        ]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object"),
            models.Index(fields=["tenant", "actor", "occurred_at"], name="audit_tenant_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


# API tokens and recovery codes live in their own module; imported here so the
# app registry finds them.
from .models_security import (  # noqa: E402, F401
    ApiToken,
    AuthenticatorDevice,
    RecoveryCodeDevice,
)

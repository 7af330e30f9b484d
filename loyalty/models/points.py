"""Loyalty points: the tenant's points settings, one balance row per client
(``PointsAccount``), the append-only ledger (``PointsEntry``), adjustments
waiting for a second admin (``PointsAdjustmentRequest``), the rewards
catalogue and redemptions.

Invariants (see loyalty/README.md, "Points and rewards"):
- ``PointsAccount.balance`` equals the sum of the client's entries, always:
  ``PointsEntry.save()`` moves the balance with the insert, in one transaction;
  the services lock the account (``select_for_update``) and check it first; the
  set-based jobs move balances and insert entries in one transaction
  (``loyalty.points.ledger_sql``); on PostgreSQL a constraint trigger re-checks
  the sum on every entry insert (migration 0002).
- Entries are never updated or deleted: ``save()`` refuses an existing row,
  ``delete()`` and queryset ``update()/delete()`` raise; on PostgreSQL a trigger
  refuses UPDATE and DELETE as well.
- A ``source_key`` is unique per tenant: an earning (a transaction, a birthday of
  a year, an event attendance) or an expiry is written at most once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.context import require_tenant_id
from tenancy.models import TenantManager, TenantOwnedModel, TenantQuerySet

__all__ = [
    "AppendOnlyError",
    "EntryKind",
    "PointsAccount",
    "PointsAdjustmentRequest",
    "PointsEntry",
    "PointsSettings",
    "Redemption",
    "Reward",
]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger entry."""


class PointsSettings(TenantOwnedModel):
    """One row per tenant; ``loyalty.points.configuration.points_settings()``
    returns these defaults unsaved while a tenant has none."""

    expiry_months = models.SmallIntegerField(
        _("points expire after (months)"), default=24, validators=[MinValueValidator(1)]
    )
    value_per_point = models.DecimalField(
        _("value of one point (base currency)"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    four_eyes_threshold = models.IntegerField(
        _("adjustments above this many points need a second admin"),
        default=10_000,
        validators=[MinValueValidator(0)],
    )
    points_per_10k_wealth = models.IntegerField(
        _("points per 10,000 of wealth-product purchases"),
        default=10,
        validators=[MinValueValidator(0)],
    )
    birthday_bonus = models.IntegerField(
        _("birthday bonus (points)"), default=500, validators=[MinValueValidator(0)]
    )
    event_attendance = models.IntegerField(
        _("points for attending a client-care event"),
        default=200,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="pointssettings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(
                    expiry_months__gte=1, value_per_point__gte=0, four_eyes_threshold__gte=0
                )
                & Q(points_per_10k_wealth__gte=0, birthday_bonus__gte=0, event_attendance__gte=0),
                name="pointssettings_values_valid",
            ),
        ]


class PointsAccount(TenantOwnedModel):
    """A client's points balance: the sum of its ledger, kept in one row so the
    balance reads in O(1) and redemptions serialise on its lock."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client"], name="pointsaccount_one_per_client"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="pointsaccount_balance_ge_0"),
        ]
        indexes = [
            models.Index(fields=["tenant", "balance"], name="pointsaccount_tenant_balance"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")


class PointsEntryQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The points ledger is append-only: entries are never updated.")

    def delete(self):
        raise AppendOnlyError("The points ledger is append-only: entries are never deleted.")


class PointsEntryManager(TenantManager.from_queryset(PointsEntryQuerySet)):
    pass


class PointsEntry(TenantOwnedModel):
    """One line of the ledger. Earnings and positive adjustments are *lots* with
    an ``expires_at``; redemptions, expiries and negative adjustments consume
    lots soonest-expiring first (FIFO, see loyalty/README.md)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    points = models.BigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    source_key = models.CharField(max_length=120, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )

    objects = PointsEntryManager()
    all_tenants = models.Manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "source_key"], name="pointsentry_unique_source"
            ),
            models.CheckConstraint(
                condition=(Q(kind="earn") & Q(points__gt=0))
                | (Q(kind__in=["redeem", "expire"]) & Q(points__lt=0))
                | (Q(kind="adjust") & ~Q(points=0)),
                name="pointsentry_sign_matches_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "client", "created_at"], name="pointsentry_tenant_client"
            ),
            models.Index(
                fields=["tenant", "expires_at"],
                name="pointsentry_tenant_lots",
                condition=Q(points__gt=0),
            ),
            models.Index(fields=["tenant", "created_at"], name="pointsentry_tenant_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language: the jobs store theirs in English
        (``gettext_noop``); a person's reason reads as written."""
        from django.utils.translation import gettext

        return gettext(self.reason) if self.reason else ""

    def save(self, *args, **kwargs) -> None:
        """Insert only, and the client's balance moves with the entry in the same
        transaction (the invariant balance = Σ entries holds for every ORM write;
        the services lock and check the account first)."""
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("The points ledger is append-only: entries are never updated.")
        from django.db import transaction
        from django.db.models import F

        if self.tenant_id is None:
            self.tenant_id = require_tenant_id()
        with transaction.atomic():
            moved = PointsAccount.objects.filter(client_id=self.client_id).update(
                balance=F("balance") + self.points, updated_at=self.created_at
            )
            if not moved:
                PointsAccount(
                    tenant_id=self.tenant_id,
                    client_id=self.client_id,
                    balance=self.points,
                    updated_at=self.created_at,
                ).save(force_insert=True)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The points ledger is append-only: entries are never deleted.")


class PointsAdjustmentRequest(TenantOwnedModel):
    """An admin's adjustment above the tenant's four-eyes threshold, waiting for
    a second, different admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    points = models.BigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    entry = models.ForeignKey(
        PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("points adjustment request")
        verbose_name_plural = _("points adjustment requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="pointsadjustment_points_nonzero"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "status", "requested_at"], name="pointsadj_tenant_status"
            ),
            models.Index(fields=["tenant", "client"], name="pointsadj_tenant_client"),
        ]


class Reward(TenantOwnedModel):
    """An entry of the rewards catalogue (权益)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    points_cost = models.IntegerField(_("cost in points"), validators=[MinValueValidator(1)])
    stock = models.IntegerField(_("stock"), default=0, validators=[MinValueValidator(0)])
    min_tier = models.CharField(
        _("minimum tier"), max_length=20, choices=Client.Tier.choices, blank=True, default=""
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_cost", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="reward_unique_name"),
            models.CheckConstraint(condition=Q(points_cost__gte=1), name="reward_cost_ge_1"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="reward_stock_ge_0"),
        ]
        indexes = [models.Index(fields=["tenant", "active"], name="reward_tenant_active")]

    def __str__(self) -> str:
        return self.name


class Redemption(TenantOwnedModel):
    """A reward given to a client for points (the ledger holds the ``redeem`` entry)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    points = models.IntegerField(_("points"), validators=[MinValueValidator(1)])
    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("redeemed at"))

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="redemption_points_ge_1"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "client", "created_at"], name="redemption_tenant_client"
            ),
            models.Index(fields=["tenant", "created_at"], name="redemption_tenant_created"),
        ]

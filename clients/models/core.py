"""Key clients: profile, shares (guardian), life events, contact persons."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from tenancy.crypto import EncryptedTextField
from tenancy.models import Branch, TenantOwnedModel

from .fields import PinyinCharField


class KycStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REVIEW_DUE = "review_due", _("Review due")
    EXPIRED = "expired", _("Expired")


class KycRiskLevel(models.TextChoices):
    """The client's KYC (anti-money-laundering) risk level; it decides how often
    KYC is refreshed (risk's review calendar, tenant-configurable years)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CreditRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    CCC = "CCC", "CCC"


class Interest(models.TextChoices):
    ESG = "esg", _("Green / ESG")
    TAX_PLANNING = "tax_planning", _("Tax planning")
    ESTATE_PLANNING = "estate_planning", _("Estate planning")
    EDUCATION = "education", _("Children's education")
    RETIREMENT = "retirement", _("Retirement")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    ART = "art", _("Art and collectibles")
    GOLF = "golf", _("Golf")
    HEALTH = "health", _("Health and wellness")


class InvestmentGoal(models.TextChoices):
    PRESERVATION = "preservation", _("Wealth preservation")
    INCOME = "income", _("Steady income")
    GROWTH = "growth", _("Long-term growth")
    SUCCESSION = "succession", _("Succession")
    LIQUIDITY = "liquidity", _("Liquidity")


class Client(TenantOwnedModel):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual client")
        CORPORATE = "corporate", _("Corporate client")

    class Tier(models.TextChoices):
        PLATINUM = "platinum", _("Platinum")
        GOLD = "gold", _("Gold")
        SILVER = "silver", _("Silver")
        STANDARD = "standard", _("Standard")

    class RiskTolerance(models.TextChoices):
        CONSERVATIVE = "conservative", _("Conservative")
        MODERATE = "moderate", _("Moderate")
        BALANCED = "balanced", _("Balanced")
        GROWTH = "growth", _("Growth")
        AGGRESSIVE = "aggressive", _("Aggressive")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        VIDEO = "video", _("Video")
        MESSAGE = "message", _("Message")

    class Lifecycle(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = PinyinCharField(_("name"), max_length=200)  # pinyin order on PostgreSQL
    external_id = models.CharField(_("external id"), max_length=64)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="clients", verbose_name=_("branch")
    )
    dedicated_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dedicated_clients",
        verbose_name=_("dedicated manager"),
    )
    backup_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_clients",
        verbose_name=_("backup manager"),
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    aum = models.DecimalField(_("AUM"), max_digits=20, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    risk_tolerance = models.CharField(
        _("risk tolerance"),
        max_length=20,
        choices=RiskTolerance.choices,
        default=RiskTolerance.BALANCED,
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.ACTIVE
    )
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    # The last meeting or visit (set with last_contacted_at by communications;
    # loyalty's after-meeting satisfaction survey reads it).
    last_met_at = models.DateTimeField(_("last met"), null=True, blank=True)
    # Contact preferences (where an RM plans contact)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    contact_time_from = models.TimeField(_("contact hours from"), null=True, blank=True)
    contact_time_to = models.TimeField(_("contact hours to"), null=True, blank=True)
    # {"phone": true, "email": false, ...} keyed by Channel values; missing = no consent
    marketing_consent = models.JSONField(
        _("consent to marketing contact"), default=dict, blank=True
    )
    investment_goals = models.JSONField(_("investment goals"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)  # Interest values
    kyc_status = models.CharField(
        _("KYC status"), max_length=20, choices=KycStatus.choices, default=KycStatus.PENDING
    )
    next_kyc_review = models.DateField(_("next KYC review"), null=True, blank=True)
    kyc_risk_level = models.CharField(
        _("KYC risk level"),
        max_length=10,
        choices=KycRiskLevel.choices,
        default=KycRiskLevel.MEDIUM,
        db_default=KycRiskLevel.MEDIUM,  # bulk loaders (seed_demo's COPY) may omit the column
    )
    kyc_reviewed_on = models.DateField(_("KYC last refreshed"), null=True, blank=True)
    # Derived figures kept on the row for fast lists; written only by services.
    exposure = models.DecimalField(
        _("credit exposure"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    credit_rating = models.CharField(
        _("credit rating"), max_length=4, choices=CreditRating.choices, blank=True
    )
    # Personal data: encrypted at rest; *_index is the blind index for exact lookup
    # (set by the services with tenancy.crypto.blind_index).
    national_id = EncryptedTextField(_("national id / registration number"), blank=True, default="")
    national_id_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    email = EncryptedTextField(_("email"), blank=True, default="")
    email_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    address = EncryptedTextField(_("address"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="client_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="client_tenant_name"),
            # a branch subtree's clients by name (a branch head's list, My day's
            # quick-log choices): the first page is read in order from here
            # instead of walking the whole bank's names and dropping other branches'
            models.Index(fields=["tenant", "branch", "name", "id"], name="client_branch_name"),
            # the access policy's scopes (a branch subtree, an RM's book): with the id
            # included, "rows of the clients a branch head sees" is an index-only
            # semi-join instead of a heap fetch per client
            # tier too: reports by branch and tier over another table's rows
            # (points liability) join the clients through this index alone
            models.Index(
                fields=["tenant", "branch"], include=["id", "tier"], name="client_tenant_branch"
            ),
            models.Index(
                fields=["tenant", "dedicated_manager"],
                include=["id"],
                name="client_tenant_dedicated",
            ),
            models.Index(
                fields=["tenant", "backup_manager"], include=["id"], name="client_tenant_backup"
            ),
            models.Index(fields=["tenant", "tier"], name="client_tenant_tier"),
            models.Index(fields=["tenant", "lifecycle"], name="client_tenant_lifecycle"),
            models.Index(fields=["tenant", "national_id_index"], name="client_tenant_nid_idx"),
            models.Index(fields=["tenant", "phone_index"], name="client_tenant_phone_idx"),
            models.Index(fields=["tenant", "email_index"], name="client_tenant_email_idx"),
            # list sorting / filters (the name trigram index for "contains" search
            # is created in migration 0003 on PostgreSQL)
            models.Index(fields=["tenant", "-aum"], name="client_tenant_aum"),
            # risk's concentration table: the largest loan exposures first
            models.Index(
                fields=["tenant", "-exposure", "id"],
                name="client_tenant_exposure",
                condition=models.Q(exposure__gt=0),
            ),
            # risk's group concentration: the exposure of the members with one,
            # joined by id (index-only, narrower than the exposure-ordered index)
            models.Index(
                fields=["tenant", "id"],
                include=["exposure"],
                name="client_tenant_exposure_id",
                condition=models.Q(exposure__gt=0),
            ),
            # least recently contacted first, never-contacted before all (My day's
            # revisits, the list's "last contacted" sort): read in index order and
            # stop at the page instead of sorting the bank's whole book
            models.Index(
                F("tenant"),
                F("last_contacted_at").asc(nulls_first=True),
                F("id"),
                name="client_tenant_lastcontact",
            ),
            # a branch head's team on My day: per RM, the key clients due for a
            # revisit, counted index-only over the branch's book (tier, last
            # contact and lifecycle decide) instead of a heap fetch per client
            models.Index(
                fields=["tenant", "branch", "dedicated_manager"],
                include=["tier", "last_contacted_at", "lifecycle", "id"],
                name="client_team_revisit",
            ),
            models.Index(fields=["tenant", "risk_tolerance"], name="client_tenant_risk"),
            # the review calendar's KYC window (risk.calendar.kyc_window_q); the id
            # too, so the desk's "first 10 of a level" is read in index order even
            # when thousands share a refresh date (no sort of the whole date)
            models.Index(
                fields=["tenant", "kyc_risk_level", "kyc_reviewed_on", "id"],
                condition=Q(kyc_reviewed_on__isnull=False),
                name="client_tenant_kyc",
            ),
            models.Index(
                fields=["tenant", "next_kyc_review", "id"],
                condition=Q(kyc_reviewed_on__isnull=True),
                name="client_tenant_kyc_never",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClientUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct foreign-key permission table for clients: how a
    coverage team member (product specialist, credit officer) is shared in.

    Carries ``tenant`` so row-level security covers it; its manager is
    guardian's (``assign_perm`` needs it), so reads go through the access
    policy, which joins it only from tenant-scoped clients.
    """

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="shares")

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["tenant", "user"], name="clientshare_tenant_user")]

    def save(self, *args, **kwargs):
        if self.tenant_id is None:
            self.tenant_id = self.content_object.tenant_id
        super().save(*args, **kwargs)


class LifeEvent(TenantOwnedModel):
    """A moment in a client's life an RM plans around (birthday, IPO, ...)."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        RETIREMENT = "retirement", _("Retirement")
        COMPANY_IPO = "company_ipo", _("Company IPO")
        MARRIAGE = "marriage", _("Marriage")
        CHILD = "child", _("New child")
        RELOCATION = "relocation", _("Relocation")
        BUSINESS_SALE = "business_sale", _("Business sale")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="life_events", verbose_name=_("client")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["tenant", "client", "date"], name="lifeevent_tenant_client"),
            models.Index(fields=["tenant", "date"], name="lifeevent_tenant_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ContactPerson(TenantOwnedModel):
    """A person at a corporate client the bank deals with."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=120, blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    email = EncryptedTextField(_("email"), blank=True, default="")
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=20,
        choices=Client.Channel.choices,
        default=Client.Channel.PHONE,
    )

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["-is_decision_maker", "name"]
        indexes = [models.Index(fields=["tenant", "client"], name="contact_tenant_client")]

    def __str__(self) -> str:
        return self.name

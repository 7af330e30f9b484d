"""Portfolio data of clients: the product catalogue, holdings, transactions,
tier thresholds and import jobs (issue 3, part B).

Client.aum / Client.exposure / Client.tier are derived from these rows and
written only by ``clients.portfolio_services`` and ``clients.tiering``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel

__all__ = [
    "BASE_CURRENCY",
    "FX_TO_BASE",
    "Holding",
    "ImportJob",
    "Product",
    "ProductCategory",
    "TierThreshold",
    "Transaction",
    "TransactionCategory",
]

BASE_CURRENCY = "CNY"
# Deliberately simple: AUM is reported in CNY with these fixed reference rates
# (no FX feed yet). A currency not listed counts at 1:1.
FX_TO_BASE = {
    "CNY": Decimal("1"),
    "USD": Decimal("7.10"),
    "HKD": Decimal("0.91"),
    "EUR": Decimal("7.70"),
    "GBP": Decimal("9.00"),
}
CURRENCY_CHOICES = [(c, c) for c in FX_TO_BASE]


class ProductCategory(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    LOAN = "loan", _("Loan")
    WEALTH = "wealth", _("Wealth management product")
    FUND = "fund", _("Fund")
    INSURANCE = "insurance", _("Insurance")
    BOND = "bond", _("Bond")
    TRUST = "trust", _("Trust")
    PRECIOUS_METAL = "precious_metal", _("Precious metals")


class TransactionCategory(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    WEALTH = "wealth", _("Wealth management product")
    FUND = "fund", _("Fund")
    INSURANCE = "insurance", _("Insurance")
    BOND = "bond", _("Bond")
    LOAN = "loan", _("Loan")
    CARD = "card", _("Card spending")
    FEE = "fee", _("Fees and interest")


class Product(TenantOwnedModel):
    """An entry of the tenant's product catalogue."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ProductCategory.choices)
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (lowest) to 5 (highest)"),
    )
    is_esg = models.BooleanField(_("green / ESG"), default=False)
    vip_only = models.BooleanField(_("VIP only"), default=False)
    min_investment = models.DecimalField(
        _("minimum investment"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="product_unique_code"),
            models.CheckConstraint(
                condition=Q(risk_level__gte=1) & Q(risk_level__lte=5), name="product_risk_level_1_5"
            ),
            models.CheckConstraint(
                condition=Q(min_investment__gte=0), name="product_min_investment_ge_0"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "is_active", "category"], name="product_tenant_active_cat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Holding(TenantOwnedModel):
    """An account or product a client holds. ``kind`` is the product's category
    (or the account kind when no catalogue product is linked)."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="holdings",
        verbose_name=_("client"),
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holdings",
        verbose_name=_("product"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProductCategory.choices)
    account_number = models.CharField(_("account number"), max_length=64)
    balance = models.DecimalField(_("balance"), max_digits=20, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    # Loans only: days past due as last reported by core banking (the holdings
    # import's ``days_past_due`` column); risk's classification floor reads it.
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0, db_default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["kind", "account_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client", "account_number"], name="holding_unique_account"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="holding_balance_ge_0"),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "kind"], name="holding_tenant_client"),
            models.Index(fields=["tenant", "product"], name="holding_tenant_product"),
            models.Index(
                fields=["tenant", "client"],
                condition=Q(days_past_due__gt=0),
                name="holding_past_due",
            ),
        ]

    def __str__(self) -> str:
        return self.account_number


class Transaction(TenantOwnedModel):
    class Direction(models.TextChoices):
        IN = "in", _("In")
        OUT = "out", _("Out")

    class Channel(models.TextChoices):
        BRANCH = "branch", _("Branch counter")
        ONLINE = "online", _("Online banking")
        MOBILE = "mobile", _("Mobile banking")
        ATM = "atm", _("ATM")
        RM = "rm", _("Relationship manager")

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="transactions",
        verbose_name=_("client"),
    )
    occurred_at = models.DateTimeField(_("date and time"))
    amount = models.DecimalField(
        _("amount"), max_digits=20, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    category = models.CharField(_("category"), max_length=20, choices=TransactionCategory.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    external_ref = models.CharField(_("external reference"), max_length=64)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_ref"], name="transaction_unique_ref"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="transaction_amount_ge_0"),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "occurred_at"], name="txn_tenant_client_time"),
            models.Index(fields=["tenant", "occurred_at"], name="txn_tenant_time"),
        ]

    def __str__(self) -> str:
        return self.external_ref


class TierThreshold(TenantOwnedModel):
    """What a client needs for a tier, per tenant (one row per tier). A client
    gets the highest tier whose every condition holds; ``standard`` needs none."""

    TIER_CHOICES = [
        ("platinum", _("Platinum")),
        ("gold", _("Gold")),
        ("silver", _("Silver")),
    ]

    tier = models.CharField(_("tier"), max_length=20, choices=TIER_CHOICES)
    min_aum = models.DecimalField(
        _("minimum AUM (CNY)"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_transactions_12m = models.PositiveIntegerField(
        _("minimum transactions in 12 months"), default=0
    )
    min_credit_rating = models.CharField(
        _("minimum credit rating"),
        max_length=4,
        blank=True,
        choices=[
            ("AAA", "AAA"),
            ("AA", "AA"),
            ("A", "A"),
            ("BBB", "BBB"),
            ("BB", "BB"),
            ("B", "B"),
            ("CCC", "CCC"),
        ],
        help_text=_("Clients rated below this are excluded; unrated clients are not."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tier threshold")
        verbose_name_plural = _("tier thresholds")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "tier"], name="tierthreshold_unique_tier")
        ]

    def __str__(self) -> str:
        return self.get_tier_display()


class ImportJob(TenantOwnedModel):
    """One CSV import from core banking (dry run or real)."""

    class Kind(models.TextChoices):
        CLIENTS = "clients", _("Clients")
        HOLDINGS = "holdings", _("Holdings")
        TRANSACTIONS = "transactions", _("Transactions")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Encoding(models.TextChoices):
        AUTO = "auto", _("Detect (UTF-8 or GB18030)")
        UTF8 = "utf-8", "UTF-8"
        GB18030 = "gb18030", "GB18030 / GBK"

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=True)
    # what the uploader chose, and what the file was read as (empty: not readable)
    encoding_requested = models.CharField(
        _("encoding requested"), max_length=10, choices=Encoding.choices, default=Encoding.AUTO
    )
    encoding = models.CharField(_("encoding"), max_length=10, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "field": "email", "message": "..."}]: every bad row.
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="importjob_tenant_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

"""Risk data: the tenant's risk settings and master scale, assessments with
four-eyes approval, the client's current rating, collateral, credit limits,
the five-category classification, early-warning alerts, the watch list and
the review calendar's reminder ledger. Days past due live on the loan holding
(``clients.Holding.days_past_due``, from the holdings import).

Derived figures (composite, rating, lendable value, floor) are computed by
``risk.services`` / ``risk.rules``; the models hold data and invariants.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clients.models.portfolio import BASE_CURRENCY, CURRENCY_CHOICES
from tenancy.models import TenantOwnedModel

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
PCT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
CENT = Decimal("0.01")


class CollateralKind(models.TextChoices):
    REAL_ESTATE = "real_estate", _("Real estate")
    DEPOSIT = "deposit", _("Deposit")
    SECURITIES = "securities", _("Securities")
    GUARANTEE = "guarantee", _("Guarantee")
    EQUIPMENT = "equipment", _("Equipment")
    RECEIVABLES = "receivables", _("Receivables")
    OTHER = "other", _("Other")


# Default haircuts (percent of market value), tenant-configurable in RiskSettings.
DEFAULT_HAIRCUTS = {
    CollateralKind.REAL_ESTATE: 30,
    CollateralKind.DEPOSIT: 0,
    CollateralKind.SECURITIES: 20,
    CollateralKind.GUARANTEE: 50,
    CollateralKind.EQUIPMENT: 50,
    CollateralKind.RECEIVABLES: 40,
    CollateralKind.OTHER: 60,
}


class Classification(models.TextChoices):
    """Five-category loan classification (五级分类), best first."""

    NORMAL = "normal", _("Normal")
    SPECIAL_MENTION = "special_mention", _("Special mention")
    SUBSTANDARD = "substandard", _("Substandard")
    DOUBTFUL = "doubtful", _("Doubtful")
    LOSS = "loss", _("Loss")


CLASSIFICATION_ORDER = tuple(Classification.values)  # index = severity


class RiskSettings(TenantOwnedModel):
    """One row per tenant, created with the defaults on first use."""

    weight_credit = models.DecimalField(
        _("weight of credit risk"), max_digits=4, decimal_places=3, default=Decimal("0.5")
    )
    weight_market = models.DecimalField(
        _("weight of market risk"), max_digits=4, decimal_places=3, default=Decimal("0.3")
    )
    weight_operational = models.DecimalField(
        _("weight of operational risk"), max_digits=4, decimal_places=3, default=Decimal("0.2")
    )
    haircuts = models.JSONField(_("haircut per collateral kind (%)"), default=dict)
    tier1_capital = models.DecimalField(
        _("tier-1 capital (CNY)"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    net_capital = models.DecimalField(
        _("net capital (CNY)"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    single_client_cap_pct = models.DecimalField(
        _("single client cap (percent of tier-1)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        validators=PCT_VALIDATORS,
    )
    client_loans_cap_pct = models.DecimalField(
        _("loans to one client cap (percent of net capital)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PCT_VALIDATORS,
    )
    large_exposure_pct = models.DecimalField(
        _("large exposure (percent of tier-1)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PCT_VALIDATORS,
    )
    group_cap_pct = models.DecimalField(
        _("connected group cap (percent of tier-1)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=PCT_VALIDATORS,
    )
    # The review calendar: KYC refresh every N years by KYC risk level, real
    # estate revalued at least every N months, reminders N days ahead.
    kyc_refresh_years_high = models.PositiveSmallIntegerField(
        _("KYC refresh, high risk (years)"), default=1
    )
    kyc_refresh_years_medium = models.PositiveSmallIntegerField(
        _("KYC refresh, medium risk (years)"), default=2
    )
    kyc_refresh_years_low = models.PositiveSmallIntegerField(
        _("KYC refresh, low risk (years)"), default=3
    )
    real_estate_revaluation_months = models.PositiveSmallIntegerField(
        _("revalue real estate at least every (months)"), default=12
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("remind ahead of a due date (days)"), default=30
    )
    # Early-warning thresholds.
    coverage_alert_ratio = models.DecimalField(
        _("alert when collateral coverage is below"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    large_outflow_pct = models.DecimalField(
        _("alert when 30-day outflows exceed (percent of AUM)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="risksettings_one_per_tenant"),
        ]

    def haircut_for(self, kind: str) -> Decimal:
        value = (self.haircuts or {}).get(kind, DEFAULT_HAIRCUTS.get(kind, 0))
        return Decimal(str(value))


class RatingGrade(TenantOwnedModel):
    """One grade of the tenant's master scale: composites ``min..max`` map to
    ``code``; ``review_months`` is the time to the next review after approval."""

    code = models.CharField(_("grade"), max_length=8)
    rank = models.SmallIntegerField(_("rank"))  # 0 = best
    min_composite = models.SmallIntegerField(_("from composite"))
    max_composite = models.SmallIntegerField(_("to composite"))
    pd_pct = models.DecimalField(
        _("probability of default (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=PCT_VALIDATORS,
    )
    review_months = models.SmallIntegerField(_("review every (months)"))

    class Meta:
        verbose_name = _("rating grade")
        verbose_name_plural = _("rating grades")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="ratinggrade_unique_code"),
            models.UniqueConstraint(fields=["tenant", "rank"], name="ratinggrade_unique_rank"),
            models.CheckConstraint(
                condition=Q(min_composite__gte=0, min_composite__lte=models.F("max_composite"))
                & Q(max_composite__lte=100, rank__gte=0, review_months__gte=1),
                name="ratinggrade_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class RiskAssessment(TenantOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="risk_assessments",
        verbose_name=_("client"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    credit_score = models.SmallIntegerField(_("credit risk"), validators=SCORE_VALIDATORS)
    market_score = models.SmallIntegerField(_("market risk"), validators=SCORE_VALIDATORS)
    operational_score = models.SmallIntegerField(_("operational risk"), validators=SCORE_VALIDATORS)
    composite = models.SmallIntegerField(_("composite"))
    scale_rating = models.CharField(_("rating from the scale"), max_length=8)
    rating_override = models.CharField(_("rating override"), max_length=8, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    rating = models.CharField(_("rating"), max_length=8)
    rationale = models.TextField(_("rationale"), blank=True)
    snapshot = models.JSONField(_("data at assessment"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # the client's branch when the assessment was approved: override rates count
    # per branch as it was at the decision (a later move of the client does not
    # move its history), without joining the clients table
    approved_branch = models.ForeignKey(
        "tenancy.Branch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("branch when approved"),
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    next_review_at = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_score__gte=0, credit_score__lte=100)
                & Q(market_score__gte=0, market_score__lte=100)
                & Q(operational_score__gte=0, operational_score__lte=100)
                & Q(composite__gte=0, composite__lte=100),
                name="riskassessment_scores_0_100",
            ),
            models.CheckConstraint(
                condition=Q(rating_override="") | ~Q(override_reason=""),
                name="riskassessment_override_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "status"], name="riskassess_client_status"),
            models.Index(fields=["tenant", "status", "submitted_at"], name="riskassess_queue"),
            # the override-rate outcomes: the overridden approvals of the window
            models.Index(
                fields=["tenant", "approved_at"],
                condition=Q(status="approved") & ~Q(rating_override=""),
                name="riskassess_overridden",
            ),
            # the desk's "Recent decisions": newest decision first, read in index
            # order (an approved or rejected assessment never changes again)
            models.Index(
                fields=["tenant", "-updated_at", "-id"],
                condition=Q(status__in=["approved", "rejected"]),
                name="riskassess_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.rating} ({self.status})"

    @property
    def is_override(self) -> bool:
        return bool(self.rating_override)


class ClientRating(TenantOwnedModel):
    """The client's current rating: the last approved assessment."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessment")
    )
    rating = models.CharField(_("rating"), max_length=8)
    approved_at = models.DateTimeField(_("approved at"))
    next_review_at = models.DateField(_("next review"))

    class Meta:
        verbose_name = _("current rating")
        verbose_name_plural = _("current ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client"], name="clientrating_one_per_client"
            ),
        ]
        indexes = [
            # the desk's review calendar: the first rating reviews due, in index order
            models.Index(
                fields=["tenant", "next_review_at", "client"], name="clientrating_next_review"
            ),
        ]


class Collateral(TenantOwnedModel):
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="collaterals",
        verbose_name=_("client"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CollateralKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    market_value = models.DecimalField(
        _("market value"),
        max_digits=20,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY
    )
    haircut_pct = models.DecimalField(
        _("haircut (%)"), max_digits=5, decimal_places=2, validators=PCT_VALIDATORS
    )
    valued_at = models.DateField(_("valued on"))
    next_revaluation_at = models.DateField(_("next revaluation"), null=True, blank=True)
    guarantor = models.CharField(_("guarantor"), max_length=200, blank=True)
    # A guarantee given by another client of the bank: the edge of the guarantee
    # graph in which risk_scan finds circles (互保/联保).
    guarantor_client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("guarantor (client of the bank)"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("collateral")
        verbose_name_plural = _("collateral")
        ordering = ["-market_value", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(market_value__gte=0), name="collateral_market_value_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(haircut_pct__gte=0) & Q(haircut_pct__lte=100),
                name="collateral_haircut_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "client"], name="collateral_tenant_client"),
            models.Index(
                fields=["tenant", "guarantor_client"],
                condition=Q(guarantor_client__isnull=False),
                name="collateral_guarantor",
            ),
            models.Index(
                fields=["tenant", "next_revaluation_at", "id"],
                condition=Q(next_revaluation_at__isnull=False),
                name="collateral_revaluation",
            ),
            # the desk's review calendar: real estate due at its cap, by valuation date
            models.Index(
                fields=["tenant", "valued_at", "id"],
                condition=Q(kind="real_estate"),
                name="collateral_real_estate_valued",
            ),
        ]

    @property
    def lendable_value(self) -> Decimal:
        return lendable(self.market_value, self.haircut_pct)


def lendable(market_value: Decimal, haircut_pct: Decimal) -> Decimal:
    """market_value × (1 − haircut/100), to 2 decimals (half up)."""
    value = Decimal(market_value) * (Decimal("1") - Decimal(haircut_pct) / Decimal("100"))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class CreditLimit(TenantOwnedModel):
    """A credit limit granted to a client or to a corporate group (exactly one
    of the two); the newest unexpired one applies."""

    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credit_limits",
        verbose_name=_("client"),
    )
    group = models.ForeignKey(
        "clients.RelationshipGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("group"),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=20, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY
    )
    expires_on = models.DateField(_("expires on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="creditlimit_amount_ge_0"),
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(group__isnull=True))
                | (Q(client__isnull=True) & Q(group__isnull=False)),
                name="creditlimit_client_xor_group",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "client", "expires_on"], name="creditlimit_client_exp"),
            # the desk's review calendar: the first client limits to expire, in index order
            models.Index(
                fields=["tenant", "expires_on", "id"],
                condition=Q(client__isnull=False),
                name="creditlimit_client_expiry",
            ),
            models.Index(
                fields=["tenant", "group", "expires_on"],
                condition=Q(group__isnull=False),
                name="creditlimit_group_exp",
            ),
        ]


class ClientClassification(TenantOwnedModel):
    """The classification staff set for a client (never better than the floor)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices
    )
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client"], name="clientclassif_one_per_client"
            ),
        ]


class AlertKind(models.TextChoices):
    LIMIT_BREACH = "limit_breach", _("Credit limit breached")
    CAP_BREACH = "cap_breach", _("Capital cap breached")
    RATING_DOWNGRADE = "rating_downgrade", _("Rating downgraded")
    REVIEW_OVERDUE = "review_overdue", _("Rating review overdue")
    KYC_OVERDUE = "kyc_overdue", _("KYC refresh overdue")
    REVALUATION_OVERDUE = "revaluation_overdue", _("Collateral revaluation overdue")
    LOW_COVERAGE = "low_coverage", _("Collateral coverage low")
    PAST_DUE = "past_due", _("Loan past due")
    LARGE_OUTFLOW = "large_outflow", _("Large outflows")
    GUARANTEE_CIRCLE = "guarantee_circle", _("Guarantee circle")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH)  # index = severity


class RiskAlert(TenantOwnedModel):
    """An early-warning signal raised by ``risk_scan``. At most one alert per
    client and kind is open or acknowledged at a time (a partial unique
    constraint); once resolved, a later scan may raise the kind again."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPEN
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    note = models.TextField(_("note"), blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # severity as a number (low 0, medium 1, high 2), computed by the database so
    # the scan's INSERT ... SELECT needs no change; ordering "most severe first"
    # then reads the partial index below instead of sorting every current alert
    severity_rank = models.GeneratedField(
        expression=models.Case(
            *[
                models.When(severity=sev, then=models.Value(i))
                for i, sev in enumerate(SEVERITY_ORDER)
            ],
            default=models.Value(0),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client", "kind"],
                condition=~Q(status="resolved"),
                name="riskalert_one_open_per_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "status", "severity", "-raised_at"], name="riskalert_desk"
            ),
            models.Index(fields=["tenant", "client", "status"], name="riskalert_client"),
            models.Index(
                "tenant",
                F("severity_rank").desc(),
                F("raised_at").desc(),
                F("id").desc(),
                condition=~Q(status="resolved"),
                name="riskalert_current_rank",
            ),
            # watch-list proposals: a client's newest current high-severity alert
            # (their sort key) read as the first entry of the client's range
            models.Index(
                fields=["tenant", "client", "-raised_at", "-id"],
                condition=Q(severity="high") & ~Q(status="resolved"),
                name="riskalert_current_high",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.client_id}"

    @property
    def summary(self) -> str:
        """What the scan saw, in the reader's language (from ``detail``)."""
        from django.utils.formats import number_format
        from django.utils.translation import gettext

        d = self.detail or {}

        def money(key):
            try:
                return number_format(Decimal(str(d.get(key))), 2, force_grouping=True)
            except (ArithmeticError, ValueError, TypeError):
                return "—"

        texts = {
            AlertKind.LIMIT_BREACH: lambda: (
                gettext("Exposure %(e)s CNY over the limit %(l)s CNY.")
                % {"e": money("exposure"), "l": money("limit")}
                if d.get("limit") is not None and not d.get("group")
                else gettext("A group of the client is over its group limit.")
            ),
            AlertKind.CAP_BREACH: lambda: (
                gettext(
                    "Exposure %(e)s CNY (or its group's) over a capital cap (tier-1 %(t)s, net capital %(n)s CNY)."
                )
                % {"e": money("exposure"), "t": money("tier1_capital"), "n": money("net_capital")}
            ),
            AlertKind.RATING_DOWNGRADE: lambda: (
                gettext("Rating %(p)s → %(r)s.")
                % {"p": d.get("previous", "—"), "r": d.get("rating", "—")}
            ),
            AlertKind.REVIEW_OVERDUE: lambda: (
                gettext("Rating review was due on %(d)s.") % {"d": d.get("due_on", "—")}
            ),
            AlertKind.KYC_OVERDUE: lambda: (
                gettext("KYC refresh was due on %(d)s.") % {"d": d.get("due_on", "—")}
            ),
            AlertKind.REVALUATION_OVERDUE: lambda: (
                gettext("%(n)s collateral item(s) to revalue, the first due on %(d)s.")
                % {"n": d.get("collaterals", "—"), "d": d.get("due_on", "—")}
            ),
            AlertKind.LOW_COVERAGE: lambda: (
                gettext("Lendable collateral %(c)s CNY against an exposure of %(e)s CNY.")
                % {"c": money("lendable"), "e": money("exposure")}
            ),
            AlertKind.PAST_DUE: lambda: (
                gettext("%(d)s days past due, %(b)s CNY of loans overdue.")
                % {"d": d.get("days_past_due", "—"), "b": money("balance")}
            ),
            AlertKind.LARGE_OUTFLOW: lambda: (
                gettext("Outflows of %(o)s CNY in 30 days against AUM of %(a)s CNY.")
                % {"o": money("outflow"), "a": money("aum")}
            ),
            AlertKind.GUARANTEE_CIRCLE: lambda: (
                gettext("On a circle of %(n)s clients guaranteeing each other.")
                % {"n": len(d.get("members") or [])}
            ),
        }
        text = texts.get(self.kind)
        return text() if text else ""


class WatchListEntry(TenantOwnedModel):
    """A client on the watch list (关注名单). Removal keeps the row (who, when,
    why): at most one entry per client has no ``removed_at``."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    reason = models.TextField(_("reason"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    added_at = models.DateTimeField(_("added at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for removal"), blank=True)

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client"],
                condition=Q(removed_at__isnull=True),
                name="watchlist_one_current_per_client",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "client"],
                condition=Q(removed_at__isnull=True),
                name="watchlist_current",
            ),
        ]


class ReviewKind(models.TextChoices):
    """What falls due on a client in the review calendar."""

    RATING_REVIEW = "rating_review", _("Rating review")
    KYC_REFRESH = "kyc_refresh", _("KYC refresh")
    REVALUATION = "revaluation", _("Collateral revaluation")
    LIMIT_EXPIRY = "limit_expiry", _("Credit limit expiry")


class ReviewReminder(TenantOwnedModel):
    """The review calendar's dispatch ledger: one row per (item, due date,
    stage, recipient), written in the transaction that notifies — so a sweep
    run twice, concurrently or after a crash reminds exactly once. ``item_id``
    is the client (rating review, KYC), the collateral or the credit limit.
    ``emailed_at`` is the email outbox state."""

    class Stage(models.TextChoices):
        AHEAD = "ahead", _("Ahead of the due date")
        OVERDUE = "overdue", _("Overdue")

    kind = models.CharField(_("kind"), max_length=16, choices=ReviewKind.choices)
    item_id = models.BigIntegerField()
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    due_on = models.DateField(_("due on"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "item_id", "due_on", "stage", "recipient"],
                name="reviewreminder_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="reviewreminder_outbox",
            ),
        ]

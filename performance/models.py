"""KPI scorecards: weights and definitions per tenant, the regulatory
guardrail as data, snapshots per (period, scope, subject) with versions,
closed periods, and the nightly AUM aggregate the daily-average KPIs read.

See performance/README.md for the design (what each measure means, how a
score is computed, how a period is frozen and corrected)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenancy.models import TenantOwnedModel


class Dimension(models.TextChoices):
    SATISFACTION = "satisfaction", pgettext_lazy("kpi", "Satisfaction")
    LOYALTY = "loyalty", pgettext_lazy("kpi", "Loyalty")
    PROFIT = "profit", _("Profit contribution")
    RISK = "risk", _("Risk control")
    # shown beside the four; weighted only when a tenant moves a KPI into one of them
    ACTIVITY = "activity", pgettext_lazy("kpi", "Activity")


WEIGHTED_DIMENSIONS = (Dimension.SATISFACTION, Dimension.LOYALTY, Dimension.PROFIT, Dimension.RISK)


class Scope(models.TextChoices):
    RM = "rm", _("Relationship manager")
    BRANCH = "branch", _("Branch")
    TENANT = "tenant", _("Bank")


class Basis(models.TextChoices):
    """How a measure is taken over the period."""

    PERIOD = "period", _("Over the period")
    DAILY_AVERAGE = "daily_average", _("Daily average")
    POINT_IN_TIME = "point_in_time", _("Point in time")
    RANKING = "ranking", _("Ranking")


class Measure(models.TextChoices):
    NPS = "nps", _("NPS")
    CSAT_PCT = "csat_pct", _("CSAT (share satisfied)")
    RETENTION_RATE = "retention_rate", _("Key-client retention")
    AUM_GROWTH_PCT = "aum_growth_pct", _("AUM growth (daily average)")
    REVENUE = "revenue", _("Estimated revenue")
    REVENUE_PER_CLIENT = "revenue_per_client", _("Estimated revenue per client")
    REVIEWS_OVERDUE_PCT = "reviews_overdue_pct", _("Rating reviews overdue (share)")
    KYC_OVERDUE_PCT = "kyc_overdue_pct", _("KYC refreshes overdue (share)")
    LIMIT_BREACHES = "limit_breaches", _("Open credit-limit breaches")
    ALERTS_WITHIN_SLA_PCT = "alerts_within_sla_pct", _("Alerts resolved within SLA")
    NPL_SHARE_PCT = "npl_share_pct", _("Non-performing share of the book")
    CONTACTED_WITHIN_CADENCE_PCT = (
        "contacted_within_cadence_pct",
        _("Key clients contacted within cadence"),
    )
    FOLLOWUPS_OVERDUE = "followups_overdue", _("Overdue follow-ups")
    DEPOSIT_BALANCE = "deposit_balance", _("Deposits")
    DEPOSIT_MARKET_SHARE = "deposit_market_share", _("Deposit market share")


# The bases each measure is computed on (anything else is refused with a 400).
MEASURE_BASES: dict[str, tuple[str, ...]] = {
    Measure.NPS: (Basis.PERIOD,),
    Measure.CSAT_PCT: (Basis.PERIOD,),
    Measure.RETENTION_RATE: (Basis.PERIOD,),
    Measure.AUM_GROWTH_PCT: (Basis.DAILY_AVERAGE,),
    Measure.REVENUE: (Basis.PERIOD,),
    Measure.REVENUE_PER_CLIENT: (Basis.PERIOD,),
    Measure.REVIEWS_OVERDUE_PCT: (Basis.PERIOD,),
    Measure.KYC_OVERDUE_PCT: (Basis.PERIOD,),
    Measure.LIMIT_BREACHES: (Basis.PERIOD,),
    Measure.ALERTS_WITHIN_SLA_PCT: (Basis.PERIOD,),
    Measure.NPL_SHARE_PCT: (Basis.PERIOD,),
    Measure.CONTACTED_WITHIN_CADENCE_PCT: (Basis.PERIOD,),
    Measure.FOLLOWUPS_OVERDUE: (Basis.PERIOD,),
    Measure.DEPOSIT_BALANCE: (Basis.DAILY_AVERAGE, Basis.POINT_IN_TIME),
    Measure.DEPOSIT_MARKET_SHARE: (Basis.RANKING,),
}

DEFAULT_WEIGHT = 25

# Annual margin or fee rate (%) per product category: estimated revenue of a
# holding = balance (CNY) x rate / 12 per month. A tenant changes them.
DEFAULT_REVENUE_RATES = {
    "deposit": "1.20",
    "loan": "2.00",
    "wealth": "0.80",
    "fund": "1.00",
    "insurance": "1.50",
    "bond": "0.30",
    "trust": "1.20",
    "precious_metal": "0.50",
}
# Days an alert may take from raised to resolved, by severity.
DEFAULT_ALERT_SLA_DAYS = {"high": 2, "medium": 5, "low": 10}


class KpiSettings(TenantOwnedModel):
    """The tenant's dimension weights (integers summing to 100, default 25
    each — the Ministry of Finance's 2020 four-dimension evaluation), the
    revenue rates per product category and the alert SLAs. One row per
    tenant; reads use the defaults until an admin saves."""

    satisfaction = models.IntegerField(_("satisfaction"), default=DEFAULT_WEIGHT)
    loyalty = models.IntegerField(_("loyalty"), default=DEFAULT_WEIGHT)
    profit = models.IntegerField(_("profit contribution"), default=DEFAULT_WEIGHT)
    risk = models.IntegerField(_("risk control"), default=DEFAULT_WEIGHT)
    revenue_rates = models.JSONField(_("revenue rate per product category (%)"), default=dict)
    alert_sla_days = models.JSONField(_("alert SLA per severity (days)"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI settings")
        verbose_name_plural = _("KPI settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="kpisettings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=0)
                & Q(loyalty__gte=0)
                & Q(profit__gte=0)
                & Q(risk__gte=0),
                name="kpisettings_weights_not_negative",
            ),
        ]

    def weights(self) -> dict[str, int]:
        return {d: getattr(self, d) for d in WEIGHTED_DIMENSIONS}

    def rates(self) -> dict[str, Decimal]:
        merged = {**DEFAULT_REVENUE_RATES, **(self.revenue_rates or {})}
        return {k: Decimal(str(v)) for k, v in merged.items()}

    def sla_days(self) -> dict[str, int]:
        return {**DEFAULT_ALERT_SLA_DAYS, **(self.alert_sla_days or {})}


class KpiDefinition(TenantOwnedModel):
    """One KPI of the tenant's scorecard: a measure taken on a basis, in a
    dimension, scored 0 at ``floor`` and 100 at ``target`` (linear, clamped;
    with a ``challenge`` target, ``target`` scores 80 and ``challenge`` 100).
    A floor above the target means lower is better (overdue shares)."""

    measure = models.CharField(_("measure"), max_length=40, choices=Measure.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    floor = models.DecimalField(_("floor"), max_digits=18, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    challenge = models.DecimalField(
        _("challenge target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    weight = models.IntegerField(_("weight within the dimension"), default=1)
    active = models.BooleanField(pgettext_lazy("kpi", "active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI definition")
        verbose_name_plural = _("KPI definitions")
        ordering = ["dimension", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "measure", "basis"], name="kpidefinition_unique_measure"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="kpidefinition_weight_min"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ({self.get_basis_display()})"


class KpiGuardrailRule(TenantOwnedModel):
    """A measure/basis pair no KPI may use, with the reason shown on refusal.
    Every tenant starts with the regulatory rules (``builtin``, never removed:
    CBIRC 2018 on deposit deviation); a bank adds its own."""

    measure = models.CharField(_("measure"), max_length=40, choices=Measure.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices, blank=True)
    reason = models.CharField(_("reason (English)"), max_length=500)
    reason_zh = models.CharField(_("reason (Simplified Chinese)"), max_length=500)
    builtin = models.BooleanField(_("regulatory"), default=False)

    class Meta:
        verbose_name = _("KPI guardrail rule")
        verbose_name_plural = _("KPI guardrail rules")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "measure", "basis"], name="kpiguardrail_unique_pair"
            ),
        ]


class KpiSnapshot(TenantOwnedModel):
    """The scorecard of one subject for one period (a month in the tenant's
    zone). Open periods are recomputed in place (version 1); after the period
    is closed the rows are frozen and a correction adds version n+1, which
    becomes the current one."""

    period = models.CharField(_("period"), max_length=7)  # YYYY-MM
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    subject_id = models.BigIntegerField(pgettext_lazy("kpi", "subject"))
    subject_name = models.CharField(_("name"), max_length=200, blank=True)
    version = models.IntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    satisfaction = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    loyalty = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    profit = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    risk = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    total = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    rank = models.IntegerField(_("rank in the bank"), null=True)
    measures = models.JSONField(_("measures"), default=dict)
    kpi_scores = models.JSONField(_("KPI scores"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    reason = models.CharField(_("correction reason"), max_length=500, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("corrected by"),
    )

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["period", "scope", "-total", "subject_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "scope", "subject_id", "version"],
                name="kpisnapshot_unique_version",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period", "scope", "subject_id"],
                condition=Q(is_current=True),
                name="kpisnapshot_one_current",
            ),
        ]
        indexes = [
            # the dashboard and the API: one period and scope, best first
            models.Index(
                fields=["tenant", "period", "scope", "total"],
                condition=Q(is_current=True),
                name="kpisnapshot_tenant_period",
            ),
            # the 12-month trend of a set of subjects
            models.Index(
                fields=["tenant", "scope", "subject_id", "period"],
                condition=Q(is_current=True),
                name="kpisnapshot_tenant_subject",
            ),
        ]


class KpiPeriodClose(TenantOwnedModel):
    """A closed period: its snapshots no longer change with the data."""

    period = models.CharField(_("period"), max_length=7)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("closed KPI period")
        verbose_name_plural = _("closed KPI periods")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="kpiperiodclose_once"),
        ]


class DailyAum(TenantOwnedModel):
    """AUM (and deposits) per RM (dedicated manager), per branch (its own
    clients, not the subtree: subtrees are summed at snapshot time) and for
    the tenant, recorded once a day by the nightly job from the clients'
    current AUM. Daily averages divide by the days recorded in the period."""

    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    subject_id = models.BigIntegerField(pgettext_lazy("kpi", "subject"))
    aum = models.DecimalField(_("AUM"), max_digits=22, decimal_places=2)
    deposits = models.DecimalField(_("deposits"), max_digits=22, decimal_places=2)

    class Meta:
        verbose_name = _("daily AUM")
        verbose_name_plural = _("daily AUM")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "day", "scope", "subject_id"], name="dailyaum_once_per_day"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "scope", "day"], name="dailyaum_tenant_scope_day"),
        ]


class KeyClientBase(TenantOwnedModel):
    """The key clients (active, with an active dedicated manager) at the start
    of a period, with the manager and branch they had then: recorded by the
    first snapshot run of the period (INSERT ... ON CONFLICT DO NOTHING), so
    retention is "of these, still active key clients at the end"."""

    period = models.CharField(_("period"), max_length=7)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    manager_id = models.BigIntegerField(_("dedicated manager"))
    branch_id = models.BigIntegerField(_("branch"))

    class Meta:
        verbose_name = _("key client at period start")
        verbose_name_plural = _("key clients at period start")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "client"], name="keyclientbase_once"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "manager_id"], name="keyclientbase_manager"),
            models.Index(fields=["tenant", "period", "branch_id"], name="keyclientbase_branch"),
        ]


class ImprovementAction(TenantOwnedModel):
    """An action a branch head (or an admin) sets for an RM from a month's
    scorecard: a goal on one dimension, a due date and the RM's follow-ups it
    is pursued through. The RM marks it done; the setter may also drop it. The
    next month's scorecard shows it with its status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    rm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("relationship manager"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )
    period = models.CharField(_("period"), max_length=7)  # the scorecard's month, YYYY-MM
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    goal = models.CharField(_("goal"), max_length=500)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["period", "due_on", "id"]
        indexes = [
            # an RM's scorecard: its actions of this month and the previous one
            models.Index(fields=["tenant", "rm", "period"], name="improvementaction_rm_period"),
        ]


class ImprovementActionFollowUp(TenantOwnedModel):
    """A follow-up of the RM an action is pursued through (a tenant row of its
    own, so row-level security covers the link too)."""

    action = models.ForeignKey(
        ImprovementAction, on_delete=models.CASCADE, related_name="links", verbose_name=_("action")
    )
    follow_up = models.ForeignKey(
        "communications.FollowUp",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("follow-up"),
    )

    class Meta:
        verbose_name = _("follow-up of an improvement action")
        verbose_name_plural = _("follow-ups of improvement actions")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "action", "follow_up"],
                name="improvementactionfollowup_once",
            ),
        ]


# Training and certification (issue 11, part 2a): their own module, registered here.
from .models_training import *  # noqa: E402, F403

"""The override-rate table: per approver and per branch (the client's when the
assessment was approved, ``RiskAssessment.approved_branch``), over the
assessments approved in the last ``months`` months among the clients the user
sees (``clients.access``), how often the approved rating overrode the scale's,
in which direction, and how the overridden clients fared since.

Definitions (risk/README.md "Override rates"):

- approved: assessments approved in the window; overridden: those with a
  ``rating_override``; rate = overridden ÷ approved × 100 (one decimal);
- better / worse: the override ranks better (nearer AAA) / worse than the
  scale rating on the tenant's master scale;
- overridden clients: distinct clients with an overridden assessment;
  worse since: of those, clients with a later approved assessment, or a current
  rating (``ClientRating``), worse than the overridden rating;
  non-performing now: of those, clients classified substandard or worse — the
  classification staff stored (``ClientClassification``) or the floor from a
  loan more than 90 days past due (``Holding.days_past_due``).

Set-based: two queries for both groupings, whatever the number of rows — the
counts grouped by approver and branch at once (``Count(filter=...)``, the rank
of a rating a ``CASE`` over the scale), and the overridden assessments alone
with their outcome lookups; the two groupings are summed from those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from clients.access import client_rows
from clients.models.portfolio import Holding, ProductCategory
from tenancy.models import User

from . import rules
from .models import ClientClassification, ClientRating, RiskAssessment
from .scale import rating_scale

BY_APPROVER = "approver"
BY_BRANCH = "branch"
GROUPINGS = {
    BY_APPROVER: (
        "approved_by_id",
        "approved_by__username",
        "approved_by__first_name",
        "approved_by__last_name",
    ),
    BY_BRANCH: ("approved_branch_id", "approved_branch__name"),
}
NON_PERFORMING_DAYS = 90  # rules.floor_for_days_past_due: more than 90 days → substandard


@dataclass(frozen=True)
class OverrideRate:
    key: int
    name: str
    approved: int
    overridden: int
    better: int
    worse: int
    overridden_clients: int
    worse_since: int
    non_performing: int

    @property
    def rate(self) -> Decimal:
        """Overridden ÷ approved, in percent with one decimal (half up)."""
        if not self.approved:
            return Decimal("0.0")
        pct = Decimal(self.overridden) * 100 / Decimal(self.approved)
        return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def as_api(self) -> dict:
        return {
            "id": self.key,
            "name": self.name,
            "approved": self.approved,
            "overridden": self.overridden,
            "override_rate": self.rate,
            "better": self.better,
            "worse": self.worse,
            "overridden_clients": self.overridden_clients,
            "worse_since": self.worse_since,
            "non_performing": self.non_performing,
        }


class ScaleRank(Func):
    """The rank of a rating on the tenant's scale (0 = best), as SQL: a searched
    ``CASE WHEN col = 'AAA' THEN 0 …`` (CONVENTIONS §7), NULL off the scale.
    One expression node with its codes as parameters, not a ``Case`` of
    ``When``s: the override-rate queries use it four times, and resolving and
    compiling ten ``When`` nodes each was a good part of the desk's Python time."""

    output_field = IntegerField()

    def __init__(self, field, codes):
        super().__init__(F(field))
        self.codes = tuple(codes)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        whens, args = [], []
        for i, code in enumerate(self.codes):
            whens.append(f"WHEN {sql} = %s THEN {i}")
            args += [*params, code]
        return f"CASE {' '.join(whens)} ELSE NULL END", args


def _rank(field) -> ScaleRank:
    return ScaleRank(field, [g.code for g in rating_scale()])


def window_start(months: int) -> datetime:
    """The start of the window: today ``months`` months ago, at midnight (local)."""
    day = rules.add_months(timezone.localdate(), -months)
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def approved_in_window(*, user, months: int = 12) -> QuerySet[RiskAssessment]:
    """Approved assessments of visible clients in the window, with the ranks
    of the override and of the scale rating annotated."""
    qs = client_rows(
        RiskAssessment.objects.filter(
            status=RiskAssessment.Status.APPROVED, approved_at__gte=window_start(months)
        ),
        user=user,
    )
    return qs.annotate(override_rank=_rank("rating_override"), scale_rank=_rank("scale_rating"))


def with_outcomes(qs: QuerySet[RiskAssessment], *, user) -> QuerySet[RiskAssessment]:
    """``qs`` (from ``approved_in_window``) with how each client fared since:
    ``worse_since`` (a later approved assessment or the current rating worse
    than the override) and ``non_performing`` (classified or floored
    substandard or worse now)."""
    approved = RiskAssessment.Status.APPROVED
    later_worse = (
        RiskAssessment.objects.filter(
            client_id=OuterRef("client_id"),
            status=approved,
            approved_at__gt=OuterRef("approved_at"),
        )
        .annotate(later_rank=_rank("rating"))
        .filter(later_rank__gt=OuterRef("override_rank"))
    )
    current_worse = (
        ClientRating.objects.filter(client_id=OuterRef("client_id"))
        .annotate(current_rank=_rank("rating"))
        .filter(current_rank__gt=OuterRef("override_rank"))
    )
    classified_np = ClientClassification.objects.filter(
        client_id=OuterRef("client_id"), classification__in=sorted(rules.NON_PERFORMING)
    )
    loans_np = client_rows(
        Holding.objects.filter(kind=ProductCategory.LOAN, days_past_due__gt=NON_PERFORMING_DAYS),
        user=user,
        client=OuterRef("client_id"),
    )
    return qs.annotate(
        worse_since=Exists(later_worse) | Exists(current_worse),
        non_performing=Exists(classified_np) | Exists(loans_np),
    )


def _name(r: dict, by: str) -> tuple[int, str]:
    if by == BY_APPROVER:
        person = User(
            first_name=r["approved_by__first_name"], last_name=r["approved_by__last_name"]
        )
        return r["approved_by_id"], person.get_full_name() or r["approved_by__username"]
    return r["approved_branch_id"], r["approved_branch__name"]


def desk_override_rates(*, user, months: int = 12, limit: int | None = 10) -> dict:
    """Per approver and per branch, highest override rate first (then most
    overrides, then the name), ``limit`` rows of each at most. Two queries for
    both tables: the counts grouped by approver and branch together, and the
    overridden assessments alone with their outcome — the outcome lookups run
    for the overridden few, not for every approval."""
    overridden = ~Q(rating_override="")
    window = approved_in_window(user=user, months=months)
    counts = (
        window.values(*GROUPINGS[BY_APPROVER], *GROUPINGS[BY_BRANCH])
        .annotate(
            n_approved=Count("pk"),
            n_overridden=Count("pk", filter=overridden),
            n_better=Count("pk", filter=overridden & Q(override_rank__lt=F("scale_rank"))),
            n_worse=Count("pk", filter=overridden & Q(override_rank__gt=F("scale_rank"))),
        )
        .order_by()
    )
    outcomes = (
        with_outcomes(window.filter(overridden), user=user)
        .values(
            "approved_by_id", "approved_branch_id", "client_id", "worse_since", "non_performing"
        )
        .order_by()
    )
    tables = {}
    for by in (BY_APPROVER, BY_BRANCH):
        key_field = GROUPINGS[by][0]
        rows: dict[int, dict] = {}
        for r in counts:
            key, name = _name(r, by)
            row = rows.setdefault(
                key,
                {
                    "name": name,
                    "sort": r[GROUPINGS[by][1]] or "",  # the username, or the branch name
                    "approved": 0,
                    "overridden": 0,
                    "better": 0,
                    "worse": 0,
                },
            )
            row["approved"] += r["n_approved"]
            row["overridden"] += r["n_overridden"]
            row["better"] += r["n_better"]
            row["worse"] += r["n_worse"]
        clients: dict[int, dict[str, set]] = {}
        for o in outcomes:
            sets = clients.setdefault(o[key_field], {"all": set(), "worse": set(), "np": set()})
            sets["all"].add(o["client_id"])
            if o["worse_since"]:
                sets["worse"].add(o["client_id"])
            if o["non_performing"]:
                sets["np"].add(o["client_id"])
        empty = {"all": (), "worse": (), "np": ()}
        table = [
            (
                row["sort"],
                OverrideRate(
                    key=key,
                    name=row["name"],
                    approved=row["approved"],
                    overridden=row["overridden"],
                    better=row["better"],
                    worse=row["worse"],
                    overridden_clients=len(clients.get(key, empty)["all"]),
                    worse_since=len(clients.get(key, empty)["worse"]),
                    non_performing=len(clients.get(key, empty)["np"]),
                ),
            )
            for key, row in rows.items()
        ]
        table.sort(key=lambda t: (-t[1].overridden / t[1].approved, -t[1].overridden, t[0]))
        ranked = [t[1] for t in table]
        tables[by] = ranked if limit is None else ranked[:limit]
    return {"months": months, "approvers": tables[BY_APPROVER], "branches": tables[BY_BRANCH]}


def override_rates(
    *, user, months: int = 12, by: str = BY_APPROVER, limit: int | None = None
) -> list[OverrideRate]:
    """One of the two tables: per approver (``by="approver"``) or per client
    branch (``by="branch"``)."""
    tables = desk_override_rates(user=user, months=months, limit=limit)
    return tables["approvers" if by == BY_APPROVER else "branches"]

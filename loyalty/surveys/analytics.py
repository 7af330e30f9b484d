"""Satisfaction analytics for /loyalty/: NPS and CSAT by RM, branch, tier
and month, response rate, the recovery queue, verbatim comments — every
figure from the answers of the clients the viewer sees (selectors), one
query for all five tables (``breakdown``) whatever the number of answers.

NPS = % promoters (9–10) − % detractors (0–6) of the NPS answers, one
decimal (10, 9, 2 → +33.3); CSAT = the mean score (1–5) of the CSAT answers
and the share of 4s and 5s. Answers count for the RM and branch that
managed the client when it answered (kept on the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tenancy.models import Branch
from tenancy.selectors import tenant_staff

from ..models import ServiceRecovery, SurveyKind, SurveyResponse
from . import selectors


def nps_value(promoters: int, detractors: int, answers: int) -> Decimal | None:
    if not answers:
        return None
    value = Decimal(100 * (promoters - detractors)) / Decimal(answers)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Score:
    key: object
    label: str
    answers: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None
    csat_answers: int
    csat: Decimal | None
    csat_satisfied_pct: Decimal | None

    @property
    def nps_bar(self) -> int:
        """Width (0–100) of a bar centred on 0 for the trend chart."""
        return 0 if self.nps is None else int(abs(self.nps) / 2)


def _score(key, label, row: dict) -> Score:
    csat_n = row["csat_answers"]
    return Score(
        key=key,
        label=label,
        answers=row["answers"],
        promoters=row["promoters"],
        passives=row["passives"],
        detractors=row["detractors"],
        nps=nps_value(row["promoters"], row["detractors"], row["answers"]),
        csat_answers=csat_n,
        csat=(
            Decimal(str(row["csat_avg"])).quantize(Decimal("0.01"))
            if row["csat_avg"] is not None
            else None
        ),
        csat_satisfied_pct=(
            (Decimal(100 * row["csat_satisfied"]) / csat_n).quantize(Decimal("0.1"))
            if csat_n
            else None
        ),
    )


def answers_since(*, user, since: datetime) -> QuerySet[SurveyResponse]:
    return selectors.response_list(user=user).filter(answered_at__gte=since).order_by()


@dataclass(frozen=True)
class Breakdown:
    overall: Score
    by_rm: list[Score]
    by_branch: list[Score]
    by_tier: list[Score]
    by_month: list[Score]


# the five groupings of one breakdown, by the columns of ``_answer_rows``,
# each named by its GROUPING() bitmask (1 for each column not grouped, the
# first column the highest bit)
_COLUMNS = ("manager_id", "branch_id", "tier", "month")
_GROUPINGS = {
    "overall": ((), 0b1111),
    "rm": (("manager_id",), 0b0111),
    "branch": (("branch_id",), 0b1011),
    "tier": (("tier",), 0b1101),
    "month": (("month",), 0b1110),
}
_MEASURES = (
    ("answers", "COUNT(*) FILTER (WHERE kind = %s)", SurveyKind.NPS),
    ("promoters", "COUNT(*) FILTER (WHERE kind = %s AND score >= 9)", SurveyKind.NPS),
    ("passives", "COUNT(*) FILTER (WHERE kind = %s AND score BETWEEN 7 AND 8)", SurveyKind.NPS),
    ("detractors", "COUNT(*) FILTER (WHERE kind = %s AND score <= 6)", SurveyKind.NPS),
    ("csat_answers", "COUNT(*) FILTER (WHERE kind = %s)", SurveyKind.CSAT),
    ("csat_avg", "AVG(score) FILTER (WHERE kind = %s)", SurveyKind.CSAT),
    ("csat_satisfied", "COUNT(*) FILTER (WHERE kind = %s AND score >= 4)", SurveyKind.CSAT),
)


def _answer_rows(qs, zone):
    return qs.annotate(month=TruncMonth("answered_at", tzinfo=zone)).values(
        "kind", "score", *_COLUMNS
    )


def _breakdown_sql(qs, zone, *, grouping_sets: bool) -> tuple[str, list]:
    """The five groupings in one statement. PostgreSQL: GROUPING SETS, one
    pass over the answers. Elsewhere (SQLite, ``make demo``): the answers in a
    CTE grouped five times, UNION ALL (a CTE used more than once is
    materialised) — same rows, same ``part`` numbers; a test compares them."""
    inner_sql, inner_params = _answer_rows(qs, zone).query.sql_with_params()
    measures = ", ".join(f"{sql} AS {name}" for name, sql, _ in _MEASURES)
    kinds = [kind.value for _, _, kind in _MEASURES]
    cols = ", ".join(_COLUMNS)
    if grouping_sets:
        sets = ", ".join(f"({', '.join(g)})" for g, _ in _GROUPINGS.values())
        sql = (
            f"SELECT GROUPING({cols}) AS part, {cols}, {measures} "
            f"FROM ({inner_sql}) answers GROUP BY GROUPING SETS ({sets})"
        )
        return sql, [*kinds, *inner_params]
    parts, params = [], list(inner_params)
    for grouped, bits in _GROUPINGS.values():
        # a column outside the grouping is NULL, typed as the column (an
        # aggregate over no row: a bare NULL would not match the UNION's types)
        select = ", ".join(
            c if c in grouped else f"MIN({c}) FILTER (WHERE 1 = 0) AS {c}" for c in _COLUMNS
        )
        group = f" GROUP BY {', '.join(grouped)}" if grouped else ""
        parts.append(f"SELECT {bits} AS part, {select}, {measures} FROM answers{group}")
        params += kinds
    return f"WITH answers AS ({inner_sql}) " + " UNION ALL ".join(parts), params


def breakdown(
    qs: QuerySet[SurveyResponse], zone, tier_labels: dict, *, grouping_sets: bool | None = None
) -> Breakdown:
    """Overall, by RM, branch, tier and month from one read of the viewer's
    answers (``qs``, already through the access policy), then the names of
    the RMs and branches found — three queries for the five tables."""
    if grouping_sets is None:
        grouping_sets = connection.vendor == "postgresql"
    sql, params = _breakdown_sql(qs, zone, grouping_sets=grouping_sets)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    part_names = {bits: name for name, (_, bits) in _GROUPINGS.items()}
    groups: dict[str, list[dict]] = {name: [] for name in _GROUPINGS}
    for row in rows:
        groups[part_names[row["part"]]].append(row)
    people = {
        u["pk"]: _person(u["first_name"], u["last_name"], u["username"])
        for u in tenant_staff()
        .filter(pk__in=[r["manager_id"] for r in groups["rm"] if r["manager_id"]])
        .values("pk", "first_name", "last_name", "username")
    }
    branch_names = dict(
        Branch.objects.filter(pk__in=[r["branch_id"] for r in groups["branch"]]).values_list(
            "pk", "name"
        )
    )
    return Breakdown(
        overall=_score(None, "", groups["overall"][0]),
        by_rm=sorted(
            (_score(r["manager_id"], people.get(r["manager_id"], "—"), r) for r in groups["rm"]),
            key=lambda s: (s.nps is None, -(s.nps or 0), s.label),
        ),
        by_branch=sorted(
            (
                _score(r["branch_id"], branch_names.get(r["branch_id"], "—"), r)
                for r in groups["branch"]
            ),
            key=lambda s: s.label,
        ),
        by_tier=_by_tier(groups["tier"], tier_labels),
        by_month=sorted(
            (_score(_month(r["month"]), _month(r["month"]), r) for r in groups["month"]),
            key=lambda s: s.key,
        ),
    )


def _month(value) -> str:
    """``YYYY-MM`` of a truncated month (a datetime on PostgreSQL, the
    ISO text of one on SQLite: the cursor is raw)."""
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def _person(first: str, last: str, username: str) -> str:
    return f"{last}{first}".strip() or username


def _by_tier(rows, labels: dict) -> list[Score]:
    order = list(labels)
    return sorted(
        (_score(r["tier"], str(labels.get(r["tier"], r["tier"])), r) for r in rows),
        key=lambda s: order.index(s.key) if s.key in order else len(order),
    )


def response_rate(*, user, since: datetime) -> dict:
    """Invitations sent since ``since`` and how many were answered (one query)."""
    row = (
        selectors.invitation_list(user=user)
        .filter(sent_at__gte=since)
        .order_by()
        .aggregate(sent=Count("pk"), answered=Count("pk", filter=Q(status="answered")))
    )
    sent = row["sent"]
    pct = (Decimal(100 * row["answered"]) / sent).quantize(Decimal("0.1")) if sent else None
    return {"sent": sent, "answered": row["answered"], "pct": pct}


def recovery_queue(*, user, limit: int = 50) -> list[ServiceRecovery]:
    """Open service recoveries, the most urgent first (the 48-hour clock)."""
    return list(
        selectors.open_recoveries(user=user)
        .filter(kind=ServiceRecovery.Kind.RECOVERY)
        .order_by("due_at", "pk")[:limit]
    )


def comments(*, user, since: datetime, limit: int = 20) -> list[SurveyResponse]:
    return list(
        selectors.response_list(user=user)
        .filter(answered_at__gte=since)
        .exclude(comment="")
        .order_by("-answered_at", "-pk")[:limit]
    )


def period_start(months: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=round(months * 30.44))

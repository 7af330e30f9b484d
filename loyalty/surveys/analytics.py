"""Satisfaction analytics for /loyalty/: NPS and CSAT by RM, branch, tier
and month, response rate, the recovery queue, verbatim comments — every
figure from the answers of the clients the viewer sees (selectors), one
aggregate query per table whatever the number of answers.

NPS = % promoters (9–10) − % detractors (0–6) of the NPS answers, one
decimal (10, 9, 2 → +33.3); CSAT = the mean score (1–5) of the CSAT answers
and the share of 4s and 5s. Answers count for the RM and branch that
managed the client when it answered (kept on the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import ServiceRecovery, SurveyKind, SurveyResponse
from . import selectors

NPS_Q = Q(kind=SurveyKind.NPS)
CSAT_Q = Q(kind=SurveyKind.CSAT)


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


def _aggregates() -> dict:
    return {
        "answers": Count("pk", filter=NPS_Q),
        "promoters": Count("pk", filter=NPS_Q & Q(score__gte=9)),
        "passives": Count("pk", filter=NPS_Q & Q(score__gte=7, score__lte=8)),
        "detractors": Count("pk", filter=NPS_Q & Q(score__lte=6)),
        "csat_answers": Count("pk", filter=CSAT_Q),
        "csat_avg": Avg("score", filter=CSAT_Q),
        "csat_satisfied": Count("pk", filter=CSAT_Q & Q(score__gte=4)),
    }


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


def overall(qs: QuerySet[SurveyResponse]) -> Score:
    return _score(None, "", qs.aggregate(**_aggregates()))


def _person(first: str, last: str, username: str) -> str:
    return f"{last}{first}".strip() or username


def by_rm(qs) -> list[Score]:
    rows = qs.values(
        "manager_id", "manager__username", "manager__first_name", "manager__last_name"
    ).annotate(**_aggregates())
    out = [
        _score(
            r["manager_id"],
            _person(
                r["manager__first_name"] or "",
                r["manager__last_name"] or "",
                r["manager__username"] or "",
            )
            if r["manager_id"]
            else "—",
            r,
        )
        for r in rows
    ]
    return sorted(out, key=lambda s: (s.nps is None, -(s.nps or 0), s.label))


def by_branch(qs) -> list[Score]:
    rows = qs.values("branch_id", "branch__name").annotate(**_aggregates())
    return sorted(
        (_score(r["branch_id"], r["branch__name"], r) for r in rows), key=lambda s: s.label
    )


def by_tier(qs, labels: dict) -> list[Score]:
    rows = qs.values("tier").annotate(**_aggregates())
    order = list(labels)
    return sorted(
        (_score(r["tier"], str(labels.get(r["tier"], r["tier"])), r) for r in rows),
        key=lambda s: order.index(s.key) if s.key in order else len(order),
    )


def by_month(qs, zone) -> list[Score]:
    rows = (
        qs.annotate(month=TruncMonth("answered_at", tzinfo=zone))
        .values("month")
        .annotate(**_aggregates())
        .order_by("month")
    )
    return [_score(r["month"], r["month"].strftime("%Y-%m"), r) for r in rows]


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

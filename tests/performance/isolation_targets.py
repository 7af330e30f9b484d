"""URL parameters of performance for the URL walk (tests/isolation/README.md).

The drill-down's path names only the measure (the RM scorecard and the improvement
actions name an RM or an action: another tenant's is a 404); the subject (an RM, a branch or
the tenant) is in the query string, and tests/performance/test_views.py asks
for another tenant's subjects there (404)."""

from __future__ import annotations

TARGETS = {
    "performance:drill": lambda bank: {"measure": "detractors"},
}


def _action(bank) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from performance import periods
    from performance.models import ImprovementAction

    return ImprovementAction.objects.create(
        rm=bank.rm,
        set_by=bank.branch_head,
        period=periods.current_period(),
        dimension="risk",
        goal="Clear the overdue reviews",
        due_on=periods.today_local() + timedelta(days=14),
        created_at=timezone.now(),
    ).pk


TARGETS.update(
    {
        "performance:rm_scorecard": lambda bank: {"rm_id": bank.rm.pk},
        "performance:action_create": lambda bank: {"rm_id": bank.rm.pk},
        "performance:action_close": lambda bank: {"action_id": _action(bank)},
    }
)

"""Builders for the performance tests, inside a bank's scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from performance.snapshots import snapshot_run
from tenancy.context import tenant_scope
from tests.loyalty.survey_helpers import answered, make_client

__all__ = ["answered", "make_client", "run", "at", "row", "SHANGHAI"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def run(bank, period=None, *, now=None):
    with tenant_scope(bank.tenant):
        return snapshot_run(period, now=now)


def row(bank, period, scope, subject_id):
    from performance.models import KpiSnapshot

    with tenant_scope(bank.tenant):
        return KpiSnapshot.objects.get(
            period=period, scope=scope, subject_id=subject_id, is_current=True
        )


def days(n: int) -> timedelta:
    return timedelta(days=n)

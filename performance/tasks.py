"""Celery entry points of performance: the nightly KPI snapshot fans out per
tenant; each tenant's run computes its open periods (snapshots.snapshot_nightly)."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .snapshots import snapshot_nightly


@shared_task(name="performance.tasks.kpi_snapshot_sweep")
def kpi_snapshot_sweep() -> int:
    return fan_out_per_tenant(kpi_snapshot_for_tenant)


@shared_task(name="performance.tasks.kpi_snapshot_for_tenant")
@tenant_task
def kpi_snapshot_for_tenant(*, tenant_id: int) -> int:
    return sum(result.rows for result in snapshot_nightly())

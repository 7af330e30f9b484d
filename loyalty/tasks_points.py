"""Celery entry points of loyalty points: thin. The nightly sweeps take no
tenant and fan out one task per tenant; each per-tenant body runs under
``@tenant_task`` and calls one service (loyalty/points/earn.py, expiry.py).
Imported by ``LoyaltyConfig.ready`` so the worker registers these tasks
(Celery's autodiscovery looks at ``loyalty.tasks`` only)."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .points import earn, expiry


@shared_task(name="loyalty.tasks_points.points_earn_sweep")
def points_earn_sweep() -> int:
    return fan_out_per_tenant(points_earn_for_tenant)


@shared_task(name="loyalty.tasks_points.points_earn_for_tenant")
@tenant_task
def points_earn_for_tenant(*, tenant_id: int) -> int:
    run = earn.earn_rules_run()
    return run.wealth + run.birthdays


@shared_task(name="loyalty.tasks_points.points_expiry_sweep")
def points_expiry_sweep() -> int:
    return fan_out_per_tenant(points_expiry_for_tenant)


@shared_task(name="loyalty.tasks_points.points_expiry_for_tenant")
@tenant_task
def points_expiry_for_tenant(*, tenant_id: int) -> int:
    return expiry.points_expire_due()

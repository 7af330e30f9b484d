"""Celery entry points of risk: thin. The scheduled sweep takes no tenant and
fans out one task per tenant; the per-tenant bodies run under
``@tenant_task`` and call one service (risk/reminders.py)."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from . import reminders, scan


@shared_task(name="risk.tasks.review_reminders_sweep")
def review_reminders_sweep() -> int:
    return fan_out_per_tenant(review_reminders_for_tenant)


@shared_task(name="risk.tasks.review_reminders_for_tenant")
@tenant_task
def review_reminders_for_tenant(*, tenant_id: int) -> int:
    return reminders.review_reminders_send()


@shared_task(
    name="risk.tasks.review_reminder_emails_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
@tenant_task
def review_reminder_emails_send(*, tenant_id: int) -> int:
    return reminders.review_reminder_emails_deliver()


@shared_task(name="risk.tasks.risk_scan_sweep")
def risk_scan_sweep() -> int:
    return fan_out_per_tenant(risk_scan_for_tenant)


@shared_task(name="risk.tasks.risk_scan_for_tenant")
@tenant_task
def risk_scan_for_tenant(*, tenant_id: int) -> int:
    return scan.scan_tenant().opened_total

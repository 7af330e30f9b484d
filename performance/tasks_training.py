"""Celery entry points of training and certification: the daily expiry
reminders fan out per tenant (performance.training.certification_reminders_send)."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .training import certification_reminders_send


@shared_task(name="performance.tasks_training.certification_reminder_sweep")
def certification_reminder_sweep() -> int:
    return fan_out_per_tenant(certification_reminders_for_tenant)


@shared_task(name="performance.tasks_training.certification_reminders_for_tenant")
@tenant_task
def certification_reminders_for_tenant(*, tenant_id: int) -> int:
    return certification_reminders_send()

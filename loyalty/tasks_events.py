"""Celery entry points of client-care events: thin. The reminder sweep takes
no tenant and fans out one task per tenant; the per-tenant bodies run under
``@tenant_task`` and call one service. Imported by ``LoyaltyConfig.ready``
so the worker registers these tasks."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .events import delivery, services


@shared_task(name="loyalty.tasks_events.event_reminder_sweep")
def event_reminder_sweep() -> int:
    return fan_out_per_tenant(event_reminders_for_tenant)


@shared_task(name="loyalty.tasks_events.event_reminders_for_tenant")
@tenant_task
def event_reminders_for_tenant(*, tenant_id: int) -> int:
    return services.event_reminders_due()


@shared_task(
    name="loyalty.tasks_events.event_messages_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
@tenant_task
def event_messages_send(*, tenant_id: int) -> int:
    return delivery.event_messages_deliver()

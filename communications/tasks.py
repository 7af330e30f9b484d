"""Celery entry points: thin. The scheduled ``*_sweep`` tasks take no tenant
and fan out one task per tenant; the per-tenant bodies run under
``@tenant_task`` (one transaction in that tenant's scope) and call one
service — except the reminder sweep, one transaction per batch. Nothing is scheduled with an ETA: due work lives in rows."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tenancy.context import tenant_scope, tenant_task
from tenancy.schedules import fan_out_per_tenant

from .services import reminders as dispatch


@shared_task(name="communications.tasks.followup_reminders_sweep")
def followup_reminders_sweep() -> int:
    return fan_out_per_tenant(followup_reminders_for_tenant)


@shared_task(name="communications.tasks.followup_reminders_for_tenant")
def followup_reminders_for_tenant(
    *, tenant_id: int, batch_size: int = dispatch.REMINDER_BATCH
) -> int:
    """Every due reminder of the tenant, batch after batch in a loop — each
    batch its own transaction, committed before the next is claimed, so a
    crash (even kill -9) loses at most the batch in flight, which the next
    sweep claims again. A loop, not a chain of tasks: a chain recursed in
    eager mode until ``RecursionError`` after some 17,000 reminders. Due
    times after the sweep started wait for the next sweep."""
    now = timezone.now()
    total = 0
    while True:
        with tenant_scope(tenant_id):
            reminded = dispatch.followup_reminders_claim(now=now, batch_size=batch_size)
        total += len(reminded)
        if len(reminded) < batch_size:
            break
    with tenant_scope(tenant_id):
        dispatch.reminder_emails_requeue()
    return total


@shared_task(
    name="communications.tasks.reminder_emails_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
@tenant_task
def reminder_emails_send(*, tenant_id: int, dispatch_ids: list[int]) -> int:
    return dispatch.reminder_emails_deliver(dispatch_ids=dispatch_ids)


@shared_task(name="communications.tasks.overdue_digest_sweep")
def overdue_digest_sweep() -> int:
    return fan_out_per_tenant(overdue_digest_for_tenant)


@shared_task(name="communications.tasks.overdue_digest_for_tenant")
@tenant_task
def overdue_digest_for_tenant(*, tenant_id: int) -> int:
    return dispatch.overdue_digest_send()


@shared_task(name="communications.tasks.revisit_cadence_sweep")
def revisit_cadence_sweep() -> int:
    return fan_out_per_tenant(revisit_cadence_for_tenant)


@shared_task(name="communications.tasks.revisit_cadence_for_tenant")
@tenant_task
def revisit_cadence_for_tenant(*, tenant_id: int) -> int:
    return dispatch.revisit_followups_open()

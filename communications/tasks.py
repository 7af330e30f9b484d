"""Celery entry points: thin. The scheduled ``*_sweep`` tasks take no tenant
and fan out one task per tenant; the per-tenant bodies run under
``@tenant_task`` (one transaction in that tenant's scope) and call one
service. Nothing is scheduled with an ETA: due work lives in rows."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .services import reminders as dispatch


@shared_task(name="communications.tasks.followup_reminders_sweep")
def followup_reminders_sweep() -> int:
    return fan_out_per_tenant(followup_reminders_for_tenant)


@shared_task(name="communications.tasks.followup_reminders_for_tenant")
@tenant_task
def followup_reminders_for_tenant(
    *, tenant_id: int, batch_size: int = dispatch.REMINDER_BATCH
) -> int:
    """One batch per run (committed when the task returns); a full batch
    enqueues the next run after commit, so a crash loses at most the batch in
    flight, which the next sweep claims again."""
    reminded = dispatch.followup_reminders_claim(batch_size=batch_size)
    dispatch.reminder_emails_requeue()
    if len(reminded) >= batch_size:
        transaction.on_commit(
            lambda: followup_reminders_for_tenant.delay(tenant_id=tenant_id, batch_size=batch_size)
        )
    return len(reminded)


@shared_task(
    name="communications.tasks.reminder_email_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
@tenant_task
def reminder_email_send(*, tenant_id: int, dispatch_id: int) -> bool:
    return dispatch.reminder_email_deliver(dispatch_id=dispatch_id)


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

"""Celery entry points of loyalty: thin. The scheduled sweeps take no tenant
and fan out one task per tenant; the per-tenant bodies run under
``@tenant_task`` and call one service (loyalty/surveys/dispatch.py)."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .surveys import dispatch


@shared_task(name="loyalty.tasks.survey_dispatch_sweep")
def survey_dispatch_sweep() -> int:
    return fan_out_per_tenant(survey_dispatch_for_tenant)


@shared_task(name="loyalty.tasks.survey_dispatch_for_tenant")
@tenant_task
def survey_dispatch_for_tenant(*, tenant_id: int) -> int:
    return dispatch.survey_dispatch_due().invited


@shared_task(
    name="loyalty.tasks.survey_messages_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
@tenant_task
def survey_messages_send(*, tenant_id: int) -> int:
    return dispatch.survey_messages_deliver()

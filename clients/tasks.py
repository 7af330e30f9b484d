"""Celery entry points of the clients app: thin, per tenant, idempotent."""

from __future__ import annotations

from celery import shared_task

from tenancy.context import tenant_task
from tenancy.schedules import fan_out_per_tenant

from .models import ImportJob
from .services.tiering import tiering_recompute


@shared_task(name="clients.tasks.tiering_nightly")
def tiering_nightly() -> int:
    """Beat entry point: one tiering task per tenant (the scheduler's fan-out)."""
    return fan_out_per_tenant(tiering_for_tenant)


@shared_task(name="clients.tasks.tiering_for_tenant")
@tenant_task
def tiering_for_tenant(*, tenant_id: int) -> dict:
    """Recompute every client's tier (the 12-month window moves every night).
    Idempotent: a second run finds nothing to change."""
    result = tiering_recompute(reason="nightly", audit_when_unchanged=True)
    return {"clients": result.clients, "changed": result.changed}


@shared_task(name="clients.tasks.import_job_process")
@tenant_task
def import_job_process(*, job_id: int, tenant_id: int) -> str:
    """Run a large real import on the worker. A job already finished (a retry
    or a second delivery) is left alone."""
    from .imports import import_job_run_stored

    job = (
        ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=job_id, status=ImportJob.Status.PENDING)
        .select_related("created_by")
        .first()
    )
    if job is None:
        return "skipped"
    import_job_run_stored(actor=job.created_by, job=job)
    return job.status


@shared_task(name="clients.tasks.import_files_sweep")
def import_files_sweep() -> int:
    """Hourly: delete uploaded import files older than IMPORT_FILE_RETENTION_HOURS (a dry
    run never confirmed, a file left by a killed worker). Files only: no tenant data read."""
    from .imports import import_files_sweep as sweep

    return sweep()

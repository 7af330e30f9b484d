"""Celery entry points of the tenancy app: the audit checkpoints.

The sweep takes no tenant and fans out one task per tenant; each records its
tenant's chain head in the checkpoint file (tenancy.audit)."""

from __future__ import annotations

from celery import shared_task

from .audit import audit_checkpoint_write
from .context import tenant_task
from .models import Tenant
from .schedules import fan_out_per_tenant


@shared_task(name="tenancy.tasks.audit_checkpoint_sweep")
def audit_checkpoint_sweep() -> int:
    return fan_out_per_tenant(audit_checkpoint_for_tenant)


@shared_task(name="tenancy.tasks.audit_checkpoint_for_tenant")
@tenant_task
def audit_checkpoint_for_tenant(*, tenant_id: int) -> int:
    """Append a signed checkpoint of the tenant's chain head; returns its event count."""
    return audit_checkpoint_write(tenant=Tenant.objects.get(pk=tenant_id))["count"]

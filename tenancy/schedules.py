"""Periodic tasks, declared by each app and written to django-celery-beat's
tables after every ``migrate`` (so admins see and can change them in the
platform admin; an admin's change of the timing is kept).

In an app's AppConfig.ready():

    from tenancy.schedules import register_schedule
    register_schedule(name="communications: due follow-up reminders",
                      task="communications.tasks.followup_reminders_sweep",
                      every_minutes=5)
    register_schedule(name="clients: nightly tiering", task="clients.tasks.tiering_nightly",
                      crontab="30 1 * * *")   # minute hour day month weekday, UTC

Scheduled tasks are the per-tenant fan-out: they take no tenant and enqueue one
task per tenant with ``fan_out_per_tenant`` (the only place that lists every
tenant for background work); the per-tenant task runs under ``@tenant_task``,
in that tenant's own ``tenant_scope``:

    @shared_task(name="communications.tasks.revisit_cadence_sweep")
    def revisit_cadence_sweep() -> int:
        return fan_out_per_tenant(revisit_cadence_for_tenant)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from celery import current_app
from django.db import transaction

from .models import Tenant
from .registry import Registry


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_minutes: int | None = None
    crontab: str | None = None


SCHEDULES: Registry[Schedule] = Registry("periodic tasks")


def register_schedule(
    *, name: str, task: str, every_minutes: int | None = None, crontab: str | None = None
) -> None:
    if (every_minutes is None) == (crontab is None):
        raise ValueError("Give exactly one of every_minutes or crontab.")
    SCHEDULES.register(name, Schedule(name, task, every_minutes, crontab))


def registered_schedules() -> list[Schedule]:
    return SCHEDULES.entries()


def fan_out_per_tenant(task, **kwargs) -> int:
    """Enqueue ``task`` once per tenant with ``tenant_id=`` (and ``kwargs``);
    returns how many. Tenant ids come from the tenant table (a platform table,
    not tenant-owned): no cross-tenant database setting is involved, each
    tenant's work runs in its own scope."""
    tenant_ids = list(Tenant.objects.order_by("pk").values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        task.delay(tenant_id=tenant_id, **kwargs)
    return len(tenant_ids)


def enqueue_after_commit(task_name: str, **kwargs) -> None:
    """Send the task called ``task_name`` with ``kwargs`` once the current
    transaction commits (never before the rows it reads exist). Services
    enqueue with this, by name, so a service never imports a tasks module:
    the import graph stays one-way (tasks -> services)."""

    def send() -> None:
        if task_name not in current_app.tasks:
            # "<app>.tasks.<name>": load the module that defines it (the web
            # process has not imported every tasks module)
            importlib.import_module(task_name.rsplit(".", 1)[0])
        current_app.tasks[task_name].delay(**kwargs)

    transaction.on_commit(send)


def sync_schedules(sender=None, **kwargs) -> None:
    """post_migrate receiver: create missing PeriodicTask rows (never overwrite)."""
    if sender is not None and getattr(sender, "name", None) != "tenancy":
        return
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    for s in SCHEDULES:
        if PeriodicTask.objects.filter(name=s.name).exists():
            continue
        if s.every_minutes is not None:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=s.every_minutes, period=IntervalSchedule.MINUTES
            )
            PeriodicTask.objects.create(name=s.name, task=s.task, interval=interval)
        else:
            minute, hour, day, month, weekday = s.crontab.split()
            cron, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day,
                month_of_year=month,
                day_of_week=weekday,
                timezone="UTC",
            )
            PeriodicTask.objects.create(name=s.name, task=s.task, crontab=cron)

"""A month closed while a run computes it is never overwritten after the
close: the run, the close and a correction take the tenant's snapshot lock
(PostgreSQL, two threads, two connections)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from performance import periods, services
from performance.models import KpiPeriodClose
from performance.snapshots import snapshot_lock
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .helpers import make_client, run

pytestmark = [postgres_only(), pytest.mark.django_db(transaction=True)]


def test_closing_waits_for_a_run_that_holds_the_lock(bank):
    make_client(bank)
    with tenant_scope(bank.tenant):
        previous = periods.shift(periods.current_period(), -1)
    run(bank, previous)
    holding, release = threading.Event(), threading.Event()
    closed_at: list[float] = []
    errors: list[BaseException] = []

    def a_run_in_progress():
        try:
            with tenant_scope(bank.tenant):
                snapshot_lock()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def admin_closes():
        try:
            holding.wait(10)
            with tenant_scope(bank.tenant):
                services.period_close(user=bank.admin, period=previous)
            closed_at.append(time.monotonic())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=a_run_in_progress), threading.Thread(target=admin_closes)]
    for t in threads:
        t.start()
    holding.wait(10)
    time.sleep(0.5)
    assert closed_at == [], "the close did not wait for the run's lock"
    released = time.monotonic()
    release.set()
    for t in threads:
        t.join(20)
    assert not errors and closed_at and closed_at[0] >= released
    with tenant_scope(bank.tenant):
        assert KpiPeriodClose.objects.filter(period=previous).exists()

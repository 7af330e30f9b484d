"""Two reminder runs at once notify once: the ledger row is claimed with
INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL, two threads, two
connections)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from communications.models import Notification
from performance.training import certification_reminders_send
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .training_helpers import today, trained

pytestmark = [postgres_only(), pytest.mark.django_db(transaction=True)]


def test_two_concurrent_runs_notify_once(bank):
    for user in (bank.rm, bank.other_rm):
        trained(bank, user, certification="fund", expires_on=today() + timedelta(days=30))
    start = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def send():
        try:
            start.wait(10)
            with tenant_scope(bank.tenant):
                written.append(certification_reminders_send(today=today()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(written) in ([0, 2], [1, 1])
    with tenant_scope(bank.tenant):
        # each holder once, and the branch head once per holder
        assert Notification.objects.count() == 4

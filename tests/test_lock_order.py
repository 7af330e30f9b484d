"""The project's lock order, exercised with real concurrent transactions.

Logging a call report and a bulk reassignment both lock client rows and the
tenant row (the audit chain's lock). Taken in opposite orders, two requests
deadlock; the README's architecture section fixes one order: client rows (by
id) first, the tenant row last.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clients.models import Client
from clients.services import bulk_reassign_confirm
from communications.services import interaction_log
from tenancy.context import tenant_scope

from .conftest import postgres_only
from .factories import ClientFactory

ROUNDS = 24  # even: the last reassignment gives the clients back to bank.rm


def _run_concurrently(*bodies) -> list[BaseException]:
    """Run each body in its own thread (own connection, own transactions),
    released together; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def run(body):
        try:
            start.wait()
            body()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting for a lock"
    return errors


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_call_reports_and_bulk_reassignment_on_the_same_clients_do_not_deadlock(bank):
    clients = [
        ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
        for _ in range(3)
    ]
    ids = [c.pk for c in clients]

    def log_call_reports():
        for i in range(ROUNDS):
            for client_id in reversed(ids):
                with tenant_scope(bank.tenant):
                    interaction_log(
                        author=bank.branch_head,
                        client=Client.objects.get(pk=client_id),
                        kind="call",
                        subject=f"Call {i}",
                        occurred_at=timezone.now() - timedelta(minutes=ROUNDS - i),
                        next_steps=[{"due_at": timezone.now() + timedelta(days=1), "note": "x"}],
                    )

    def reassign_back_and_forth():
        for i in range(ROUNDS):
            with tenant_scope(bank.tenant):
                bulk_reassign_confirm(
                    actor=bank.admin,
                    to_manager=bank.other_rm if i % 2 == 0 else bank.rm,
                    client_ids=ids,
                    reason="Rebalancing the book",
                )

    errors = _run_concurrently(log_call_reports, reassign_back_and_forth)
    assert errors == []
    with tenant_scope(bank.tenant):
        assert Client.objects.filter(pk__in=ids, dedicated_manager=bank.rm).count() == 3
        assert all(c.last_contacted_at for c in Client.objects.filter(pk__in=ids))

"""Reminders fire exactly once; the digest follows the tenant's clock; the
cadence job is idempotent."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from communications import tasks
from communications.models import FollowUp, Notification, ReminderDispatch
from communications.services import reminders as dispatch
from tests.communications.factories import bulk_followups, make_followup
from tests.conftest import postgres_only
from tests.factories import ClientFactory

PAST = timezone.now() - timedelta(minutes=5)


def _counts(bank):
    with bank.scope():
        return (
            ReminderDispatch.objects.filter(kind="due").count(),
            Notification.objects.filter(follow_up__isnull=False).count(),
            FollowUp.objects.filter(reminded_at__isnull=False).count(),
        )


def test_due_follow_up_gets_one_notification_and_one_email(
    bank, key_client, django_capture_on_commit_callbacks
):
    bank.rm.email = "rm@a.example"
    bank.rm.save()
    fu = make_followup(key_client, bank.rm, due_at=PAST)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk)
    assert _counts(bank) == (1, 1, 1)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rm@a.example"]
    with bank.scope():
        assert Notification.objects.get().recipient_id == bank.rm.pk
        assert FollowUp.objects.get(pk=fu.pk).reminded_at is not None


def test_follow_ups_not_yet_due_or_closed_are_not_reminded(bank, key_client):
    make_followup(key_client, bank.rm, due_at=timezone.now() + timedelta(hours=1))
    make_followup(key_client, bank.rm, due_at=PAST, status="done")
    with bank.scope():
        assert dispatch.followup_reminders_claim() == []


def test_the_ledger_refuses_a_second_reminder_for_the_same_due_time(bank, key_client):
    fu = make_followup(key_client, bank.rm, due_at=PAST)
    with bank.scope():
        dispatch.followup_reminders_claim()
        # someone clears reminded_at by hand: the ledger still says it was sent
        FollowUp.objects.filter(pk=fu.pk).update(reminded_at=None)
        dispatch.followup_reminders_claim()
    assert _counts(bank)[:2] == (1, 1)


def test_running_the_sweep_twice_sends_one_reminder_per_follow_up(bank, key_client):
    bulk_followups(key_client, bank.rm, 7, due_at=PAST)
    tasks.followup_reminders_sweep()
    tasks.followup_reminders_sweep()
    assert _counts(bank) == (7, 7, 7)


def test_reminders_fan_out_per_tenant(bank, other_bank, key_client):
    foreign = ClientFactory(
        tenant=other_bank.tenant, branch=other_bank.branch, dedicated_manager=other_bank.rm
    )
    make_followup(key_client, bank.rm, due_at=PAST)
    make_followup(foreign, other_bank.rm, due_at=PAST)
    tasks.followup_reminders_sweep()
    assert _counts(bank)[0] == 1 and _counts(other_bank)[0] == 1


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_exactly_one_reminder_per_due_follow_up(
    bank, key_client, monkeypatch
):
    bank.rm.email = "rm@a.example"
    bank.rm.save()
    bulk_followups(key_client, bank.rm, 40, due_at=PAST)
    original = dispatch._enqueue_emails
    barrier = threading.Barrier(2)

    def slow_enqueue(tenant_id, ids):
        import time

        time.sleep(0.05)  # hold the row locks a little, so the sweeps overlap
        original(tenant_id, ids)

    monkeypatch.setattr(dispatch, "_enqueue_emails", slow_enqueue)
    errors = []

    def sweep():
        try:
            barrier.wait()
            tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk, batch_size=7)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _counts(bank) == (40, 40, 40)
    assert len(mail.outbox) == 40
    with bank.scope():
        assert ReminderDispatch.objects.filter(emailed_at__isnull=True).count() == 0


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_crashes_midway_loses_none(bank, key_client, monkeypatch):
    bank.rm.email = "rm@a.example"
    bank.rm.save()
    bulk_followups(key_client, bank.rm, 5, due_at=PAST)
    calls = {"n": 0}
    original = dispatch._local

    def crash_in_the_second_batch(*args):
        # called once per batch here: the five share their due time
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return original(*args)

    monkeypatch.setattr(dispatch, "_local", crash_in_the_second_batch)
    monkeypatch.setattr(dispatch, "REMINDER_BATCH", 2)
    with pytest.raises(RuntimeError):
        tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk, batch_size=2)
    sent_before = _counts(bank)[0]
    assert sent_before == 2  # the first batch committed, the crashed batch rolled back
    monkeypatch.setattr(dispatch, "_local", original)
    tasks.followup_reminders_sweep()
    assert _counts(bank) == (5, 5, 5)
    assert len(mail.outbox) == 5


def test_one_sweep_reminds_every_due_follow_up_batch_after_batch(bank, key_client):
    """A loop, not a chain of tasks: in eager mode the chain recursed once per
    batch (RecursionError after some 17,000 reminders)."""
    bulk_followups(key_client, bank.rm, 230, due_at=PAST)
    assert tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk, batch_size=10) == 230
    assert _counts(bank) == (230, 230, 230)


def test_a_batch_costs_the_same_queries_whatever_its_size(bank, key_client):
    counts = []
    for n in (3, 60):
        bulk_followups(key_client, bank.rm, n, due_at=PAST)
        with bank.scope(), CaptureQueriesContext(connection) as ctx:
            assert len(dispatch.followup_reminders_claim(batch_size=100)) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 10, counts


WORKER = """
import django
django.setup()
from communications import tasks
tasks.followup_reminders_for_tenant(tenant_id={tenant_id}, batch_size=40)
"""


def _worker(tenant_id: int) -> subprocess.Popen:
    """A separate worker process on the test database (as a Celery worker
    would be), running the tenant's reminder sweep."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_TASK_ALWAYS_EAGER="true",
        EMAIL_URL="dummymail://",
    )
    return subprocess.Popen(
        [sys.executable, "-c", WORKER.format(tenant_id=tenant_id)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
    )


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_one_killed_midway_remind_each_follow_up_exactly_once(
    bank, key_client
):
    """Issue 12: two workers sweep at once, one dies by kill -9 in the middle
    of a batch; with the next sweep every follow-up has exactly one ledger
    row, one notification and its reminded_at."""
    bulk_followups(key_client, bank.rm, 2400, due_at=PAST)
    workers = [_worker(bank.tenant.pk) for _ in range(2)]
    deadline = time.monotonic() + 60
    while _counts(bank)[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    done_before_kill = _counts(bank)[0]
    workers[0].send_signal(signal.SIGKILL)
    assert workers[1].wait(timeout=120) == 0
    workers[0].wait(timeout=10)
    assert 0 < done_before_kill < 2400  # it really died midway
    tasks.followup_reminders_sweep()  # the next beat tick
    assert _counts(bank) == (2400, 2400, 2400)
    with bank.scope():
        assert Notification.objects.values("follow_up").distinct().count() == 2400


def test_lost_email_enqueue_is_retried_by_the_next_sweep(
    bank, key_client, django_capture_on_commit_callbacks
):
    bank.rm.email = "rm@a.example"
    bank.rm.save()
    make_followup(key_client, bank.rm, due_at=PAST)
    with bank.scope():
        dispatch.followup_reminders_claim()  # its on_commit never runs: the enqueue is lost
        ReminderDispatch.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        tasks.followup_reminders_for_tenant(tenant_id=bank.tenant.pk)
    assert len(mail.outbox) == 1


def test_a_reminder_email_delivered_twice_goes_out_once(bank, key_client):
    # a redelivered task, or the retry sweep racing the first send
    bank.rm.email = "rm@a.example"
    bank.rm.save()
    make_followup(key_client, bank.rm, due_at=PAST)
    with bank.scope():
        dispatch.followup_reminders_claim()  # its on_commit enqueue does not run here
        row = ReminderDispatch.objects.get()
    assert tasks.reminder_emails_send(tenant_id=bank.tenant.pk, dispatch_ids=[row.pk]) == 1
    assert tasks.reminder_emails_send(tenant_id=bank.tenant.pk, dispatch_ids=[row.pk]) == 0
    assert len(mail.outbox) == 1


# --- the daily digest, in the tenant's time zone ------------------------------------------------


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def london_bank(bank, key_client):
    bank.tenant.timezone = "Europe/London"
    bank.tenant.save()
    make_followup(key_client, bank.rm, due_at=_utc(2026, 3, 1, 9, 0), note="overdue one")
    return bank


@pytest.mark.parametrize(
    ("now", "sent"),
    [
        (_utc(2026, 3, 28, 7, 59), 0),  # GMT: 07:59 local
        (_utc(2026, 3, 28, 8, 0), 1),  # GMT: 08:00 local
        (_utc(2026, 3, 29, 6, 59), 0),  # first day of BST: 07:59 local
        (_utc(2026, 3, 29, 7, 0), 1),  # first day of BST: 08:00 local
        (_utc(2026, 10, 25, 7, 59), 0),  # back to GMT: 07:59 local
        (_utc(2026, 10, 25, 8, 0), 1),
    ],
)
def test_overdue_digest_goes_out_at_the_tenants_morning_across_dst(london_bank, now, sent):
    with london_bank.scope():
        assert dispatch.overdue_digest_send(now=now) == sent


def test_overdue_digest_goes_once_a_day_to_the_branch_head(london_bank):
    with london_bank.scope():
        assert dispatch.overdue_digest_send(now=_utc(2026, 3, 28, 8, 5)) == 1
        assert dispatch.overdue_digest_send(now=_utc(2026, 3, 28, 15, 0)) == 0
        assert dispatch.overdue_digest_send(now=_utc(2026, 3, 29, 7, 5)) == 1
        notes = list(Notification.objects.values_list("recipient_id", "body"))
    assert {r for r, _ in notes} == {london_bank.branch_head.pk}
    assert all("overdue one" in body for _, body in notes)


def test_overdue_digest_sends_nothing_when_nothing_is_overdue(bank):
    with bank.scope():
        assert dispatch.overdue_digest_send(now=_utc(2026, 3, 28, 8, 0)) == 0
        assert not Notification.objects.exists()


# --- revisit cadence -----------------------------------------------------------------------


def _client(bank, tier, days_ago, **kw):
    last = timezone.now() - timedelta(days=days_ago) if days_ago is not None else None
    kw.setdefault("dedicated_manager", bank.rm)
    return ClientFactory(
        tenant=bank.tenant, branch=bank.branch, tier=tier, last_contacted_at=last, **kw
    )


def test_cadence_job_opens_follow_ups_only_for_overdue_key_clients_and_is_idempotent(bank):
    due = {
        _client(bank, "platinum", 31).pk,
        _client(bank, "gold", None).pk,
        _client(bank, "silver", 91).pk,
    }
    _client(bank, "platinum", 10)  # contacted recently
    _client(bank, "gold", 59)  # inside its cadence
    _client(bank, "standard", None)  # not a key client
    _client(bank, "platinum", 100, dedicated_manager=None)  # no dedicated manager
    _client(bank, "platinum", 100, lifecycle=Client.Lifecycle.CLOSED)
    assert tasks.revisit_cadence_for_tenant(tenant_id=bank.tenant.pk) == 3
    assert tasks.revisit_cadence_for_tenant(tenant_id=bank.tenant.pk) == 0
    with bank.scope():
        opened = FollowUp.objects.filter(kind="revisit", status="open")
        assert set(opened.values_list("client_id", flat=True)) == due
        assert set(opened.values_list("assignee_id", flat=True)) == {bank.rm.pk}


def test_cadence_job_in_batches_opens_one_follow_up_per_due_client(bank, monkeypatch):
    """Read and inserted a batch at a time (2 here): every due key client
    gets its one revisit, whatever the batches, and a rerun adds none."""
    monkeypatch.setattr(dispatch, "REVISIT_BATCH", 2)
    due = {_client(bank, "platinum", 40 + i).pk for i in range(5)}
    assert tasks.revisit_cadence_for_tenant(tenant_id=bank.tenant.pk) == 5
    assert tasks.revisit_cadence_for_tenant(tenant_id=bank.tenant.pk) == 0
    with bank.scope():
        opened = FollowUp.objects.filter(kind="revisit", status="open")
        assert sorted(opened.values_list("client_id", flat=True)) == sorted(due)


def test_cadence_follows_the_tenants_settings(bank):
    c = _client(bank, "platinum", 20)
    with bank.scope():
        from communications.services import comm_settings_update

        comm_settings_update(actor=bank.admin, cadence_platinum_days=14)
        assert dispatch.revisit_followups_open() == 1
        assert FollowUp.objects.get(kind="revisit").client_id == c.pk


def test_a_new_revisit_opens_once_the_previous_one_is_done(bank):
    _client(bank, "platinum", 40)
    with bank.scope():
        assert dispatch.revisit_followups_open() == 1
        FollowUp.objects.update(status="done")
        assert dispatch.revisit_followups_open() == 1

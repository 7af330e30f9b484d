"""Review reminders go out exactly once: swept twice, concurrently, after a
crash; ahead and overdue apart; to the dedicated manager and the active risk
officers; in the notifications centre and by email, once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from communications.models import Notification
from risk import reminders, tasks
from risk.models import ReviewReminder
from risk.scale import risk_settings
from tenancy.context import tenant_scope
from tenancy.models import Role
from tests.conftest import postgres_only
from tests.factories import UserFactory

from .helpers import make_client, make_limit

TODAY = timezone.localdate()  # the tenant's day (Asia/Shanghai), as the pages and the sweep


def _emails(bank):
    for u in (bank.rm, bank.other_rm, bank.risk_officer):
        u.email = f"{u.username}@a.example"
        u.save()


def _ledger(bank):
    with tenant_scope(bank.tenant):
        return sorted(
            ReviewReminder.objects.values_list("kind", "item_id", "stage", "recipient_id")
        )


def _notifications(bank):
    with tenant_scope(bank.tenant):
        return Notification.objects.filter(url__startswith="/clients/").count()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The beat's sweep, with the after-commit email task run (as a worker would)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.review_reminders_sweep()

    return run


def test_ahead_and_overdue_go_to_the_manager_and_the_risk_officers(bank, sweep):
    _emails(bank)
    soon = make_client(bank, next_kyc_review=TODAY + timedelta(days=10))
    late = make_client(bank, next_kyc_review=TODAY - timedelta(days=2))
    make_client(bank, next_kyc_review=TODAY + timedelta(days=31))  # beyond the lead days
    sweep()
    rm, ro = bank.rm.pk, bank.risk_officer.pk
    assert _ledger(bank) == sorted(
        [
            ("kyc_refresh", soon.pk, "ahead", rm),
            ("kyc_refresh", soon.pk, "ahead", ro),
            ("kyc_refresh", late.pk, "overdue", rm),
            ("kyc_refresh", late.pk, "overdue", ro),
        ]
    )
    assert _notifications(bank) == 4
    assert len(mail.outbox) == 4
    with tenant_scope(bank.tenant):
        assert not ReviewReminder.objects.filter(emailed_at__isnull=True).exists()


def test_sweeping_twice_reminds_once_and_a_passed_due_date_adds_the_overdue_stage(bank, sweep):
    _emails(bank)
    c = make_client(bank, next_kyc_review=TODAY + timedelta(days=3))
    sweep()
    sweep()
    assert len(_ledger(bank)) == 2
    assert _notifications(bank) == 2
    assert len(mail.outbox) == 2
    with tenant_scope(bank.tenant):
        type(c).objects.filter(pk=c.pk).update(next_kyc_review=TODAY - timedelta(days=1))
    sweep()
    sweep()
    stages = [s for _, _, s, _ in _ledger(bank)]
    assert sorted(stages) == ["ahead", "ahead", "overdue", "overdue"]
    assert _notifications(bank) == 4
    assert len(mail.outbox) == 4


def test_a_new_due_date_is_reminded_again(bank, sweep):
    c = make_client(bank, next_kyc_review=TODAY + timedelta(days=3))
    sweep()
    with tenant_scope(bank.tenant):
        type(c).objects.filter(pk=c.pk).update(next_kyc_review=TODAY + timedelta(days=5))
    sweep()
    assert len(_ledger(bank)) == 4


def test_inactive_users_and_other_roles_get_nothing(bank, sweep):
    inactive = UserFactory(
        username="a_ro_gone", tenant=bank.tenant, role=Role.RISK_OFFICER, branch=bank.head_office
    )
    inactive.is_active = False
    inactive.save()
    gone_rm = UserFactory(
        username="a_rm_gone", tenant=bank.tenant, role=Role.RM, branch=bank.branch
    )
    gone_rm.is_active = False
    gone_rm.save()
    make_client(bank, manager=gone_rm, next_kyc_review=TODAY)
    sweep()
    assert {r for _, _, _, r in _ledger(bank)} == {bank.risk_officer.pk}


def test_settings_lead_days_decide_ahead(bank, sweep):
    make_limit(bank, make_client(bank), days=45)
    sweep()
    assert _ledger(bank) == []
    with tenant_scope(bank.tenant):
        s = risk_settings()
        s.reminder_lead_days = 60
        s.save()
    sweep()
    assert {k for k, _, _, _ in _ledger(bank)} == {"limit_expiry"}


def test_each_tenant_reminds_its_own(bank, other_bank, sweep):
    make_client(bank, next_kyc_review=TODAY)
    make_client(other_bank, next_kyc_review=TODAY)
    sweep()
    assert {r for *_, r in _ledger(bank)} == {bank.rm.pk, bank.risk_officer.pk}
    assert {r for *_, r in _ledger(other_bank)} == {other_bank.rm.pk, other_bank.risk_officer.pk}


def test_notifications_appear_in_the_notifications_centre(bank, web_for, sweep):
    bank.rm.language = "en"
    bank.rm.save()
    c = make_client(bank, next_kyc_review=TODAY - timedelta(days=1))
    sweep()
    r = web_for(bank.rm).get(reverse("communications:notifications"))
    body = r.content.decode()
    assert c.name in body
    with tenant_scope(bank.tenant):
        n = Notification.objects.get(recipient=bank.rm)
    assert n.url == reverse("clients:detail", args=[c.pk])


def test_titles_are_in_the_tenants_language(bank, sweep):
    bank.tenant.locale = "zh-hans"
    bank.tenant.save()
    make_client(bank, next_kyc_review=TODAY - timedelta(days=1))
    sweep()
    with tenant_scope(bank.tenant):
        titles = set(ReviewReminder.objects.values_list("subject", flat=True))
    assert all("逾期" in t for t in titles), titles


def test_a_sweep_that_crashes_after_the_ledger_insert_rolls_back(bank, monkeypatch, sweep):
    _emails(bank)
    for _ in range(3):
        make_client(bank, next_kyc_review=TODAY)
    original = reminders.notify

    def crash(notices):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(reminders, "notify", crash)
    with pytest.raises(RuntimeError):
        sweep()
    assert _ledger(bank) == []
    assert _notifications(bank) == 0
    monkeypatch.setattr(reminders, "notify", original)
    sweep()
    assert len(_ledger(bank)) == 6
    assert _notifications(bank) == 6
    assert len(mail.outbox) == 6


def test_a_sweep_in_several_batches_reminds_every_item_once(bank, monkeypatch, sweep):
    """Items read and reminders notified a batch at a time (3 here): all of
    them, each once, however the batches fall — 7 items, 14 reminders."""
    _emails(bank)
    monkeypatch.setattr(reminders, "BATCH", 3)
    clients = [make_client(bank, next_kyc_review=TODAY - timedelta(days=i + 1)) for i in range(7)]
    notified = []
    original = reminders.notify
    monkeypatch.setattr(reminders, "notify", lambda n: notified.append(len(n)) or original(n))
    sweep()
    assert notified == [3, 3, 3, 3, 2]
    assert _ledger(bank) == sorted(
        ("kyc_refresh", c.pk, "overdue", r.pk)
        for c in clients
        for r in (bank.rm, bank.risk_officer)
    )
    assert _notifications(bank) == 14
    assert len(mail.outbox) == 14
    sweep()
    assert _notifications(bank) == 14


def test_a_sweep_that_crashes_in_its_last_batch_writes_nothing(bank, monkeypatch, sweep):
    """The batches share one transaction (the service's own): a crash after some were notified
    rolls back every batch's ledger rows and notifications."""
    monkeypatch.setattr(reminders, "BATCH", 2)
    for i in range(3):
        make_client(bank, next_kyc_review=TODAY - timedelta(days=i))
    calls = []
    original = reminders.notify

    def crash_on_the_third(notices):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return original(notices)

    monkeypatch.setattr(reminders, "notify", crash_on_the_third)
    # the service itself, not through the task (whose transaction would hide
    # a service that wrote its batches outside one)
    with tenant_scope(bank.tenant), pytest.raises(RuntimeError):
        reminders.review_reminders_send()
    assert _ledger(bank) == []
    assert _notifications(bank) == 0
    monkeypatch.setattr(reminders, "notify", original)
    sweep()
    assert len(_ledger(bank)) == 6
    assert _notifications(bank) == 6


def test_a_lost_email_enqueue_is_sent_by_the_next_sweep(bank, monkeypatch, sweep):
    _emails(bank)
    make_client(bank, next_kyc_review=TODAY)
    monkeypatch.setattr(reminders, "enqueue_after_commit", lambda *a, **k: None)
    sweep()
    assert len(mail.outbox) == 0
    monkeypatch.undo()
    sweep()
    assert len(mail.outbox) == 2
    with tenant_scope(bank.tenant):
        assert reminders.review_reminder_emails_deliver() == 0
    assert len(mail.outbox) == 2


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_remind_exactly_once(bank, monkeypatch):
    _emails(bank)
    for _ in range(20):
        make_client(bank, next_kyc_review=TODAY)
    original = reminders.notify
    barrier = threading.Barrier(2)

    def slow_notify(notices):
        import time

        time.sleep(0.1)  # hold the inserted rows uncommitted, so the sweeps overlap
        return original(notices)

    monkeypatch.setattr(reminders, "notify", slow_notify)
    errors = []

    def sweep():
        try:
            barrier.wait()
            tasks.review_reminders_for_tenant(tenant_id=bank.tenant.pk)
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
    assert len(_ledger(bank)) == 40
    assert _notifications(bank) == 40
    assert len(mail.outbox) == 40

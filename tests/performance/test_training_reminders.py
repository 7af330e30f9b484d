"""Certification expiry reminders: 60 and 7 days before, to the holder and
the branch heads of their branch, exactly once per (training, threshold)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from communications.models import Notification
from performance.models import TrainingReminder
from performance.tasks_training import certification_reminder_sweep
from performance.training import certification_reminders_send

from .training_helpers import today, trained

pytestmark = pytest.mark.django_db


def _notified(bank):
    with bank.scope():
        return sorted(Notification.objects.values_list("recipient_id", flat=True))


def _send(bank, on=None):
    with bank.scope():
        return certification_reminders_send(today=on or today())


def test_sixty_days_before_the_holder_and_their_branch_head_are_told(bank):
    trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=60))
    assert _send(bank) == 1
    assert _notified(bank) == sorted([bank.rm.pk, bank.branch_head.pk])
    with bank.scope():
        title = Notification.objects.get(recipient=bank.rm).title
    assert "Fund qualification" in title or "基金从业资格" in title


def test_running_twice_notifies_once(bank):
    trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=50))
    assert _send(bank) == 1
    assert _send(bank) == 0
    assert len(_notified(bank)) == 2


def test_the_sweep_twice_notifies_once(bank):
    trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=7))
    certification_reminder_sweep()
    certification_reminder_sweep()
    assert _notified(bank) == sorted([bank.rm.pk, bank.branch_head.pk])
    with bank.scope():
        assert list(TrainingReminder.objects.values_list("days_before", flat=True)) == [7]


def test_the_seven_day_reminder_follows_the_sixty_day_one(bank):
    row = trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=60))
    assert _send(bank) == 1
    assert _send(bank, today() + timedelta(days=30)) == 0
    assert _send(bank, today() + timedelta(days=53)) == 1
    assert _send(bank, today() + timedelta(days=54)) == 0
    with bank.scope():
        assert sorted(
            TrainingReminder.objects.filter(training=row).values_list("days_before", flat=True)
        ) == [7, 60]
    assert len(_notified(bank)) == 4


def test_not_yet_due_expired_or_without_expiry_is_not_reminded(bank):
    trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=61))
    trained(bank, bank.rm, certification="cfp", expires_on=today() - timedelta(days=1))
    trained(bank, bank.rm, certification="afp")
    trained(bank, bank.rm)
    assert _send(bank) == 0
    assert _notified(bank) == []


def test_a_branch_head_of_another_branch_is_not_told(bank):
    from tests.factories import UserFactory

    far = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    trained(bank, far, certification="fund", expires_on=today() + timedelta(days=5))
    assert _send(bank) == 1
    assert _notified(bank) == [far.pk]


def test_another_tenants_certifications_are_not_reminded_in_this_scope(bank, other_bank):
    trained(other_bank, other_bank.rm, certification="fund", expires_on=today())
    assert _send(bank) == 0
    assert _send(other_bank) == 1
    assert _notified(bank) == []


def test_a_claim_another_run_already_wrote_is_skipped(bank):
    """Two runs that both found a certification due (concurrent ones do, each
    before the other's ledger row exists): the ledger's unique key lets the
    first claim it; the second claims nothing and so notifies nobody."""
    from django.utils import timezone

    from performance.training import _claim

    row = trained(bank, bank.rm, certification="fund", expires_on=today() + timedelta(days=50))
    claim = {
        "tenant_id": bank.tenant.pk,
        "days": 60,
        "now": timezone.now(),
        "training_ids": [row.pk],
    }
    with bank.scope():
        assert _claim(**claim) == [row.pk]
        assert _claim(**claim) == []
        assert TrainingReminder.objects.filter(training=row, days_before=60).count() == 1

"""Closing the loop: a detractor opens one service recovery for the
dedicated manager due within 48 hours and notifies the branch head; the RM
records what was done; My day and the loyalty page show it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communications.models import Notification
from loyalty.models import ServiceRecovery
from loyalty.surveys import services
from tenancy.context import tenant_scope

from .survey_helpers import answer, answered, invite, make_client

pytestmark = pytest.mark.django_db


def _recoveries(bank):
    with tenant_scope(bank.tenant):
        return list(
            ServiceRecovery.objects.values_list("kind", "client_id", "manager_id", "due_at")
        )


def _notified(bank):
    with tenant_scope(bank.tenant):
        return sorted(
            Notification.objects.filter(url__startswith="/loyalty/").values_list(
                "recipient_id", flat=True
            )
        )


def test_a_detractor_opens_one_recovery_due_in_48_hours_and_notifies_the_branch_head(bank):
    c = make_client(bank)
    now = timezone.now()
    answer(bank, invite(bank, c), 4, "too slow", now=now)
    assert _recoveries(bank) == [("recovery", c.pk, bank.rm.pk, now + timedelta(hours=48))]
    assert _notified(bank) == sorted([bank.rm.pk, bank.branch_head.pk])


@pytest.mark.parametrize("score", [7, 8, 9, 10])
def test_passives_and_promoters_open_nothing(bank, score):
    answer(bank, invite(bank, make_client(bank)), score)
    assert _recoveries(bank) == []
    assert _notified(bank) == []


def test_with_the_referral_ask_a_promoter_opens_a_referral_follow_up(bank):
    with tenant_scope(bank.tenant):
        services.survey_settings_update(user=bank.admin, referral_ask=True)
    c = make_client(bank)
    answer(bank, invite(bank, c), 10)
    assert [(k, cl, m) for k, cl, m, _d in _recoveries(bank)] == [("referral", c.pk, bank.rm.pk)]


def test_the_branch_head_of_the_nearest_branch_up_the_tree_is_notified(bank):
    c = make_client(bank, branch=bank.sibling_branch)  # no branch head there
    answered(bank, c, 0)
    assert _notified(bank) == [bank.rm.pk]  # the region has no head either: the manager only


def test_the_rm_records_the_action_and_outcome_and_closes(bank, web_for):
    c = make_client(bank)
    answered(bank, c, 3)
    with tenant_scope(bank.tenant):
        rec = ServiceRecovery.objects.get()
    web = web_for(bank.rm)
    url = f"/loyalty/recoveries/{rec.pk}/"
    assert web.get(url).status_code == 200
    r = web.post(url, {"action": "", "outcome": "", "close": "on"})
    assert r.status_code == 400  # closing needs both
    r = web.post(url, {"action": "Called, apologised", "outcome": "Fee refunded", "close": "on"})
    assert r.status_code == 302
    with tenant_scope(bank.tenant):
        rec.refresh_from_db()
    assert (rec.status, rec.action, rec.outcome, rec.closed_by_id) == (
        "closed",
        "Called, apologised",
        "Fee refunded",
        bank.rm.pk,
    )


def test_only_managers_and_their_heads_record_and_compliance_reads(bank, web_for):
    c = make_client(bank)
    answered(bank, c, 3)
    with tenant_scope(bank.tenant):
        rec = ServiceRecovery.objects.get()
        with pytest.raises(PermissionDenied):
            services.recovery_record(user=bank.compliance, recovery=rec, action="x", outcome="y")
        with pytest.raises(ValidationError):
            services.recovery_record(user=bank.rm, recovery=rec, action="", outcome="", close=True)
    assert web_for(bank.compliance).get(f"/loyalty/recoveries/{rec.pk}/").status_code == 200


def test_another_rm_does_not_see_the_recovery(bank, web_for):
    answered(bank, make_client(bank), 3)
    with tenant_scope(bank.tenant):
        rec = ServiceRecovery.objects.get()
    assert web_for(bank.other_rm).get(f"/loyalty/recoveries/{rec.pk}/").status_code == 404


def test_my_day_shows_the_rm_their_open_recovery(bank, web_for):
    c = make_client(bank, name="Detractor Ltd")
    answered(bank, c, 1)
    html = web_for(bank.rm).get("/").content.decode()
    assert 'data-testid="my-day-recoveries"' in html and "Detractor Ltd" in html
    other = web_for(bank.other_rm).get("/").content.decode()
    assert "Detractor Ltd" not in other


def test_the_branch_head_sees_it_in_the_loyalty_queue(bank, web_for):
    answered(bank, make_client(bank, name="Unhappy Co"), 2)
    html = web_for(bank.branch_head).get("/loyalty/").content.decode()
    assert 'data-testid="queue-row"' in html and "Unhappy Co" in html

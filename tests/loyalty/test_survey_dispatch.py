"""Dispatch: after a meeting or visit and periodically, exactly one
invitation per due client (twice, concurrently, after a crash); the contact
budget, consent and an open recovery suppress; reminders only to
non-respondents, at most two; set-based at any size."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loyalty import tasks
from loyalty.models import ServiceRecovery, SurveyInvitation, SurveyMessage
from loyalty.surveys import dispatch, services
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .survey_helpers import answer, answered, invite, make_client

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _met(bank, client, at):
    from clients.models import Client

    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=client.pk).update(last_met_at=at)


def _run(bank, now=NOW):
    with tenant_scope(bank.tenant):
        return dispatch.survey_dispatch_due(now=now)


def _invitations(bank):
    with tenant_scope(bank.tenant):
        return sorted(SurveyInvitation.objects.values_list("client_id", "reason"))


def _messages(bank):
    with tenant_scope(bank.tenant):
        return sorted(SurveyMessage.objects.values_list("invitation__client_id", "kind"))


def test_a_meeting_24_hours_ago_invites_once_even_when_the_sweep_runs_twice(bank):
    met = make_client(bank)
    not_yet = make_client(bank)
    _met(bank, met, NOW - timedelta(hours=25))
    _met(bank, not_yet, NOW - timedelta(hours=2))
    first = _run(bank)
    assert first.after_meeting == 1
    assert (met.pk, "after_meeting") in _invitations(bank)
    assert (not_yet.pk, "after_meeting") not in _invitations(bank)
    again = _run(bank, NOW + timedelta(minutes=5))
    assert again.invited == 0
    assert len([i for i in _invitations(bank) if i[0] == met.pk]) == 1


def test_logging_a_meeting_sets_last_met_at_and_a_call_does_not(bank):
    from communications.services import interaction_log

    c = make_client(bank)
    with tenant_scope(bank.tenant):
        interaction_log(
            author=bank.rm,
            client=c,
            kind="call",
            subject="Call",
            occurred_at=NOW - timedelta(days=2),
        )
        c.refresh_from_db()
        assert c.last_met_at is None and c.last_contacted_at is not None
        interaction_log(
            author=bank.rm,
            client=c,
            kind="visit",
            subject="Visit",
            occurred_at=NOW - timedelta(days=1),
        )
        c.refresh_from_db()
        assert c.last_met_at == NOW - timedelta(days=1)


def test_the_periodic_survey_reaches_every_key_client_not_surveyed_for_the_interval(bank):
    recent = make_client(bank)
    due = make_client(bank)
    invite(bank, recent, now=NOW - timedelta(days=10))
    result = _run(bank)
    assert result.periodic == 1
    assert (due.pk, "periodic") in _invitations(bank)


def test_no_consent_no_address_closed_or_unmanaged_clients_get_nothing(bank):
    make_client(bank, consent=())
    make_client(bank, email="", email_index="")
    make_client(bank, lifecycle="closed")
    from tests.factories import ClientFactory

    ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        marketing_consent={"email": True},
        email="a@example.com",
        email_index="x",
    )  # no dedicated manager
    assert _run(bank).invited == 0


def test_the_preferred_channel_is_used_when_consented(bank):
    sms = make_client(
        bank,
        preferred_channel="phone",
        consent=("phone", "email"),
        phone="13800000000",
        phone_index="p",
    )
    fallback = make_client(bank, preferred_channel="message", consent=("email",))
    _run(bank)
    with tenant_scope(bank.tenant):
        channels = dict(SurveyInvitation.objects.values_list("client_id", "channel"))
    assert channels == {sms.pk: "sms", fallback.pk: "email"}


def test_the_contact_budget_suppresses_a_second_survey_within_the_interval(bank):
    c = make_client(bank)
    invite(bank, c, now=NOW - timedelta(days=30))
    _met(bank, c, NOW - timedelta(hours=30))  # a meeting after the survey: still within budget
    assert _run(bank).invited == 0


def test_an_open_recovery_suppresses_every_survey(bank):
    c = make_client(bank)
    answered(bank, c, 2, at=NOW - timedelta(days=100))  # budget free again, recovery still open
    _met(bank, c, NOW - timedelta(hours=30))
    assert _run(bank).invited == 0


def test_thirty_to_sixty_days_after_a_closed_recovery_the_client_is_asked_again(bank):
    c = make_client(bank)
    answered(bank, c, 2, at=NOW - timedelta(days=60))
    with tenant_scope(bank.tenant):
        rec = ServiceRecovery.objects.get()
        services.recovery_record(user=bank.rm, recovery=rec, action="a", outcome="b", close=True)
        ServiceRecovery.objects.filter(pk=rec.pk).update(closed_at=NOW - timedelta(days=46))
    result = _run(bank)
    assert result.after_recovery == 1 and result.periodic == 0
    assert (c.pk, "after_recovery") in _invitations(bank)
    assert _run(bank, NOW + timedelta(hours=1)).invited == 0


def test_reminders_go_only_to_non_respondents_after_3_and_7_days_at_most_twice(bank):
    silent, answers = make_client(bank), make_client(bank)
    a = invite(bank, silent, now=NOW - timedelta(days=8))
    b = invite(bank, answers, now=NOW - timedelta(days=8))
    answer(bank, b, 9, now=NOW - timedelta(days=6))
    assert _run(bank, NOW - timedelta(days=4)).reminders == 1  # day 4: the first
    assert _run(bank, NOW).reminders == 1  # day 8: the second
    assert _run(bank, NOW + timedelta(days=1)).reminders == 0  # never a third
    kinds = [k for cl, k in _messages(bank) if cl == silent.pk]
    assert kinds == ["invitation", "reminder_1", "reminder_2"]
    assert [k for cl, k in _messages(bank) if cl == answers.pk] == ["invitation"]
    assert a.pk != b.pk


def test_after_a_pause_in_the_sweeps_the_reminders_stay_apart(bank):
    """Invited 9 days ago and the sweep did not run since: the first reminder
    now, the second only 4 days (7 − 3) after it, not at the next sweep."""
    silent = make_client(bank)
    invite(bank, silent, now=NOW - timedelta(days=9))  # the link lives 14 days
    assert _run(bank, NOW).reminders == 1
    assert _run(bank, NOW + timedelta(hours=1)).reminders == 0
    assert _run(bank, NOW + timedelta(days=3)).reminders == 0
    assert _run(bank, NOW + timedelta(days=4)).reminders == 1
    assert [k for cl, k in _messages(bank) if cl == silent.pk] == [
        "invitation",
        "reminder_1",
        "reminder_2",
    ]


def test_delivery_sends_each_message_once_in_the_clients_language(
    bank, django_capture_on_commit_callbacks
):
    make_client(bank, language="en", email="en@example.com")
    make_client(bank, language="zh-hans", email="zh@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.survey_dispatch_for_tenant(tenant_id=bank.tenant.pk)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"en@example.com", "zh@example.com"}
    assert "How likely are you to recommend" in by_to["en@example.com"].body
    assert "您有多大可能向朋友或同事推荐我行" in by_to["zh@example.com"].body
    assert "/s/" in by_to["en@example.com"].body
    with tenant_scope(bank.tenant):
        assert dispatch.survey_messages_deliver() == 0
    assert len(mail.outbox) == 2


def test_a_crash_midway_rolls_back_and_the_rerun_invites_exactly_once(bank, monkeypatch):
    met, due = make_client(bank), make_client(bank)
    _met(bank, met, NOW - timedelta(hours=30))

    def boom(**kw):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(dispatch, "_periodic", boom)
    with pytest.raises(RuntimeError):
        _run(bank)
    assert _invitations(bank) == []
    monkeypatch.undo()
    _run(bank)
    assert _invitations(bank) == sorted([(met.pk, "after_meeting"), (due.pk, "periodic")])
    assert len(_messages(bank)) == 2


def test_the_sweep_is_set_based_the_same_queries_for_3_and_60_clients(bank):
    def count(n):
        for _ in range(n):
            make_client(bank)
        with tenant_scope(bank.tenant), CaptureQueriesContext(connection) as ctx:
            dispatch.survey_dispatch_due(now=NOW + timedelta(days=200 * n))
        return len(ctx.captured_queries)

    small = count(3)
    assert count(57) == small


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_invite_exactly_once(bank, monkeypatch):
    for i in range(15):
        c = make_client(bank)
        if i % 2:
            _met(bank, c, NOW - timedelta(hours=30))
    original = dispatch._periodic
    barrier = threading.Barrier(2)

    def slow_periodic(**kw):
        import time

        time.sleep(0.1)  # hold the rows uncommitted so the sweeps overlap
        return original(**kw)

    monkeypatch.setattr(dispatch, "_periodic", slow_periodic)
    errors = []

    def sweep():
        try:
            barrier.wait()
            with tenant_scope(bank.tenant):
                dispatch.survey_dispatch_due(now=timezone.now())
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
    invited = _invitations(bank)
    assert len(invited) == 15 and len({c for c, _r in invited}) == 15
    assert len(_messages(bank)) == 15


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_a_staff_invitation_and_a_concurrent_sweep_spend_the_budget_once(bank, monkeypatch):
    """The dispatch lock: the sweep waits for the staff invitation in flight
    and then sees it (without the lock both would survey the client)."""
    import time

    c = make_client(bank)
    original = services.audit_record
    started = threading.Event()

    def slow_audit(**kw):
        started.set()
        time.sleep(0.2)  # the invitation row exists, uncommitted
        return original(**kw)

    monkeypatch.setattr(services, "audit_record", slow_audit)
    errors = []

    def staff():
        try:
            invite(bank, c)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def sweep():
        try:
            started.wait(5)
            with tenant_scope(bank.tenant):
                dispatch.survey_dispatch_due(now=timezone.now())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=staff), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _invitations(bank) == [(c.pk, "manual")]

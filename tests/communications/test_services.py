from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from clients.models import Client, ContactPerson
from communications import services
from communications.models import CommunicationSettings, FollowUp, Interaction, InteractionAmendment
from tenancy.models import AuditEvent
from tests.communications.factories import make_interaction
from tests.factories import ClientFactory, UserFactory


def log(bank, client, **kw):
    kw.setdefault("kind", "meeting")
    kw.setdefault("subject", "Quarterly review")
    with bank.scope():
        return services.interaction_log(author=kw.pop("author", bank.rm), client=client, **kw)


def test_logging_defaults_the_time_to_now_and_records_the_report(bank, key_client):
    before = timezone.now()
    interaction = log(
        bank,
        key_client,
        summary="Discussed bonds",
        outcome="Interested",
        sentiment="positive",
        duration_minutes=45,
    )
    assert before <= interaction.occurred_at <= timezone.now()
    with bank.scope():
        stored = Interaction.objects.get(pk=interaction.pk)
        assert (stored.summary, stored.outcome, stored.duration_minutes) == (
            "Discussed bonds",
            "Interested",
            45,
        )
        assert AuditEvent.objects.filter(
            action="interaction.logged", object_id=str(interaction.pk)
        ).exists()


def test_next_steps_become_follow_ups_in_the_same_submit(bank, key_client):
    due = timezone.now() + timedelta(days=2)
    interaction = log(
        bank,
        key_client,
        next_steps=[
            {"due_at": due, "note": "Send the fund sheet"},
            {"due_at": due, "note": "Approve the limit", "assignee": bank.branch_head},
        ],
    )
    with bank.scope():
        follow_ups = list(FollowUp.objects.filter(interaction=interaction).order_by("id"))
    assert [(f.note, f.assignee_id, f.status, f.kind) for f in follow_ups] == [
        ("Send the fund sheet", bank.rm.pk, "open", "next_step"),
        ("Approve the limit", bank.branch_head.pk, "open", "next_step"),
    ]


def test_next_step_assignee_who_cannot_see_the_client_is_refused(bank, key_client):
    with pytest.raises(ValidationError) as exc:
        log(
            bank,
            key_client,
            next_steps=[{"due_at": timezone.now(), "note": "x", "assignee": bank.other_rm}],
        )
    assert "assignee" in exc.value.message_dict


def test_a_bad_next_step_rolls_back_the_whole_report(bank, key_client, other_bank):
    with pytest.raises(ValidationError) as exc:
        log(
            bank,
            key_client,
            next_steps=[{"due_at": timezone.now(), "note": "x", "assignee": other_bank.rm}],
        )
    assert "assignee" in exc.value.message_dict
    with bank.scope():
        assert not Interaction.objects.exists()
        assert not FollowUp.objects.exists()


def test_logging_updates_last_contacted_at_and_never_moves_it_back(bank, key_client):
    recent = timezone.now() - timedelta(hours=1)
    log(bank, key_client, occurred_at=recent)
    log(bank, key_client, occurred_at=recent - timedelta(days=3))
    with bank.scope():
        assert Client.objects.get(pk=key_client.pk).last_contacted_at == recent


def test_last_contacted_at_is_one_update_statement(bank, key_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with bank.scope(), CaptureQueriesContext(connection) as ctx:
        services.interaction_log(author=bank.rm, client=key_client, kind="call", subject="Call")
    updates = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "clients_client"')
    ]
    assert len(updates) == 1 and "last_contacted_at" in updates[0]


def test_rm_cannot_log_for_a_client_they_cannot_see(bank):
    stranger = ClientFactory(
        tenant=bank.tenant, branch=bank.sibling_branch, dedicated_manager=bank.other_rm
    )
    with pytest.raises(Http404):
        log(bank, stranger)


def test_interaction_in_the_future_is_refused(bank, key_client):
    with pytest.raises(ValidationError) as exc:
        log(bank, key_client, occurred_at=timezone.now() + timedelta(days=1))
    assert "occurred_at" in exc.value.message_dict


def test_contacts_must_belong_to_the_client(bank, key_client, client_of):
    with bank.scope():
        other_contact = ContactPerson.objects.create(client=client_of, name="Li Lei")
    with pytest.raises(ValidationError) as exc:
        log(bank, key_client, contacts=[other_contact])
    assert "contacts" in exc.value.message_dict


def test_follow_up_assignee_of_another_tenant_is_refused_naming_assignee(
    bank, other_bank, key_client
):
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.followup_create(
            actor=bank.rm,
            client=key_client,
            assignee=other_bank.rm,
            due_at=timezone.now() + timedelta(days=1),
        )
    assert list(exc.value.message_dict) == ["assignee"]


def test_follow_up_assignee_must_be_active(bank, key_client):
    inactive = UserFactory(tenant=bank.tenant, role="rm", branch=bank.branch, is_active=False)
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.followup_create(
            actor=bank.rm,
            client=key_client,
            assignee=inactive,
            due_at=timezone.now() + timedelta(days=1),
        )
    assert "assignee" in exc.value.message_dict


def test_snooze_moves_the_due_time_and_rearms_the_reminder(bank, key_client):
    with bank.scope():
        fu = services.followup_create(
            actor=bank.rm,
            client=key_client,
            assignee=bank.rm,
            due_at=timezone.now() + timedelta(hours=1),
        )
        FollowUp.objects.filter(pk=fu.pk).update(reminded_at=timezone.now())
        fu.refresh_from_db()
        until = timezone.now() + timedelta(days=1)
        services.followup_snooze(actor=bank.rm, follow_up=fu, until=until)
        fu.refresh_from_db()
    assert fu.due_at == until and fu.reminded_at is None


def test_done_follow_up_cannot_be_snoozed(bank, key_client):
    with bank.scope():
        fu = services.followup_create(
            actor=bank.rm,
            client=key_client,
            assignee=bank.rm,
            due_at=timezone.now() + timedelta(hours=1),
        )
        services.followup_set_status(actor=bank.rm, follow_up=fu, status="done")
        with pytest.raises(ValidationError):
            services.followup_snooze(
                actor=bank.rm, follow_up=fu, until=timezone.now() + timedelta(days=1)
            )


def test_author_can_edit_inside_the_edit_window(bank, key_client):
    interaction = log(bank, key_client)
    with bank.scope():
        services.interaction_update(
            actor=bank.rm, interaction=interaction, subject="Corrected subject"
        )
        assert Interaction.objects.get(pk=interaction.pk).subject == "Corrected subject"
        assert AuditEvent.objects.filter(action="interaction.edited").exists()


def test_editing_after_the_window_fails_with_a_clear_message_and_amendments_are_kept(
    bank, key_client
):
    interaction = make_interaction(
        key_client, bank.rm, created_at=timezone.now() - timedelta(hours=25)
    )
    with bank.scope(), translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            services.interaction_update(
                actor=bank.rm, interaction=interaction, subject="Late change"
            )
        assert "locked" in " ".join(exc.value.messages)
        services.interaction_amend(
            actor=bank.rm, interaction=interaction, text="Client called back: yes."
        )
        services.interaction_amend(actor=bank.rm, interaction=interaction, text="Second note.")
        assert list(
            InteractionAmendment.objects.filter(interaction=interaction).values_list(
                "text", flat=True
            )
        ) == ["Client called back: yes.", "Second note."]
        assert Interaction.objects.get(pk=interaction.pk).subject == "Portfolio review"
        assert AuditEvent.objects.filter(action="interaction.amended").count() == 2


def test_edit_window_is_tenant_configurable(bank, key_client):
    interaction = make_interaction(
        key_client, bank.rm, created_at=timezone.now() - timedelta(hours=30)
    )
    with bank.scope():
        services.comm_settings_update(actor=bank.admin, edit_window_hours=48)
        services.interaction_update(actor=bank.rm, interaction=interaction, subject="Within 48h")
        assert CommunicationSettings.objects.get().edit_window_hours == 48


def test_only_the_author_may_edit(bank, key_client):
    interaction = log(bank, key_client)
    with bank.scope(), pytest.raises(PermissionDenied):
        services.interaction_update(actor=bank.other_rm, interaction=interaction, subject="x")


def test_only_one_open_revisit_per_client_is_a_database_rule(bank, key_client):
    with bank.scope():
        FollowUp.objects.create(
            client=key_client, assignee=bank.rm, due_at=timezone.now(), kind="revisit"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            FollowUp.objects.create(
                client=key_client, assignee=bank.rm, due_at=timezone.now(), kind="revisit"
            )


def test_logging_closes_the_open_revisit_follow_up(bank, key_client):
    with bank.scope():
        fu = FollowUp.objects.create(
            client=key_client, assignee=bank.rm, due_at=timezone.now(), kind="revisit"
        )
    log(bank, key_client)
    with bank.scope():
        assert FollowUp.objects.get(pk=fu.pk).status == "done"

"""The ethical wall around a confidential call report and what is made from
it (issue 8, findings 1 and 2). The whole-project walk is
tests/security/test_wall_walk.py; these name each guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from guardian.shortcuts import assign_perm

from communications import services
from communications.ical import followups_to_ical
from communications.models import CommunicationSettings, FollowUp, Notification
from communications.selectors import followup_list
from communications.services import reminders
from tenancy.models import AuditEvent, Role
from tests.factories import UserFactory

SECRET = "offer 12% to buy the family stake"


@pytest.fixture
def attendee(bank, key_client):
    user = UserFactory(username="a_attendee", tenant=bank.tenant, role=Role.RM, branch=bank.branch)
    with bank.scope():
        assign_perm("view_client", user, key_client)
    return user


@pytest.fixture
def report(bank, key_client, attendee):
    with bank.scope():
        return services.interaction_log(
            author=bank.rm,
            client=key_client,
            kind="meeting",
            subject="Family holding",
            summary=SECRET,
            confidential=True,
            attendees=[attendee],
            next_steps=[{"due_at": timezone.now() - timedelta(hours=1), "note": SECRET}],
        )


@pytest.fixture
def step(bank, report):
    with bank.scope():
        return FollowUp.objects.get(interaction=report)


# --- the note of a confidential next step ------------------------------------------------


def test_branch_head_sees_that_a_confidential_follow_up_exists_but_not_its_note(
    bank, step, api_for
):
    r = api_for(bank.branch_head).get(f"/api/v1/follow-ups/{step.pk}/")
    assert r.status_code == 200
    assert (r.data["note"], r.data["note_hidden"], r.data["confidential"]) == ("", True, True)


def test_follow_up_list_api_hides_the_note_from_outsiders(bank, step, api_for):
    for user in (bank.branch_head, bank.admin, bank.risk_officer):
        r = api_for(user).get("/api/v1/follow-ups/")
        assert SECRET not in r.content.decode(), user.role
        assert [row["id"] for row in r.data["results"]] == [step.pk]


@pytest.mark.parametrize("who", ["rm", "attendee", "compliance"])
def test_insiders_read_the_note_of_a_confidential_follow_up(bank, step, attendee, api_for, who):
    user = attendee if who == "attendee" else getattr(bank, who)
    r = api_for(user).get(f"/api/v1/follow-ups/{step.pk}/")
    assert (r.data["note"], r.data["note_hidden"]) == (SECRET, False)


def test_team_page_and_timeline_show_a_confidential_follow_up_without_its_note(
    bank, key_client, step, web_for
):
    web = web_for(bank.branch_head)
    for path in ("/follow-ups/?scope=team", f"/interactions/client/{key_client.pk}/timeline/"):
        body = web.get(path).content.decode()
        assert SECRET not in body, path
        assert "Confidential follow-up" in body or "保密跟进事项" in body, path


def test_the_selector_blanks_the_note_in_the_loaded_row(bank, step):
    with bank.scope():
        row = followup_list(user=bank.branch_head).get(pk=step.pk)
        assert (row.note, row.note_hidden) == ("", True)
        assert followup_list(user=bank.rm).get(pk=step.pk).note == SECRET


def test_reminder_notification_and_email_never_carry_a_confidential_note(
    bank, step, django_capture_on_commit_callbacks
):
    bank.rm.email = "rm@a.example"
    bank.rm.save(update_fields=["email"])
    with bank.scope(), django_capture_on_commit_callbacks(execute=True):
        assert reminders.followup_reminders_claim() == [step.pk]
        note = Notification.objects.get(follow_up=step)
    assert SECRET not in note.body and "Steward" in note.body
    assert len(mail.outbox) == 1 and SECRET not in mail.outbox[0].body


def test_overdue_digest_notification_and_email_never_carry_a_confidential_note(
    bank, step, django_capture_on_commit_callbacks
):
    bank.branch_head.email = "head@a.example"
    bank.branch_head.save(update_fields=["email"])
    with bank.scope(), django_capture_on_commit_callbacks(execute=True):
        CommunicationSettings.objects.create(digest_hour=0)
        assert reminders.overdue_digest_send() == 1
        digest = Notification.objects.get(recipient=bank.branch_head)
    assert SECRET not in digest.body and digest.body.count("\n") == 0
    assert [m.to for m in mail.outbox] == [["head@a.example"]]
    assert SECRET not in mail.outbox[0].body


def test_calendar_feed_shows_a_confidential_follow_up_without_its_note(bank, step):
    with bank.scope():
        rows = list(followup_list(user=bank.rm).filter(pk=step.pk))
        feed = followups_to_ical(owner=bank.rm, follow_ups=rows, base_url="http://t/").decode()
    assert "family stake" not in feed and "DESCRIPTION:\r\n" in feed
    assert "Confidential follow-up" in feed or "保密跟进事项" in feed


# --- the next step's assignee is inside the wall --------------------------------------------


def test_a_confidential_next_step_for_someone_outside_the_wall_is_400_naming_it(
    bank, key_client, api_for
):
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
    r = api_for(bank.rm).post(
        "/api/v1/interactions/",
        {
            "client": key_client.pk,
            "kind": "meeting",
            "subject": "Stake",
            "confidential": True,
            "follow_up": {
                "due_at": (timezone.now() + timedelta(days=1)).isoformat(),
                "note": SECRET,
                "assignee": bank.other_rm.pk,
            },
        },
        format="json",
    )
    assert r.status_code == 400 and list(r.data) == ["follow_up"]
    assert list(r.data["follow_up"]) == ["assignee"]


def test_a_confidential_next_step_may_go_to_an_attendee(bank, key_client, attendee):
    with bank.scope():
        report = services.interaction_log(
            author=bank.rm,
            client=key_client,
            kind="meeting",
            subject="Stake",
            confidential=True,
            attendees=[attendee],
            next_steps=[{"due_at": timezone.now(), "note": "x", "assignee": attendee}],
        )
        assert FollowUp.objects.get(interaction=report).assignee_id == attendee.pk


def test_reassigning_a_confidential_follow_up_outside_the_wall_is_400(
    bank, key_client, step, api_for
):
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
    r = api_for(bank.rm).patch(
        f"/api/v1/follow-ups/{step.pk}/", {"assignee": bank.other_rm.pk}, format="json"
    )
    assert r.status_code == 400 and list(r.data) == ["assignee"]


def test_marking_a_report_confidential_needs_its_assignees_inside_the_wall(bank, key_client):
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
        report = services.interaction_log(
            author=bank.rm,
            client=key_client,
            kind="call",
            subject="Stake",
            next_steps=[{"due_at": timezone.now(), "note": "x", "assignee": bank.other_rm}],
        )
        with pytest.raises(ValidationError) as caught:
            services.interaction_update(actor=bank.rm, interaction=report, confidential=True)
    assert list(caught.value.message_dict) == ["confidential"]


def test_a_branch_head_outside_the_wall_may_close_but_not_rewrite_the_note(bank, step, api_for):
    api = api_for(bank.branch_head)
    r = api.patch(f"/api/v1/follow-ups/{step.pk}/", {"note": "rewritten"}, format="json")
    assert r.status_code == 403
    r = api.patch(f"/api/v1/follow-ups/{step.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 200 and r.data["note"] == ""
    with bank.scope():
        assert FollowUp.objects.get(pk=step.pk).note == SECRET


# --- the audit trail names fields, never confidential content (finding 2) -------------------


def _audit_text(bank) -> str:
    with bank.scope():
        return " ".join(str(e.data) for e in AuditEvent.objects.all())


def test_editing_a_confidential_report_audits_the_field_names_only(bank, report):
    with bank.scope():
        services.interaction_update(
            actor=bank.rm, interaction=report, summary="edit: " + SECRET, subject="Renamed"
        )
        event = AuditEvent.objects.filter(action="interaction.edited").get()
    assert event.data == {"fields": ["subject", "summary"]}


def test_amending_a_confidential_report_does_not_audit_the_text(bank, report, attendee):
    with bank.scope():
        services.interaction_amend(actor=attendee, interaction=report, text="amend " + SECRET)
        event = AuditEvent.objects.filter(action="interaction.amended").get()
    assert "text" not in event.data and SECRET not in str(event.data)


def test_changing_a_confidential_note_audits_the_field_name_only(bank, step):
    with bank.scope():
        fu = followup_list(user=bank.rm).get(pk=step.pk)
        services.followup_update(actor=bank.rm, follow_up=fu, note="new " + SECRET)
        event = AuditEvent.objects.filter(action="followup.updated").get()
    assert event.data == {"fields": ["note"]}


def test_editing_an_open_report_audits_values_but_never_free_text(bank, key_client):
    with bank.scope():
        report = services.interaction_log(
            author=bank.rm, client=key_client, kind="call", subject="Rates"
        )
        services.interaction_update(
            actor=bank.rm, interaction=report, kind="meeting", summary=SECRET
        )
        event = AuditEvent.objects.filter(action="interaction.edited").get()
    assert event.data == {"fields": ["kind", "summary"], "changes": {"kind": ["call", "meeting"]}}


def test_the_audit_page_shows_admins_no_confidential_text(bank, report, attendee, web_for):
    with bank.scope():
        services.interaction_update(actor=bank.rm, interaction=report, summary="edit " + SECRET)
        services.interaction_amend(actor=attendee, interaction=report, text="amend " + SECRET)
    assert "family stake" not in _audit_text(bank)
    body = web_for(bank.admin).get("/manage/audit/").content.decode()
    assert "interaction.amended" in body and "family stake" not in body


# --- the wall costs no query per row ---------------------------------------------------------


@pytest.mark.parametrize("n", [5, 120])
@pytest.mark.parametrize("who", ["branch_head", "rm"])
def test_team_follow_ups_page_with_confidential_rows_has_a_bounded_query_count(
    bank, key_client, web_for, django_assert_max_num_queries, n, who
):
    from tests.communications.factories import make_interaction

    report = make_interaction(key_client, bank.rm, confidential=True)
    with bank.scope():
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    tenant_id=bank.tenant.pk,
                    client=key_client,
                    assignee=bank.rm,
                    created_by=bank.rm,
                    interaction=report if i % 2 else None,
                    due_at=timezone.now() + timedelta(hours=i),
                    note=f"{SECRET} {i}" if i % 2 else f"plain {i}",
                )
                for i in range(n)
            ]
        )
    web = web_for(getattr(bank, who))
    web.get("/follow-ups/?scope=team")
    # the same at both sizes; a branch head's includes reading the subtree's
    # branch ids once (clients.access.subtree_branch_ids)
    with django_assert_max_num_queries(18):
        body = web.get("/follow-ups/?scope=team").content.decode()
    assert (SECRET in body) is (who == "rm")

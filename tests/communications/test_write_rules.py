"""Who may write (issue 8, finding 10): compliance never writes client-facing
data; a follow-up is changed only by its assignee, its creator, the client's
managers and branch heads of the client's subtree; risk officers log
interactions for clients they review but do not take over others' follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from communications import services
from communications.models import FollowUp, Interaction
from tests.communications.factories import make_followup, make_interaction


def _due() -> str:
    return (timezone.now() + timedelta(days=1)).isoformat()


@pytest.fixture
def rm_step(bank, key_client):
    """An open follow-up of the client's dedicated manager, created by them."""
    return make_followup(key_client, bank.rm, created_by=bank.rm)


# --- compliance reads, never writes -------------------------------------------------------


def test_compliance_cannot_log_a_call_report(bank, key_client, api_for):
    r = api_for(bank.compliance).post(
        "/api/v1/interactions/",
        {"client": key_client.pk, "kind": "call", "subject": "x"},
        format="json",
    )
    assert r.status_code == 403
    with bank.scope():
        assert not Interaction.objects.exists()


def test_compliance_cannot_open_a_follow_up(bank, key_client, api_for):
    r = api_for(bank.compliance).post(
        "/api/v1/follow-ups/",
        {"client": key_client.pk, "assignee": bank.rm.pk, "due_at": _due(), "note": "x"},
        format="json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "change", [{"status": "cancelled"}, {"note": "rewritten"}, {"due_at": "2030-01-01T09:00:00Z"}]
)
def test_compliance_cannot_change_a_follow_up(bank, rm_step, api_for, change):
    r = api_for(bank.compliance).patch(f"/api/v1/follow-ups/{rm_step.pk}/", change, format="json")
    assert r.status_code == 403
    with bank.scope():
        fresh = FollowUp.objects.get(pk=rm_step.pk)
    assert (fresh.status, fresh.note) == ("open", rm_step.note)


def test_compliance_cannot_be_given_a_follow_up(bank, key_client, api_for):
    r = api_for(bank.rm).post(
        "/api/v1/follow-ups/",
        {"client": key_client.pk, "assignee": bank.compliance.pk, "due_at": _due()},
        format="json",
    )
    assert r.status_code == 400 and list(r.data) == ["assignee"]


def test_compliance_cannot_edit_a_client(bank, key_client, api_for):
    r = api_for(bank.compliance).patch(
        f"/api/v1/clients/{key_client.pk}/", {"name": "Renamed"}, format="json"
    )
    assert r.status_code == 403


def test_the_client_edit_page_is_403_for_compliance(bank, key_client, web_for):
    web = web_for(bank.compliance)
    assert web.get(f"/clients/{key_client.pk}/edit/").status_code == 403
    assert web.post(f"/clients/{key_client.pk}/edit/", {"name": "Renamed"}).status_code == 403


def test_compliance_cannot_amend_a_call_report(bank, key_client, web_for):
    report = make_interaction(key_client, bank.rm)
    r = web_for(bank.compliance).post(
        f"/interactions/{report.pk}/amend/", {"text": "compliance note"}
    )
    assert r.status_code == 403
    with bank.scope():
        assert not report.amendments.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/interactions/log/",
        "/interactions/client/{client}/log/",
        "/follow-ups/new/{client}/",
    ],
)
def test_the_write_pages_are_403_for_compliance(bank, key_client, web_for, path):
    web = web_for(bank.compliance)
    url = path.format(client=key_client.pk)
    assert web.get(url).status_code == 403
    assert web.post(url, {"client": key_client.pk, "subject": "x"}).status_code == 403


def test_the_status_page_is_403_for_compliance(bank, rm_step, web_for):
    r = web_for(bank.compliance).post(f"/follow-ups/{rm_step.pk}/status/", {"status": "cancelled"})
    assert r.status_code == 403


def test_compliance_sees_no_log_form_on_the_client_page(bank, key_client, web_for):
    body = web_for(bank.compliance).get(f"/clients/{key_client.pk}/").content.decode()
    assert 'data-testid="log-form"' not in body
    body = web_for(bank.rm).get(f"/clients/{key_client.pk}/").content.decode()
    assert 'data-testid="log-form"' in body


# --- risk officers log, but do not take over ------------------------------------------------


def test_risk_officer_may_log_a_call_report_for_a_client_they_review(bank, key_client, api_for):
    r = api_for(bank.risk_officer).post(
        "/api/v1/interactions/",
        {"client": key_client.pk, "kind": "call", "subject": "Covenant check"},
        format="json",
    )
    assert r.status_code == 201


def test_risk_officer_cannot_reassign_someone_elses_follow_up_to_themselves(bank, rm_step, api_for):
    r = api_for(bank.risk_officer).patch(
        f"/api/v1/follow-ups/{rm_step.pk}/", {"assignee": bank.risk_officer.pk}, format="json"
    )
    assert r.status_code == 403
    with bank.scope():
        assert FollowUp.objects.get(pk=rm_step.pk).assignee_id == bank.rm.pk


@pytest.mark.parametrize("change", [{"status": "cancelled"}, {"note": "rewritten"}])
def test_risk_officer_cannot_cancel_or_rewrite_someone_elses_follow_up(
    bank, rm_step, api_for, change
):
    r = api_for(bank.risk_officer).patch(f"/api/v1/follow-ups/{rm_step.pk}/", change, format="json")
    assert r.status_code == 403


def test_risk_officer_may_change_the_follow_up_they_created(bank, key_client, api_for):
    with bank.scope():
        fu = services.followup_create(
            actor=bank.risk_officer,
            client=key_client,
            assignee=bank.rm,
            due_at=timezone.now() + timedelta(days=1),
            note="Collateral papers",
        )
    r = api_for(bank.risk_officer).patch(
        f"/api/v1/follow-ups/{fu.pk}/", {"note": "Collateral papers, signed"}, format="json"
    )
    assert r.status_code == 200


# --- who may change a follow-up -----------------------------------------------------------


@pytest.mark.parametrize("who", ["rm", "branch_head"])
def test_the_assignee_and_the_branch_head_of_the_subtree_may_change_it(bank, rm_step, api_for, who):
    r = api_for(getattr(bank, who)).patch(
        f"/api/v1/follow-ups/{rm_step.pk}/", {"status": "done"}, format="json"
    )
    assert r.status_code == 200 and r.data["status"] == "done"


def test_the_backup_manager_may_change_it(bank, key_client, rm_step, api_for):
    with bank.scope():
        key_client.backup_manager = bank.other_rm
        key_client.save(update_fields=["backup_manager"])
    r = api_for(bank.other_rm).patch(
        f"/api/v1/follow-ups/{rm_step.pk}/", {"status": "done"}, format="json"
    )
    assert r.status_code == 200


@pytest.mark.parametrize("who", ["admin", "other_rm"])
def test_others_who_see_the_client_cannot_change_it(bank, key_client, rm_step, api_for, who):
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
    r = api_for(getattr(bank, who)).patch(
        f"/api/v1/follow-ups/{rm_step.pk}/", {"status": "cancelled"}, format="json"
    )
    assert r.status_code == 403


def test_the_follow_ups_page_offers_no_buttons_to_those_who_cannot_use_them(bank, rm_step, web_for):
    body = web_for(bank.risk_officer).get("/follow-ups/?scope=team").content.decode()
    assert f"/follow-ups/{rm_step.pk}/status/" not in body
    body = web_for(bank.rm).get("/follow-ups/?scope=team").content.decode()
    assert f"/follow-ups/{rm_step.pk}/status/" in body

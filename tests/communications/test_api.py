from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from communications.models import FollowUp, Interaction
from tests.communications.factories import make_followup, make_interaction
from tests.factories import ClientFactory


def test_post_interaction_with_a_follow_up(bank, key_client, api_for):
    due = (timezone.now() + timedelta(days=1)).isoformat()
    r = api_for(bank.rm).post(
        "/api/v1/interactions/",
        {
            "client": key_client.pk,
            "kind": "call",
            "subject": "Rate call",
            "duration_minutes": 10,
            "follow_up": {"due_at": due, "note": "Send the term sheet"},
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.data["kind"] == "call" and len(r.data["follow_ups"]) == 1
    with bank.scope():
        fu = FollowUp.objects.get()
        assert (fu.assignee_id, fu.note, fu.interaction_id) == (
            bank.rm.pk,
            "Send the term sheet",
            r.data["id"],
        )


def test_post_interaction_for_an_invisible_client_is_404(bank, api_for):
    stranger = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    r = api_for(bank.rm).post(
        "/api/v1/interactions/",
        {"client": stranger.pk, "kind": "call", "subject": "x"},
        format="json",
    )
    assert r.status_code == 404


def test_post_interaction_for_another_tenants_client_is_404(bank, other_bank, api_for):
    foreign = ClientFactory(tenant=other_bank.tenant, branch=other_bank.branch)
    r = api_for(bank.admin).post(
        "/api/v1/interactions/",
        {"client": foreign.pk, "kind": "call", "subject": "x"},
        format="json",
    )
    assert r.status_code == 404


def test_follow_up_for_another_tenants_user_is_400_naming_assignee(
    bank, other_bank, key_client, api_for
):
    r = api_for(bank.rm).post(
        "/api/v1/follow-ups/",
        {
            "client": key_client.pk,
            "assignee": other_bank.rm.pk,
            "due_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "note": "x",
        },
        format="json",
    )
    assert r.status_code == 400 and list(r.data) == ["assignee"]


def test_patch_follow_up_to_another_tenants_user_is_400_naming_assignee(
    bank, other_bank, key_client, api_for
):
    fu = make_followup(key_client, bank.rm)
    r = api_for(bank.rm).patch(
        f"/api/v1/follow-ups/{fu.pk}/", {"assignee": other_bank.rm.pk}, format="json"
    )
    assert r.status_code == 400 and "assignee" in r.data


def test_patch_follow_up_status_done(bank, key_client, api_for):
    fu = make_followup(key_client, bank.rm)
    r = api_for(bank.rm).patch(f"/api/v1/follow-ups/{fu.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "done" and r.data["reminded_at"] is None


def test_follow_up_list_shows_only_visible_clients(bank, key_client, api_for):
    make_followup(key_client, bank.rm)
    stranger = ClientFactory(
        tenant=bank.tenant, branch=bank.sibling_branch, dedicated_manager=bank.other_rm
    )
    make_followup(stranger, bank.other_rm)
    r = api_for(bank.rm).get("/api/v1/follow-ups/")
    assert r.status_code == 200 and [row["client"] for row in r.data["results"]] == [key_client.pk]


def test_confidential_interaction_is_404_over_the_api_for_a_non_attendee(bank, key_client, api_for):
    from guardian.shortcuts import assign_perm

    secret = make_interaction(key_client, bank.rm, confidential=True)
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
    assert api_for(bank.other_rm).get(f"/api/v1/interactions/{secret.pk}/").status_code == 404
    assert api_for(bank.compliance).get(f"/api/v1/interactions/{secret.pk}/").status_code == 200


def test_patch_interaction_after_the_edit_window_is_400_with_a_message(bank, key_client, api_for):
    old = make_interaction(key_client, bank.rm, created_at=timezone.now() - timedelta(days=2))
    bank.rm.language = "en"  # the staff member's choice decides, not Accept-Language
    bank.rm.save()
    r = api_for(bank.rm).patch(
        f"/api/v1/interactions/{old.pk}/", {"subject": "late"}, format="json"
    )
    assert r.status_code == 400 and "locked" in str(r.data["non_field_errors"])
    with bank.scope():
        assert Interaction.objects.get(pk=old.pk).subject == "Portfolio review"


def test_interaction_list_is_paginated_and_filterable(bank, key_client, api_for):
    make_interaction(key_client, bank.rm, kind="call")
    make_interaction(key_client, bank.rm, kind="visit")
    r = api_for(bank.rm).get("/api/v1/interactions/", {"kind": "visit"})
    assert (
        r.status_code == 200
        and "next" in r.data
        and [i["kind"] for i in r.data["results"]] == ["visit"]
    )


def test_notifications_list_and_mark_read(bank, api_for):
    from communications.models import Notification

    with bank.scope():
        n = Notification.objects.create(recipient=bank.rm, title="Due")
        Notification.objects.create(recipient=bank.other_rm, title="Not yours")
    api = api_for(bank.rm)
    assert [x["title"] for x in api.get("/api/v1/notifications/").data["results"]] == ["Due"]
    r = api.post(f"/api/v1/notifications/{n.pk}/read/")
    assert r.status_code == 200 and r.data["read_at"]


def test_anonymous_api_is_401(db, client):
    assert client.get("/api/v1/interactions/").status_code == 401

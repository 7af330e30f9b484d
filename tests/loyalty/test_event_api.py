"""/api/v1/events/ and /api/v1/events/{id}/invitations/: the contract's
fields, who may create and edit, RMs see only their clients' invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from .event_helpers import invite, make_client, make_event, rsvp

pytestmark = pytest.mark.django_db

CONTRACT = {"id", "title", "kind", "starts_at", "location", "capacity", "accepted"}
EXTRA = {"title_zh", "description", "ends_at", "target_tiers", "target_interests", "reminder_hours"}


def _payload(**kw):
    body = {
        "title": "VIP salon",
        "kind": "salon",
        "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "location": "Bund 18",
        "capacity": 20,
    }
    body.update(kw)
    return body


def test_events_carry_the_contract_fields(bank, api_for):
    event = make_event(bank, capacity=3)
    (inv,) = invite(bank, event, make_client(bank))
    rsvp(bank, inv, "yes")
    api = api_for(bank.rm)
    body = api.get("/api/v1/events/").json()
    row = body["results"][0]
    assert set(row) == CONTRACT | EXTRA
    assert row["accepted"] == 1 and row["capacity"] == 3
    assert set(api.get(f"/api/v1/events/{event.pk}/").json()) == CONTRACT | EXTRA


def test_admins_and_branch_heads_create_and_rms_may_not(bank, api_for):
    r = api_for(bank.admin).post("/api/v1/events/", _payload(), format="json")
    assert r.status_code == 201 and r.json()["accepted"] == 0
    assert (
        api_for(bank.branch_head).post("/api/v1/events/", _payload(), format="json").status_code
        == 201
    )
    assert api_for(bank.rm).post("/api/v1/events/", _payload(), format="json").status_code == 403


def test_bad_input_is_400_naming_the_field(bank, api_for):
    api = api_for(bank.admin)
    assert "capacity" in api.post("/api/v1/events/", _payload(capacity=0), format="json").json()
    assert "kind" in api.post("/api/v1/events/", _payload(kind="party"), format="json").json()
    r = api.post("/api/v1/events/", _payload(target_tiers=["diamond"]), format="json")
    assert r.status_code == 400 and "target_tiers" in r.json()


def test_patch_by_the_organiser_and_accepted_is_read_only(bank, api_for):
    event = make_event(bank, user=bank.branch_head, capacity=2)
    api = api_for(bank.branch_head)
    r = api.patch(f"/api/v1/events/{event.pk}/", {"capacity": 5, "accepted": 99}, format="json")
    assert r.status_code == 200 and r.json()["capacity"] == 5 and r.json()["accepted"] == 0
    assert (
        api_for(bank.rm)
        .patch(f"/api/v1/events/{event.pk}/", {"capacity": 9}, format="json")
        .status_code
        == 403
    )
    assert api.put(f"/api/v1/events/{event.pk}/", _payload(), format="json").status_code == 405


def test_a_branch_head_edits_only_events_of_their_subtree(bank, api_for):
    from tests.factories import UserFactory

    other_head = UserFactory(
        username="a_head_sibling",
        tenant=bank.tenant,
        role="branch_head",
        branch=bank.sibling_branch,
    )
    event = make_event(bank, user=other_head)
    r = api_for(bank.branch_head).patch(
        f"/api/v1/events/{event.pk}/", {"capacity": 9}, format="json"
    )
    assert r.status_code == 403


def test_invite_through_the_api_answers_201_with_results(bank, api_for):
    event = make_event(bank)
    a, b = make_client(bank), make_client(bank, consent=())
    r = api_for(bank.rm).post(
        f"/api/v1/events/{event.pk}/invitations/", {"clients": [a.pk, b.pk]}, format="json"
    )
    assert r.status_code == 201
    rows = r.json()["results"]
    assert {tuple(sorted(x)) for x in rows} == {("client", "id", "status", "url")}
    assert {x["client"] for x in rows} == {a.pk, b.pk}
    assert all(
        x["status"] == "invited" and x["url"].startswith("http://testserver/e/") for x in rows
    )


def test_invite_refusals_are_400_naming_clients(bank, api_for):
    event = make_event(bank)
    api = api_for(bank.rm)
    url = f"/api/v1/events/{event.pk}/invitations/"
    theirs = make_client(bank, manager=bank.other_rm)
    assert "clients" in api.post(url, {"clients": [theirs.pk]}, format="json").json()
    assert "clients" in api.post(url, {"clients": []}, format="json").json()
    assert "clients" in api.post(url, {"clients": "x"}, format="json").json()
    assert (
        api_for(bank.compliance).post(url, {"clients": [theirs.pk]}, format="json").status_code
        == 403
    )


def test_rms_see_only_their_clients_invitations(bank, api_for):
    event = make_event(bank)
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    invite(bank, event, mine, theirs, user=bank.admin)
    url = f"/api/v1/events/{event.pk}/invitations/"
    assert [x["client"] for x in api_for(bank.rm).get(url).json()["results"]] == [mine.pk]
    assert len(api_for(bank.admin).get(url).json()["results"]) == 2


def test_another_banks_event_is_404(bank, other_bank, api_for):
    event = make_event(other_bank)
    api = api_for(bank.admin)
    assert api.get(f"/api/v1/events/{event.pk}/").status_code == 404
    assert api.get(f"/api/v1/events/{event.pk}/invitations/").status_code == 404
    assert (
        api.patch(f"/api/v1/events/{event.pk}/", {"capacity": 3}, format="json").status_code == 404
    )

"""Profiles: personal data at rest, lookup, masking, reveal, validation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from clients import services
from clients.models import Client, LifeEvent
from tenancy.models import AuditEvent

from .conftest import VALID_ID


@pytest.fixture
def profiled(bank):
    with bank.scope():
        return services.client_create(
            actor=bank.admin,
            name="Wang Lei",
            external_id="CB-1",
            branch=bank.branch,
            dedicated_manager=bank.rm,
            national_id=VALID_ID,
            phone="138 0013 8000",
            email="Wang@Example.com",
        )


def test_raw_national_id_column_does_not_contain_the_plaintext(bank, profiled):
    with bank.scope(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id, phone, email FROM clients_client WHERE id = %s", [profiled.pk]
        )
        raw = cursor.fetchone()
    assert (
        VALID_ID not in raw[0] and "13800138000" not in raw[1] and "example" not in raw[2].lower()
    )


@pytest.mark.parametrize("term", [VALID_ID, VALID_ID.lower(), "138-0013-8000", "wang@example.com"])
def test_exact_search_by_id_number_phone_or_email_finds_the_client(bank, profiled, web_for, term):
    response = web_for(bank.admin).get(reverse("clients:list"), {"q": term})
    assert [row.id for row in response.context["page"]] == [profiled.pk]


def test_partial_id_number_finds_nothing(bank, profiled, api_for):
    response = api_for(bank.admin).get("/api/v1/clients/", {"search": VALID_ID[:10]})
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "role,plain_contact",
    [
        ("rm", True),
        ("admin", False),
        ("branch_head", False),
        ("compliance", False),
        ("risk_officer", False),
    ],
)
def test_masking_per_role_in_the_api(bank, profiled, api_for, role, plain_contact):
    data = api_for(bank.users()[role]).get(f"/api/v1/clients/{profiled.pk}/").json()
    assert data["national_id"] == "110***********002X"
    assert (data["phone"] == "13800138000") is plain_contact
    assert (data["email"] == "wang@example.com") is plain_contact


def test_detail_page_shows_the_id_number_masked_even_to_the_manager(bank, profiled, web_for):
    html = web_for(bank.rm).get(reverse("clients:detail", args=[profiled.pk])).content.decode()
    assert "110***********002X" in html and VALID_ID not in html
    assert "13800138000" in html


def test_detail_page_masks_phone_for_a_branch_head(bank, profiled, web_for):
    html = (
        web_for(bank.branch_head)
        .get(reverse("clients:detail", args=[profiled.pk]))
        .content.decode()
    )
    assert "13800138000" not in html and "wang@example.com" not in html


@pytest.mark.parametrize("role", ["rm", "compliance"])
def test_reveal_returns_plain_values_and_is_audited(bank, profiled, api_for, role):
    response = api_for(bank.users()[role]).post(f"/api/v1/clients/{profiled.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {
        "national_id": VALID_ID,
        "phone": "13800138000",
        "email": "wang@example.com",
    }
    with bank.scope():
        event = AuditEvent.objects.get(action="client.pii_revealed")
    assert event.actor == bank.users()[role] and event.object_id == str(profiled.pk)
    assert VALID_ID not in str(event.data)


@pytest.mark.parametrize("role", ["admin", "branch_head", "risk_officer"])
def test_reveal_is_refused_for_non_managers_who_can_see_the_client(bank, profiled, api_for, role):
    response = api_for(bank.users()[role]).post(f"/api/v1/clients/{profiled.pk}/reveal/")
    assert response.status_code == 403
    with bank.scope():
        assert not AuditEvent.objects.filter(action="client.pii_revealed").exists()


def test_reveal_is_404_for_an_rm_who_cannot_see_the_client(bank, profiled, api_for, sibling_rm):
    assert api_for(sibling_rm).post(f"/api/v1/clients/{profiled.pk}/reveal/").status_code == 404


def test_reveal_button_swaps_in_the_plain_values(bank, profiled, web_for):
    response = web_for(bank.rm).post(
        reverse("clients:reveal", args=[profiled.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert VALID_ID in response.content.decode()
    with bank.scope():
        assert AuditEvent.objects.filter(action="client.pii_revealed", actor=bank.rm).count() == 1


def test_audit_of_a_profile_change_carries_no_plaintext(bank, profiled):
    with bank.scope():
        services.client_update(
            actor=bank.rm, client=profiled, phone="13900139000", lifecycle="dormant"
        )
        event = AuditEvent.objects.filter(action="client.updated").latest("seq")
    assert event.data["phone"] == "changed" and "13900139000" not in str(event.data)
    assert event.data["lifecycle"] == {"from": "active", "to": "dormant"}


@pytest.mark.parametrize("bad", ["110105194912310021", "12345", "11010519491331002X"])
def test_an_invalid_national_id_for_an_individual_is_a_400(bank, api_for, bad):
    response = api_for(bank.admin).post(
        "/api/v1/clients/",
        {"name": "X", "external_id": "CB-9", "branch": bank.branch.pk, "national_id": bad},
        format="json",
    )
    assert response.status_code == 400 and "national_id" in response.json()


def test_an_invalid_email_is_a_400(bank, api_for):
    response = api_for(bank.admin).post(
        "/api/v1/clients/",
        {"name": "X", "external_id": "CB-9", "branch": bank.branch.pk, "email": "not-an-email"},
        format="json",
    )
    assert response.status_code == 400 and "email" in response.json()


def test_duplicate_external_id_is_a_400(bank, profiled, api_for):
    response = api_for(bank.admin).post(
        "/api/v1/clients/",
        {"name": "X", "external_id": "CB-1", "branch": bank.branch.pk},
        format="json",
    )
    assert response.status_code == 400 and "external_id" in response.json()


def test_api_create_sets_blind_indexes_and_read_only_fields_are_ignored(bank, api_for):
    response = api_for(bank.admin).post(
        "/api/v1/clients/",
        {
            "name": "Li Na",
            "external_id": "CB-2",
            "branch": bank.branch.pk,
            "dedicated_manager": bank.rm.pk,
            "national_id": VALID_ID,
            "tier": "platinum",
            "aum": "999",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (
        data["tier"] == "standard"
        and data["aum"] == "0.00"
        and data["national_id"] == "110***********002X"
    )
    found = api_for(bank.admin).get("/api/v1/clients/", {"search": VALID_ID}).json()["results"]
    assert [c["id"] for c in found] == [data["id"]]


def test_rm_creates_clients_for_themselves(bank, api_for):
    response = api_for(bank.rm).post(
        "/api/v1/clients/",
        {
            "name": "Prospect",
            "external_id": "CB-3",
            "branch": bank.branch.pk,
            "lifecycle": "prospect",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["dedicated_manager"] == bank.rm.pk


def test_rm_may_edit_the_profile_of_a_managed_client_but_not_reassign_it(bank, profiled, api_for):
    api = api_for(bank.rm)
    ok = api.patch(f"/api/v1/clients/{profiled.pk}/", {"risk_tolerance": "growth"}, format="json")
    assert ok.status_code == 200 and ok.json()["risk_tolerance"] == "growth"
    refused = api.patch(
        f"/api/v1/clients/{profiled.pk}/", {"dedicated_manager": bank.other_rm.pk}, format="json"
    )
    assert refused.status_code == 400


def test_shared_rm_may_read_but_not_edit(bank, book, api_for):
    response = api_for(bank.rm).patch(
        f"/api/v1/clients/{book.shared.pk}/", {"name": "x"}, format="json"
    )
    assert response.status_code == 403


def test_risk_officer_may_not_create_clients(bank, api_for):
    response = api_for(bank.risk_officer).post(
        "/api/v1/clients/",
        {"name": "X", "external_id": "CB-4", "branch": bank.branch.pk},
        format="json",
    )
    assert response.status_code == 403


def test_branch_head_may_not_create_a_client_outside_their_subtree(bank):
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.client_create(
            actor=bank.branch_head, name="X", external_id="CB-5", branch=bank.sibling_branch
        )
    assert "branch" in exc.value.message_dict


def test_contact_hours_must_end_after_they_start(bank, profiled):
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.client_update(
            actor=bank.admin,
            client=profiled,
            contact_time_from=dt.time(18),
            contact_time_to=dt.time(9),
        )
    assert "contact_time_to" in exc.value.message_dict


def test_contact_persons_are_only_for_corporate_clients(bank, profiled):
    with bank.scope(), pytest.raises(ValidationError):
        services.contact_person_create(actor=bank.rm, client=profiled, name="Assistant")


def test_contact_person_crud_through_the_api_masks_for_non_managers(bank, api_for):
    with bank.scope():
        corp = services.client_create(
            actor=bank.admin,
            name="ACME",
            external_id="CB-C",
            kind="corporate",
            branch=bank.branch,
            dedicated_manager=bank.rm,
        )
    api = api_for(bank.rm)
    created = api.post(
        "/api/v1/contact-persons/",
        {
            "client": corp.pk,
            "name": "Zhao CFO",
            "title": "CFO",
            "is_decision_maker": True,
            "phone": "13700137000",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    cid = created.json()["id"]
    assert (
        api.patch(f"/api/v1/contact-persons/{cid}/", {"title": "CEO"}, format="json").json()[
            "title"
        ]
        == "CEO"
    )
    seen_by_head = api_for(bank.branch_head).get(f"/api/v1/contact-persons/{cid}/").json()
    assert seen_by_head["phone"] != "13700137000"
    assert api.delete(f"/api/v1/contact-persons/{cid}/").status_code == 204


def test_life_events_are_added_from_the_360_page(bank, profiled, web_for):
    response = web_for(bank.rm).post(
        reverse("clients:life_event_add", args=[profiled.pk]),
        {"kind": "retirement", "date": "2030-06-30", "note": "plans to retire"},
    )
    assert response.status_code == 302
    with bank.scope():
        assert LifeEvent.objects.get(client=profiled).kind == "retirement"


def test_client_create_page_creates_a_client(bank, web_for):
    response = web_for(bank.admin).post(
        reverse("clients:create"),
        {
            "kind": "individual",
            "name": "Chen Jing",
            "external_id": "CB-P",
            "branch": bank.branch.pk,
            "dedicated_manager": bank.rm.pk,
            "national_id": VALID_ID,
            "lifecycle": "active",
            "risk_tolerance": "balanced",
            "preferred_channel": "phone",
            "language": "zh-hans",
            "kyc_status": "pending",
            "consent": ["phone"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    with bank.scope():
        client = Client.objects.get(external_id="CB-P")
    assert client.marketing_consent["phone"] is True and client.marketing_consent["email"] is False


def test_edit_page_keeps_personal_data_left_blank(bank, profiled, web_for):
    response = web_for(bank.branch_head).post(
        reverse("clients:edit", args=[profiled.pk]),
        {
            "kind": "individual",
            "name": "Wang Lei",
            "external_id": "CB-1",
            "branch": bank.branch.pk,
            "lifecycle": "dormant",
            "risk_tolerance": "balanced",
            "preferred_channel": "phone",
            "language": "zh-hans",
            "kyc_status": "pending",
        },
    )
    assert response.status_code == 302
    with bank.scope():
        client = Client.objects.get(pk=profiled.pk)
    assert client.lifecycle == "dormant" and client.national_id == VALID_ID


def test_rm_cannot_edit_an_unmanaged_client_page(bank, book, web_for):
    assert web_for(bank.rm).get(reverse("clients:edit", args=[book.shared.pk])).status_code == 403


def test_national_id_problem_accepts_a_unified_social_credit_code_for_corporates():
    assert services.national_id_problem("91350100M000100Y43", "corporate") is None
    assert services.national_id_problem("91350100M000100Y43", "individual") is not None


def test_reveal_service_refuses_non_managers(bank, profiled):
    with bank.scope(), pytest.raises(PermissionDenied):
        services.client_reveal(actor=bank.admin, client=profiled)

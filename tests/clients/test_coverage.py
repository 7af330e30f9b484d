"""Assigning managers, the coverage team and bulk reassignment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clients import services
from clients.models import Client, CoverageChange
from tenancy.models import AuditEvent, Role
from tests.factories import ClientFactory, UserFactory


def test_assign_manager_api_sets_the_dedicated_manager_and_keeps_history(bank, client_of, api_for):
    response = api_for(bank.admin).post(
        f"/api/v1/clients/{client_of.pk}/assign-manager/",
        {"manager": bank.other_rm.pk, "role": "dedicated", "reason": "rm leaves"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["dedicated_manager"] == bank.other_rm.pk
    with bank.scope():
        change = CoverageChange.objects.get(client=client_of)
        assert (change.from_user, change.to_user, change.changed_by, change.reason) == (
            bank.rm,
            bank.other_rm,
            bank.admin,
            "rm leaves",
        )
        assert AuditEvent.objects.filter(
            action="client.coverage_changed", object_id=str(client_of.pk)
        ).exists()


def test_assigning_a_manager_of_another_tenant_is_a_400_naming_the_field(
    bank, other_bank, client_of, api_for
):
    response = api_for(bank.admin).post(
        f"/api/v1/clients/{client_of.pk}/assign-manager/",
        {"manager": other_bank.rm.pk, "role": "dedicated"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["manager"][0]
    assert "relationship manager of this bank" in message or "本行在职的客户经理" in message


def test_assigning_a_non_rm_is_a_400_naming_the_field(bank, client_of, api_for):
    response = api_for(bank.admin).post(
        f"/api/v1/clients/{client_of.pk}/assign-manager/",
        {"manager": bank.risk_officer.pk, "role": "backup"},
        format="json",
    )
    assert response.status_code == 400
    assert "manager" in response.json()


def test_assigning_an_inactive_rm_is_refused(bank, client_of):
    leaver = UserFactory(tenant=bank.tenant, role=Role.RM, branch=bank.branch, is_active=False)
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.client_assign_manager(actor=bank.admin, client=client_of, manager=leaver)
    assert "manager" in exc.value.message_dict


def test_rm_may_not_assign_managers(bank, client_of, api_for):
    response = api_for(bank.rm).post(
        f"/api/v1/clients/{client_of.pk}/assign-manager/",
        {"manager": bank.other_rm.pk},
        format="json",
    )
    assert response.status_code == 403


def test_branch_head_may_not_assign_an_rm_outside_their_subtree(bank, client_of):
    outsider = UserFactory(tenant=bank.tenant, role=Role.RM, branch=bank.sibling_branch)
    with bank.scope(), pytest.raises(ValidationError) as exc:
        services.client_assign_manager(actor=bank.branch_head, client=client_of, manager=outsider)
    assert "manager" in exc.value.message_dict


def test_branch_head_cannot_reach_a_client_outside_their_subtree(bank, api_for):
    with bank.scope():
        elsewhere = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    response = api_for(bank.branch_head).post(
        f"/api/v1/clients/{elsewhere.pk}/assign-manager/", {"manager": bank.rm.pk}, format="json"
    )
    assert response.status_code == 404


def test_promoting_the_backup_to_dedicated_clears_the_backup(bank, client_of):
    with bank.scope():
        services.client_assign_manager(
            actor=bank.admin, client=client_of, manager=bank.other_rm, role="backup"
        )
        client = services.client_assign_manager(
            actor=bank.admin, client=client_of, manager=bank.other_rm
        )
        assert (client.dedicated_manager, client.backup_manager) == (bank.other_rm, None)
        assert CoverageChange.objects.filter(client=client_of).count() == 3


def test_coverage_team_member_is_shared_in_through_guardian_with_the_tenant_set(
    bank, client_of, sibling_rm
):
    from clients.models import ClientUserObjectPermission

    with bank.scope():
        services.coverage_team_add(
            actor=bank.admin, client=client_of, user=sibling_rm, team_role="product_specialist"
        )
        share = ClientUserObjectPermission.objects.get(content_object=client_of, user=sibling_rm)
        assert share.tenant_id == bank.tenant.pk
        assert share.permission.codename == "view_client"


def _many(bank, n, manager):
    with bank.scope():
        return [
            ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=manager)
            for _ in range(n)
        ]


def test_bulk_preview_lists_every_change_and_writes_nothing(bank):
    clients = _many(bank, 3, bank.rm)
    with bank.scope():
        plan = services.bulk_reassign_plan(
            actor=bank.admin, to_manager=bank.other_rm, from_manager=bank.rm
        )
        assert sorted(c.client_id for c in plan.changes) == sorted(c.pk for c in clients)
        assert Client.objects.filter(dedicated_manager=bank.rm).count() == 3
        assert not CoverageChange.objects.exists()


def test_bulk_reassignment_of_a_departing_rm_moves_dedicated_and_backup_clients(bank):
    dedicated = _many(bank, 2, bank.rm)
    with bank.scope():
        backup = ClientFactory(
            tenant=bank.tenant,
            branch=bank.branch,
            dedicated_manager=bank.other_rm,
            backup_manager=bank.rm,
        )
        newcomer = UserFactory(tenant=bank.tenant, role=Role.RM, branch=bank.branch)
        services.bulk_reassign_confirm(
            actor=bank.admin, to_manager=newcomer, from_manager=bank.rm, reason="retirement"
        )
        assert set(Client.objects.filter(dedicated_manager=newcomer)) == set(dedicated)
        assert Client.objects.get(pk=backup.pk).backup_manager == newcomer
        assert not Client.objects.filter(dedicated_manager=bank.rm).exists()


def test_bulk_reassignment_with_a_bad_id_changes_nothing(bank, other_bank):
    clients = _many(bank, 3, bank.rm)
    foreign = ClientFactory(tenant=other_bank.tenant, branch=other_bank.branch)
    ids = [c.pk for c in clients] + [foreign.pk]
    with bank.scope():
        with pytest.raises(ValidationError) as exc:
            services.bulk_reassign_confirm(
                actor=bank.admin, to_manager=bank.other_rm, client_ids=ids, reason="rebalance"
            )
        assert str(foreign.pk) in exc.value.message_dict["client_ids"][0]
        assert Client.objects.filter(dedicated_manager=bank.rm).count() == 3
        assert not CoverageChange.objects.exists()
        assert not AuditEvent.objects.filter(action="client.bulk_reassigned").exists()


def test_bulk_reassignment_is_atomic_when_a_write_fails_midway(bank, monkeypatch):
    clients = _many(bank, 3, bank.rm)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("clients.services.reassignment.audit_record", boom)
    with bank.scope():
        with pytest.raises(RuntimeError):
            services.bulk_reassign_confirm(
                actor=bank.admin,
                to_manager=bank.other_rm,
                client_ids=[c.pk for c in clients],
                reason="rebalance",
            )
        assert Client.objects.filter(dedicated_manager=bank.rm).count() == 3
        assert not CoverageChange.objects.exists()


def test_bulk_reassignment_is_audited_with_its_clients(bank):
    clients = _many(bank, 2, bank.rm)
    with bank.scope():
        services.bulk_reassign_confirm(
            actor=bank.admin,
            to_manager=bank.other_rm,
            client_ids=[c.pk for c in clients],
            reason="rebalance",
        )
        event = AuditEvent.objects.get(action="client.bulk_reassigned")
        assert event.data["clients"] == sorted(c.pk for c in clients)
        assert event.data["reason"] == "rebalance"
        assert CoverageChange.objects.filter(batch=event.data["batch"]).count() == 2


def test_bulk_confirm_with_a_stale_preview_is_a_409(bank, api_for):
    clients = _many(bank, 2, bank.rm)
    api = api_for(bank.admin)
    body = {"to_manager": bank.other_rm.pk, "client_ids": [c.pk for c in clients], "reason": "x"}
    preview = api.post("/api/v1/clients/bulk-reassign/", body, format="json").json()
    assert preview["applied"] is False and len(preview["changes"]) == 2
    with bank.scope():
        services.client_assign_manager(actor=bank.admin, client=clients[0], manager=bank.other_rm)
    response = api.post(
        "/api/v1/clients/bulk-reassign/",
        {**body, "confirm": True, "token": preview["token"]},
        format="json",
    )
    assert response.status_code == 409
    with bank.scope():
        assert Client.objects.get(pk=clients[1].pk).dedicated_manager == bank.rm


def test_bulk_confirm_through_the_api_applies_the_preview(bank, api_for):
    clients = _many(bank, 2, bank.rm)
    api = api_for(bank.admin)
    body = {"to_manager": bank.other_rm.pk, "client_ids": [c.pk for c in clients], "reason": "x"}
    token = api.post("/api/v1/clients/bulk-reassign/", body, format="json").json()["token"]
    response = api.post(
        "/api/v1/clients/bulk-reassign/", {**body, "confirm": True, "token": token}, format="json"
    )
    assert response.status_code == 200 and response.json()["applied"] is True
    with bank.scope():
        assert Client.objects.filter(dedicated_manager=bank.other_rm).count() == 2


def test_rm_may_not_bulk_reassign(bank):
    with bank.scope(), pytest.raises(PermissionDenied):
        services.bulk_reassign_plan(actor=bank.rm, to_manager=bank.other_rm, from_manager=bank.rm)


def test_bulk_reassign_page_previews_then_confirms(bank, web_for):
    from django.urls import reverse

    clients = _many(bank, 2, bank.rm)
    web = web_for(bank.admin)
    form = {
        "from_manager": bank.rm.pk,
        "to_manager": bank.other_rm.pk,
        "role": "dedicated",
        "reason": "leaves",
    }
    preview = web.post(reverse("clients:bulk_reassign"), {**form, "preview": "1"})
    assert preview.status_code == 200
    assert len(preview.context["plan"].changes) == 2
    with bank.scope():
        assert Client.objects.filter(dedicated_manager=bank.rm).count() == 2
    done = web.post(
        reverse("clients:bulk_reassign"),
        {**form, "confirm": "1", "token": preview.context["token"]},
    )
    assert done.status_code == 302
    with bank.scope():
        assert set(Client.objects.filter(dedicated_manager=bank.other_rm)) == set(clients)


def test_assign_page_changes_the_dedicated_manager(bank, client_of, web_for):
    from django.urls import reverse

    response = web_for(bank.branch_head).post(
        reverse("clients:coverage", args=[client_of.pk]),
        {"manager": bank.other_rm.pk, "role": "dedicated", "reason": "x"},
    )
    assert response.status_code == 302
    with bank.scope():
        assert Client.objects.get(pk=client_of.pk).dedicated_manager == bank.other_rm


def test_coverage_page_shows_the_history_of_changes(bank, web_for):
    from django.urls import reverse

    with bank.scope():
        client = ClientFactory(tenant=bank.tenant, branch=bank.branch)
        services.client_assign_manager(
            actor=bank.admin, client=client, manager=bank.rm, reason="first RM"
        )
    response = web_for(bank.rm).get(reverse("clients:coverage", args=[client.pk]))
    assert response.status_code == 200
    assert "first RM" in response.content.decode() and response.context["assign_form"] is None

import pytest
from guardian.shortcuts import assign_perm

from clients import access
from clients.services.coverage import coverage_team_add
from tenancy.models import Role

from ..factories import ClientFactory, UserFactory


def test_sharing_inside_one_scope_is_seen_at_once(bank):
    client = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    with bank.scope():
        assert not access.visible_clients(bank.rm).filter(pk=client.pk).exists()
        coverage_team_add(
            actor=bank.admin, client=client, user=bank.rm, team_role="product_specialist"
        )
        assert access.visible_clients(bank.rm).filter(pk=client.pk).exists()


def test_many_shares_fall_back_to_a_subquery(bank, monkeypatch):
    monkeypatch.setattr(access, "SHARED_IDS_INLINE_LIMIT", 1)
    clients = [ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch) for _ in range(3)]
    with bank.scope():
        for c in clients:
            assign_perm("view_client", bank.other_rm, c)
        visible = set(access.visible_clients(bank.other_rm).values_list("pk", flat=True))
    assert visible == {c.pk for c in clients}


def test_unknown_role_sees_nothing(bank):
    ClientFactory(tenant=bank.tenant, branch=bank.branch)
    bank.rm.role = "janitor"
    with bank.scope():
        assert access.visible_clients(bank.rm).count() == 0


def test_user_of_another_tenant_sees_nothing_in_this_scope(bank, other_bank):
    ClientFactory(tenant=bank.tenant, branch=bank.branch)
    with bank.scope():
        assert access.visible_clients(other_bank.admin).count() == 0


def test_a_region_head_sees_the_whole_subtree_and_nothing_above_it(bank):
    region_head = UserFactory(
        username="a_region_head", tenant=bank.tenant, role=Role.BRANCH_HEAD, branch=bank.region
    )
    below = {
        ClientFactory(tenant=bank.tenant, branch=b).pk for b in (bank.branch, bank.sibling_branch)
    }
    ClientFactory(tenant=bank.tenant, branch=bank.head_office)
    with bank.scope():
        visible = set(access.visible_clients(region_head).values_list("pk", flat=True))
    assert visible == below


@pytest.mark.parametrize("role", ["rm", "branch_head", "admin"])
def test_deactivated_staff_see_nothing(bank, role):
    ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    user = bank.users()[role]
    with bank.scope():
        assert access.visible_clients(user).count() == 1
        user.is_active = False
        assert access.visible_clients(user).count() == 0

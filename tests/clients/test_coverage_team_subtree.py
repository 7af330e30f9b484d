"""Issue 8, finding 9: coverage-team sharing follows the assignment rule — a branch head
shares only clients of their subtree, only with staff of their subtree."""

from __future__ import annotations

import pytest

from clients.models import CoverageTeamMember
from tenancy.models import Role

from ..factories import ClientFactory, UserFactory


@pytest.fixture
def sibling_rm(bank):
    return UserFactory(
        username="a_rm_jingan", tenant=bank.tenant, role=Role.RM, branch=bank.sibling_branch
    )


def _share(api, client, user):
    return api.post(
        f"/api/v1/clients/{client.pk}/team/",
        {"user": user.pk, "team_role": "product_specialist"},
        format="json",
    )


def _members(bank, client) -> set[int]:
    with bank.scope():
        return set(CoverageTeamMember.objects.filter(client=client).values_list("user", flat=True))


def test_branch_head_cannot_share_with_staff_outside_the_subtree(
    bank, api_for, client_of, sibling_rm
):
    response = _share(api_for(bank.branch_head), client_of, sibling_rm)
    assert response.status_code == 400
    assert "user" in response.json()
    assert _members(bank, client_of) == set()


def test_branch_head_cannot_share_with_head_office_staff(bank, api_for, client_of):
    response = _share(api_for(bank.branch_head), client_of, bank.risk_officer)
    assert response.status_code == 400 and "user" in response.json()


def test_branch_head_shares_with_staff_of_the_subtree(bank, api_for, client_of):
    response = _share(api_for(bank.branch_head), client_of, bank.other_rm)
    assert response.status_code == 201, response.content
    assert _members(bank, client_of) == {bank.other_rm.pk}


def test_branch_head_cannot_share_a_client_outside_the_subtree(bank, api_for):
    with bank.scope():
        outside = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    response = _share(api_for(bank.branch_head), outside, bank.other_rm)
    assert response.status_code in (403, 404)
    assert _members(bank, outside) == set()


def test_admin_shares_with_anyone_of_the_bank(bank, api_for, client_of, sibling_rm):
    assert _share(api_for(bank.admin), client_of, sibling_rm).status_code == 201


def test_the_page_refuses_staff_outside_the_subtree(bank, web_for, client_of, sibling_rm):
    web = web_for(bank.branch_head)
    response = web.post(
        f"/clients/{client_of.pk}/coverage/team/",
        {"user": sibling_rm.pk, "team_role": "product_specialist"},
    )
    assert response.status_code == 302
    assert _members(bank, client_of) == set()
    page = web.get(f"/clients/{client_of.pk}/coverage/")
    assert sibling_rm.username not in page.content.decode()  # not offered either


def test_the_page_shares_with_staff_of_the_subtree(bank, web_for, client_of):
    web = web_for(bank.branch_head)
    web.post(
        f"/clients/{client_of.pk}/coverage/team/",
        {"user": bank.other_rm.pk, "team_role": "product_specialist"},
    )
    assert _members(bank, client_of) == {bank.other_rm.pk}


def test_the_team_is_a_plain_list_as_the_schema_says(bank, api_for, client_of):
    """GET answers a list (a team is a handful of people), POST the one new
    member with 201: the OpenAPI schema described a paginated page and a list."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    team = paths["/api/v1/clients/{id}/team/"]
    listed = team["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array"
    assert set(team["post"]["responses"]) == {"201"}
    api = api_for(bank.admin)
    assert _share(api, client_of, bank.other_rm).status_code == 201
    members = api.get(f"/api/v1/clients/{client_of.pk}/team/").json()
    assert isinstance(members, list) and [m["user"] for m in members] == [bank.other_rm.pk]

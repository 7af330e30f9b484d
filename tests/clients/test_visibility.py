"""The visibility matrix, on every way of reading clients: the list page,
search, the 360° page, the API list and detail."""

from __future__ import annotations

import pytest
from django.urls import reverse

ALL_OURS = {"dedicated", "backup", "shared", "branch_other", "sibling", "head_office"}
EXPECTED = {
    # RM: dedicated, backup, shared only
    "rm": {"dedicated", "backup", "shared"},
    # branch head of Pudong: the Pudong subtree (not Jing'an, not head office)
    "branch_head": {"dedicated", "backup", "branch_other"},
    "risk_officer": ALL_OURS,
    "compliance": ALL_OURS,
    "admin": ALL_OURS,
}


def _names(book, keys):
    return {getattr(book, k).name for k in keys}


@pytest.mark.parametrize("role", EXPECTED)
def test_list_page_shows_exactly_the_visible_clients(bank, book, web_for, role):
    response = web_for(bank.users()[role]).get(reverse("clients:list"))
    assert response.status_code == 200
    shown = {c.name for c in response.context["page"]}
    assert shown == _names(book, EXPECTED[role])


@pytest.mark.parametrize("role", EXPECTED)
def test_search_finds_only_visible_clients(bank, book, web_for, role):
    response = web_for(bank.users()[role]).get(reverse("clients:list"), {"q": "Ltd"})
    shown = {c.name for c in response.context["page"]}
    assert shown == _names(book, EXPECTED[role] & {"dedicated", "backup", "shared"})


@pytest.mark.parametrize("role", EXPECTED)
def test_detail_page_is_404_for_invisible_and_foreign_clients(bank, book, web_for, role):
    web = web_for(bank.users()[role])
    for key in [*sorted(ALL_OURS), "foreign"]:
        client = getattr(book, key)
        status = web.get(reverse("clients:detail", args=[client.pk])).status_code
        assert status == (200 if key in EXPECTED[role] else 404), key


@pytest.mark.parametrize("role", EXPECTED)
def test_api_list_returns_exactly_the_visible_clients(bank, book, api_for, role):
    response = api_for(bank.users()[role]).get("/api/v1/clients/")
    assert response.status_code == 200
    assert {c["name"] for c in response.json()["results"]} == _names(book, EXPECTED[role])


@pytest.mark.parametrize("role", EXPECTED)
def test_api_detail_is_404_for_invisible_and_foreign_clients(bank, book, api_for, role):
    api = api_for(bank.users()[role])
    for key in [*sorted(ALL_OURS), "foreign"]:
        status = api.get(f"/api/v1/clients/{getattr(book, key).pk}/").status_code
        assert status == (200 if key in EXPECTED[role] else 404), key


def test_api_search_finds_only_visible_clients(bank, book, api_for):
    response = api_for(bank.rm).get("/api/v1/clients/", {"search": "Other"})
    assert response.json()["results"] == []


def test_removing_a_coverage_team_member_takes_the_client_away(bank, book, api_for, sibling_rm):
    from clients.models import CoverageTeamMember

    admin_api = api_for(bank.admin)
    response = admin_api.post(
        f"/api/v1/clients/{book.sibling.pk}/team/",
        {"user": sibling_rm.pk, "team_role": "credit_officer"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api_for(sibling_rm).get(f"/api/v1/clients/{book.sibling.pk}/").status_code == 200
    with bank.scope():
        member = CoverageTeamMember.objects.get(client=book.sibling, user=sibling_rm)
    assert (
        admin_api.delete(f"/api/v1/clients/{book.sibling.pk}/team/{member.pk}/").status_code == 204
    )
    assert api_for(sibling_rm).get(f"/api/v1/clients/{book.sibling.pk}/").status_code == 404


@pytest.mark.parametrize("role", EXPECTED)
def test_client_rows_through_the_join_applies_the_same_rule(bank, book, role):
    """``client_rows(join=True)`` (the rule on each row's client, for the risk
    desk's short lists) keeps exactly the rows the semi-join keeps."""
    from clients.access import client_rows
    from clients.models import Holding
    from tests.clients.portfolio_helpers import make_holding

    for key in [*sorted(ALL_OURS), "foreign"]:
        make_holding(getattr(book, key))
    user = bank.users()[role]
    with bank.scope():
        semi = client_rows(Holding.objects.all(), user=user)
        joined = client_rows(Holding.objects.all(), user=user, join=True)
        names = {h.client.name for h in semi.select_related("client")}
        assert {h.client.name for h in joined.select_related("client")} == names
    assert names == _names(book, EXPECTED[role])

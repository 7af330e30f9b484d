"""The README's "who" column is what the views enforce: each page answers every
role it names and refuses (403) every other."""

from __future__ import annotations

import pytest

ALL = {"admin", "branch_head", "rm", "risk_officer", "compliance"}
# page → roles that may open it (README "What it does today")
WHO = {
    "/": ALL,
    "/follow-ups/": ALL,
    "/notifications/": ALL,
    "/manage/communications/": {"admin"},
    "/clients/": ALL,
    "/clients/groups/": ALL,
    "/clients/export/": ALL,
    "/clients/reassign/": {"admin", "branch_head"},
    "/clients/products/": {"admin"},
    "/clients/tiers/": {"admin"},
    "/clients/imports/": {"admin"},
    "/manage/": {"admin"},
    "/manage/staff/": {"admin"},
    "/manage/branches/": {"admin"},
    "/manage/audit/": {"admin", "compliance"},
    "/risk/": {"admin", "branch_head", "risk_officer", "compliance"},
    "/risk/approvals/": {"admin", "branch_head", "risk_officer", "compliance"},
    "/loyalty/events/": ALL,
    "/loyalty/events/new/": {"admin", "branch_head"},
    "/performance/": ALL,
    "/performance/export/": ALL,
    "/performance/settings/": {"admin"},
}


@pytest.mark.parametrize("path", sorted(WHO))
def test_readme_who_column_matches_the_views(bank, client, path):
    answers = {}
    for role, user in bank.users().items():
        client.force_login(user)
        response = client.get(path)
        # a landing page may send a role on to its own start page
        ok = response.status_code == 200 or (
            response.status_code == 302 and "/accounts/login/" not in response["Location"]
        )
        answers[role] = "ok" if ok else response.status_code
    expected = {role: ("ok" if role in WHO[path] else 403) for role in ALL}
    assert answers == expected


def test_the_readme_names_every_page_checked_here():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [path for path in WHO if path != "/" and f"`{path}" not in readme]
    assert missing == []

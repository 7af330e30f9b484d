"""Each role logs in, sees its navigation, and switches language."""

import pytest

from ..factories import PASSWORD
from .conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_NAV = {
    "admin": {"home", "tenancy:audit", "tenancy:manage"},
    "branch_head": {"home"},
    "rm": {"home"},
    "risk_officer": {"risk:desk", "clients:list"},
    "compliance": {"tenancy:audit", "clients:list"},
}
ADMIN_ONLY = {"tenancy:manage"}


def _nav(page) -> set[str]:
    return set(page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.dataset.nav)"))


LANDING = {"risk_officer": ("/risk/", "风控工作台"), "compliance": ("/manage/audit/", "审计日志")}


def test_each_role_sees_its_navigation_and_lands_on_its_page(page, live_server, bank):
    for role, user in bank.users().items():
        login(page, live_server, user.username, PASSWORD)
        path, heading = LANDING.get(role, ("/", "我的工作台"))
        assert page.url == f"{live_server.url}{path}", role
        nav = _nav(page)
        assert EXPECTED_NAV[role] <= nav, role
        if role != "admin":
            assert not (ADMIN_ONLY & nav), role
        assert page.locator("h1").inner_text() == heading, role
        logout(page)
        assert "/accounts/login/" in page.url


def test_switch_to_english_and_back_to_chinese(page, live_server, bank):
    login(page, live_server, bank.admin.username, PASSWORD)
    assert page.locator("h1").inner_text() == "我的工作台"
    page.click("button[data-lang=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My day"
    assert "Administration" in page.locator("nav.mainnav").inner_text()
    page.click("button[data-lang=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "我的工作台"
    assert "系统管理" in page.locator("nav.mainnav").inner_text()


def test_wrong_password_shows_an_error_in_the_page(page, live_server, bank):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", bank.rm.username)
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit].primary")
    assert page.locator(".errors").is_visible()
    assert "/accounts/login/" in page.url

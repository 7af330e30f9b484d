"""A staff member sets up an authenticator and logs in with a code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from ..factories import PASSWORD
from .conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_enrol_then_log_in_with_a_code(page, live_server, bank):
    login(page, live_server, bank.rm.username, PASSWORD)
    page.click("a.nav-security")
    page.wait_for_load_state()
    assert page.locator("#two-factor svg").count() == 1  # the QR code
    secret = page.locator("[data-testid=otp-secret]").inner_text().strip()
    page.fill("#id_code", _code(secret))
    page.click("form:has(input[value=confirm]) button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.goto(f"{live_server.url}/")
    logout(page)

    login(page, live_server, bank.rm.username, PASSWORD)
    assert page.url == f"{live_server.url}/accounts/login/code/"
    page.goto(f"{live_server.url}/clients/")  # nothing is reachable between the two steps
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/accounts/login/code/")
    page.fill("#id_code", _code(secret, steps_ahead=1))
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "我的工作台"

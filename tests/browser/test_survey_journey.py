"""An RM invites a client to the satisfaction survey from its 360° page; the
client answers as a detractor on the public page in a phone-sized browser
without logging in; the recovery appears on the RM's My day and the branch
head sees it in the loyalty page's queue."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, ClientFactory

from .conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rm_invites_the_client_answers_as_a_detractor_and_the_recovery_reaches_rm_and_head(
    bank, page, browser, live_server
):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        name="Jade River Holdings",
        language="zh-hans",
    )
    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.locator("[data-testid=survey-invite]").click()
    page.wait_for_load_state()
    link = re.search(r"https?://[^\s<\"]+/s/[0-9a-z.]+/", page.content()).group(0)

    phone = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        survey = phone.new_page()
        survey.goto(link)
        assert "推荐" in survey.locator("#question").inner_text()
        # the whole form fits the phone's width (no sideways scrolling)
        assert survey.evaluate("document.documentElement.scrollWidth") <= 375
        survey.locator("[data-testid=score-2] + span").tap()
        survey.fill("#comment", "等了一周没有回电。")
        with survey.expect_navigation():
            survey.locator("[data-testid=survey-submit]").tap()
        assert survey.locator("[data-testid=survey-thanks]").count() == 1, survey.content()
        again = survey.goto(link)
        assert again.status == 410
    finally:
        phone.close()

    page.goto(f"{live_server.url}/")
    assert "Jade River Holdings" in page.locator("[data-testid=my-day-recoveries]").inner_text()
    logout(page)

    login(page, live_server, bank.branch_head.username, PASSWORD)
    page.goto(f"{live_server.url}/loyalty/")
    assert "Jade River Holdings" in page.locator("[data-testid=recovery-queue]").inner_text()
    assert "等了一周没有回电。" in page.locator("[data-testid=verbatims]").inner_text()

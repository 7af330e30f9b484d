"""An admin assigns a dedicated manager through the page; that RM then finds
the client in their list and opens its 360° page."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, ClientFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_assigns_a_dedicated_manager_and_the_rm_then_sees_the_client(
    bank, browser, page, live_server
):
    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, name="Zhou Family Office")

    # the RM does not see the unassigned client yet
    rm_context = browser.new_context(locale="en-US")
    rm_page = rm_context.new_page()
    rm_page.set_default_timeout(10_000)
    login(rm_page, live_server, bank.rm.username, PASSWORD)
    rm_page.goto(f"{live_server.url}/clients/")
    assert rm_page.locator("#client-table").get_by_text("Zhou Family Office").count() == 0

    # the admin assigns the RM on the client's coverage page
    login(page, live_server, bank.admin.username, PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.click(f"a[href='/clients/{client.pk}/coverage/']")
    page.select_option("#id_manager", str(bank.rm.pk))
    page.select_option("#id_role", "dedicated")
    page.fill("#id_reason", "New key client")
    page.click("button[name=assign]")
    page.wait_for_url(f"{live_server.url}/clients/{client.pk}/coverage/")
    assert bank.rm.username in page.locator("#current-dedicated").inner_text() or (
        bank.rm.get_full_name()
        and bank.rm.get_full_name() in page.locator("#current-dedicated").inner_text()
    )

    # the RM now finds the client in their list and opens its 360° page
    rm_page.goto(f"{live_server.url}/clients/")
    rm_page.locator("#client-table").get_by_role("link", name="Zhou Family Office").click()
    rm_page.wait_for_url(f"{live_server.url}/clients/{client.pk}/")
    assert rm_page.locator("h1").inner_text().startswith("Zhou Family Office")
    assert rm_page.locator("#coverage").count() == 1
    rm_context.close()

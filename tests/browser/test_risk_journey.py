"""An RM drafts and submits a risk assessment from the client page; the branch
head approves it from the risk desk; the client page then shows the rating;
the night's scan raises an alert, which the risk officer sees on the desk and
resolves with a note."""

from __future__ import annotations

import pytest

from risk.scan import scan_tenant
from tenancy.context import tenant_scope
from tests.clients.portfolio_helpers import make_holding
from tests.factories import PASSWORD, ClientFactory

from .conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rm_drafts_and_submits_the_branch_head_approves_and_the_client_shows_the_rating(
    bank, page, live_server
):
    client = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, name="Huaxin Trading"
    )
    url = f"{live_server.url}/clients/{client.pk}/"

    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(url)
    page.locator("[data-testid=assessment-box] summary").click()
    page.fill("#risk_credit_score", "60")
    page.fill("#risk_market_score", "50")
    page.fill("#risk_operational_score", "40")  # 30 + 15 + 8 = 53 → B
    page.fill("#risk_rationale", "Leverage rose after the acquisition.")
    page.locator("[data-testid=assessment-form] button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=submit-assessment]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=open-assessments]").count() == 1  # submitted, not rated yet
    assert page.locator("[data-testid=current-rating] strong").count() == 0
    logout(page)

    login(page, live_server, bank.branch_head.username, PASSWORD)
    page.goto(f"{live_server.url}/risk/")
    queue = page.locator("[data-testid=approval-queue]")
    assert "Huaxin Trading" in queue.inner_text()
    queue.locator("button[data-testid^=approve-]").first.click()
    page.wait_for_load_state()
    assert "Huaxin Trading" not in page.locator("[data-testid=approval-queue]").inner_text()

    page.goto(url)
    assert page.locator("[data-testid=current-rating] strong").inner_text() == "B"

    logout(page)

    loan = make_holding(client, balance="800000", kind="loan")
    with tenant_scope(bank.tenant):
        loan.days_past_due = 120
        loan.save(update_fields=["days_past_due"])
        scan_tenant()  # what the nightly beat task runs
    login(page, live_server, bank.risk_officer.username, PASSWORD)
    page.goto(f"{live_server.url}/risk/")
    panel = page.locator("[data-testid=open-alerts]")
    assert "Huaxin Trading" in panel.inner_text()
    panel.locator("tr[data-kind=past_due] a").first.click()
    page.wait_for_load_state()
    page.select_option("#id_status", "resolved")
    page.fill("#id_note", "Restructured: the first instalment is paid.")
    page.locator("[data-testid=alert-save]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=alert-status]").inner_text() in ("Resolved", "已解决")
    page.goto(f"{live_server.url}/risk/")
    assert "Huaxin Trading" not in page.locator("[data-testid=open-alerts]").inner_text()

"""What a newcomer sees in the first hour: forms that read top to bottom,
the branch head's team at a glance, error pages inside the layout."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_form_checkbox_group_headings_are_above_their_boxes(page, live_server, bank):
    login(page, live_server, bank.admin.username, PASSWORD)
    page.goto(f"{live_server.url}/clients/new/")
    for name in ("consent", "investment_goals", "interests"):
        group = page.locator(f"fieldset[data-field={name}]")
        legend = group.locator("legend").bounding_box()
        boxes = [b.bounding_box() for b in group.locator("input[type=checkbox]").all()]
        assert boxes, name
        assert all(legend["y"] + legend["height"] <= box["y"] for box in boxes), name
    # the consent heading is above the consent boxes, not under the goals' boxes
    consent = page.locator("fieldset[data-field=consent] legend")
    assert consent.inner_text() == "营销联系授权"
    last_consent_box = page.locator("fieldset[data-field=consent] input").last.bounding_box()
    goals_heading = page.locator("fieldset[data-field=investment_goals] legend").bounding_box()
    assert last_consent_box["y"] < goals_heading["y"]
    page.screenshot(path="/tmp/steward-client-form.png", full_page=True)


def test_a_404_page_is_in_the_layout_and_translated(page, live_server, bank):
    login(page, live_server, bank.rm.username, PASSWORD)
    response = page.goto(f"{live_server.url}/clients/999999/")
    assert response.status == 404
    assert page.locator("header.topbar nav.mainnav").is_visible()  # the layout, with navigation
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "页面不存在"
    page.screenshot(path="/tmp/steward-404.png", full_page=True)
    page.click("[data-testid=error-home]")
    page.wait_for_url(f"{live_server.url}/")


def test_branch_head_my_day_shows_the_team_summary(page, live_server, bank):
    from datetime import timedelta

    from django.utils import timezone

    from tests.communications.factories import make_followup
    from tests.factories import ClientFactory

    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    make_followup(client, bank.rm, due_at=timezone.now() - timedelta(days=1))
    login(page, live_server, bank.branch_head.username, PASSWORD)
    assert page.url == f"{live_server.url}/"
    team = page.locator("[data-testid=my-day-team]")
    assert team.is_visible()
    assert "我的团队" in team.locator("h2").inner_text()
    row = team.locator(f"tr[data-rm='{bank.rm.pk}']")
    assert row.locator("[data-count=overdue]").inner_text() == "1"
    assert team.locator(f"tr[data-rm='{bank.other_rm.pk}']").is_visible()
    page.screenshot(path="/tmp/steward-team.png", full_page=True)
    row.locator("[data-count=overdue]").click()
    page.wait_for_load_state()
    assert "assignee=" in page.url
    assert page.locator("[data-testid=followup-list] li.fu-row").count() == 1


def test_compliance_lands_on_a_readable_audit_trail(page, live_server, bank):
    from tenancy.audit import audit_record
    from tests.factories import ClientFactory

    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, name="Zhou Family Office")
    with bank.scope():
        audit_record(
            action="client.updated",
            actor=bank.rm,
            target=client,
            data={"tier": {"from": "gold", "to": "platinum"}},
        )
    login(page, live_server, bank.compliance.username, PASSWORD)
    assert page.url == f"{live_server.url}/manage/audit/"
    table = page.locator("table.audit-table")
    assert "修改客户资料" in table.inner_text() and "auth.login" not in table.inner_text()
    assert "gold → platinum" in table.inner_text()
    page.screenshot(path="/tmp/steward-audit.png", full_page=True)
    table.get_by_role("link", name="Zhou Family Office").click()
    page.wait_for_url(f"{live_server.url}/clients/{client.pk}/")


def test_masked_identity_number_stays_on_one_line_in_english(browser, live_server, bank):
    from tests.factories import ClientFactory

    bank.rm.language = "en"
    bank.rm.save()
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        national_id="110101199003071234",
        phone="+86 138 0013 8000",
    )
    context = browser.new_context(locale="en-US", viewport={"width": 820, "height": 900})
    page = context.new_page()
    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    assert page.locator("h2").first.inner_text() == "Profile"
    page.screenshot(path="/tmp/steward-pii-en.png", full_page=True)
    for field in ("national_id", "phone"):
        cell = page.locator(f"#client-pii dd[data-field={field}]")
        # the number of line boxes its text occupies
        lines = cell.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
        )
        assert lines == 1, field
    page.screenshot(path="/tmp/steward-pii-en.png", full_page=True)
    context.close()


def test_my_day_counters_follow_done_without_a_reload(page, live_server, bank):
    from datetime import timedelta

    from django.utils import timezone

    from tests.communications.factories import make_followup
    from tests.factories import ClientFactory

    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    first = make_followup(client, bank.rm, due_at=timezone.now() - timedelta(days=1))
    make_followup(client, bank.rm, due_at=timezone.now() - timedelta(days=2))
    login(page, live_server, bank.rm.username, PASSWORD)
    counter = page.locator("#fu-count-overdue")
    assert counter.inner_text() == "2"
    page.evaluate("window.__sameDocument = true")
    page.locator(f"#followup-{first.pk} button[value=done]").click()
    page.wait_for_function("document.querySelector('#fu-count-overdue').textContent.trim() === '1'")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened

"""A branch head opens the KPI dashboard, sees the ranking and a chart, clicks
an RM's satisfaction score and lands on that RM's detractors."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.performance.helpers import answered, make_client, run

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_branch_head_clicks_an_rms_satisfaction_and_sees_the_detractors(bank, page, live_server):
    unhappy = make_client(bank, name="Jade River Holdings")
    happy = make_client(bank, name="Blue Lake Trading")
    answered(bank, unhappy, 2, comment="No call back for a week.")
    answered(bank, happy, 10)
    answered(bank, make_client(bank, manager=bank.other_rm), 9)
    run(bank)

    login(page, live_server, bank.branch_head.username, PASSWORD)
    page.goto(f"{live_server.url}/performance/")
    ranking = page.locator("[data-testid=kpi-ranking]")
    assert ranking.locator("[data-testid=kpi-row]").count() == 2
    assert page.locator("[data-testid=kpi-chart] svg rect").count() == 2
    assert page.locator("[data-testid=kpi-chart-data]").is_visible()
    row = ranking.locator(f"[data-testid=kpi-row][data-subject='{bank.rm.pk}']")
    with page.expect_navigation():
        row.locator("[data-testid=score-satisfaction]").click()
    assert "/performance/drill/detractors/" in page.url
    rows = page.locator("[data-testid=drill-row]")
    assert rows.count() == 1
    assert "Jade River Holdings" in rows.first.inner_text()
    assert "Blue Lake Trading" not in page.content()


def test_dashboard_draws_echarts_beside_the_data_tables(bank, page, live_server):
    """With scripts, the vendored ECharts draws the ranking and the trend on a
    canvas (the SVG fallback hidden); the data tables stay beside them."""
    answered(bank, make_client(bank, name="Jade River Holdings"), 2)
    answered(bank, make_client(bank, manager=bank.other_rm), 9)
    run(bank)

    login(page, live_server, bank.branch_head.username, PASSWORD)
    page.goto(f"{live_server.url}/performance/")
    for testid in ("kpi-echart-ranking", "kpi-echart-trend"):
        chart = page.locator(f"[data-testid={testid}]")
        chart.locator("canvas").first.wait_for(state="attached")
        assert chart.is_visible()
        assert page.evaluate(
            "(id) => !!window.echarts.getInstanceByDom(document.querySelector(`[data-testid=${id}]`))",
            testid,
        )
    ranking = page.evaluate(
        "() => window.echarts.getInstanceByDom("
        "document.querySelector('[data-testid=kpi-echart-ranking]')).getOption().series[0].data"
    )
    assert len(ranking) == 2
    assert not page.locator("[data-testid=kpi-chart] svg[data-echart-fallback]").is_visible()
    assert page.locator("[data-testid=kpi-chart-data]").is_visible()
    assert page.locator("[data-testid=kpi-trend-table]").count() == 1


def test_head_sets_an_action_the_rm_marks_it_done(bank, page, live_server):
    """From the ranking, the branch head opens an RM's scorecard, sets an
    action linked to one of the RM's follow-ups; the RM sees it on their own
    scorecard and marks it done."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.browser.conftest import logout
    from tests.communications.factories import make_followup

    client = make_client(bank, name="Jade River Holdings")
    answered(bank, client, 2)
    follow_up = make_followup(client, bank.rm, note="Call back about the complaint")
    run(bank)

    login(page, live_server, bank.branch_head.username, PASSWORD)
    page.goto(f"{live_server.url}/performance/")
    row = page.locator(f"[data-testid=kpi-row][data-subject='{bank.rm.pk}']")
    with page.expect_navigation():
        row.locator("[data-testid=rm-scorecard-link]").click()
    form = page.locator("[data-testid=action-form]")
    form.locator("#action-goal").fill("Call every detractor back")
    form.locator("#action-dimension").select_option("satisfaction")
    form.locator("#action-due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.locator(f"input[name=follow_ups][value='{follow_up.pk}']").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    current = page.locator("[data-testid=action-current]")
    assert current.count() == 1 and "Call every detractor back" in current.inner_text()
    assert "Jade River Holdings" in current.inner_text()
    logout(page)

    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(f"{live_server.url}/performance/")
    mine = page.locator("[data-testid=action-current]")
    assert "Call every detractor back" in mine.inner_text()
    assert mine.locator("button[value=dropped]").count() == 0  # an RM only marks done
    with page.expect_navigation():
        mine.locator("button[value=done]").click()
    status = page.locator("[data-testid=action-current] [data-testid=action-status]")
    assert "完成" in status.inner_text()
    assert page.locator("[data-testid=action-current] button").count() == 0
    from performance.models import ImprovementAction

    with bank.scope():
        assert ImprovementAction.objects.get().status == "done"

"""An RM logs a meeting with a next step from the client page; it shows in the
timeline; the follow-up shows on My day; when it falls due, the reminder
arrives exactly once."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communications import tasks
from communications.models import FollowUp, Notification
from tenancy.context import tenant_scope

from ..factories import PASSWORD, ClientFactory
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _resolves(name: str) -> bool:
    try:
        reverse(name, kwargs={"client_id": 1})
    except NoReverseMatch:
        return False
    return True


CLIENT_PAGES = [
    pytest.param(
        "clients:detail",
        marks=pytest.mark.skipif(
            not _resolves("clients:detail"),
            reason="the client 360° page (clients:detail) is not merged yet",
        ),
    ),
    # the same registered section, on communications' own page for the client
    pytest.param("communications:client_log"),
]


@pytest.mark.parametrize("client_page", CLIENT_PAGES)
def test_rm_logs_a_meeting_with_a_next_step_and_gets_one_reminder(
    page, live_server, bank, client_page
):
    bank.rm.email = "rm@a-bank.example"
    bank.rm.save()
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        tier="gold",
        name="华夏精密制造",
    )
    tz = zoneinfo.ZoneInfo(bank.tenant.timezone)
    due_local = (timezone.now() + timedelta(hours=3)).astimezone(tz)

    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(live_server.url + reverse(client_page, kwargs={"client_id": client.pk}))
    page.evaluate("window.__noReload = true")
    form = page.locator("[data-testid=log-form]")
    form.locator("select[name=kind]").select_option("meeting")
    # planning: the client has no consent for in-person marketing contact → a warning
    page.locator("#log-warnings .warning").wait_for()
    form.locator("input[name=subject]").fill("季度资产检视")
    form.locator("textarea[name=summary]").fill("讨论了债券配置")
    form.locator("input[name=next-0-note]").fill("发送基金说明书")
    form.locator("input[name=next-0-due_at]").fill(due_local.strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()

    timeline = page.locator("[data-testid=timeline]")
    timeline.get_by_text("季度资产检视").wait_for()
    assert page.evaluate("window.__noReload === true")  # swapped in place by htmx
    assert "发送基金说明书" in timeline.inner_text()

    page.goto(live_server.url + "/")
    assert "发送基金说明书" in page.locator("[data-testid=my-day-followups]").inner_text()

    # the clock moves: the follow-up falls due
    with tenant_scope(bank.tenant):
        follow_up = FollowUp.objects.get(note="发送基金说明书")
        FollowUp.objects.filter(pk=follow_up.pk).update(
            due_at=timezone.now() - timedelta(minutes=1)
        )
    tasks.followup_reminders_sweep()
    tasks.followup_reminders_sweep()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rm@a-bank.example"]
    with tenant_scope(bank.tenant):
        assert Notification.objects.filter(follow_up=follow_up).count() == 1

    page.goto(live_server.url + "/")
    page.locator("[data-testid=unread-count]").wait_for()
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    page.goto(live_server.url + reverse("communications:notifications"))
    assert page.locator("[data-testid=notifications] li").count() == 1
    assert "华夏精密制造" in page.locator("[data-testid=notifications]").inner_text()

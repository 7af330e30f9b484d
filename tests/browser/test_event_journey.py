"""An RM invites a client to a client-care event from the event page; the
client says yes on the public RSVP page in a phone-sized browser without
logging in; at the event the RM checks the client in on a phone; the
attendance reaches the client's timeline and the thank-you My day."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from loyalty.events import services
from loyalty.models import Event
from tenancy.context import tenant_scope
from tests.factories import PASSWORD, ClientFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


def test_rm_invites_the_client_says_yes_on_a_phone_and_the_rm_checks_in(
    bank, page, browser, live_server
):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        name="Jade River Holdings",
        language="zh-hans",
        lifecycle="active",
        interests=["esg"],
        marketing_consent={},
    )
    with tenant_scope(bank.tenant):
        event = services.event_create(
            user=bank.admin,
            title="Green finance lecture",
            title_zh="绿色金融讲座",
            kind="lecture",
            starts_at=timezone.now() + timedelta(days=3),
            location="陆家嘴 20F",
            capacity=10,
            target_interests=["esg"],
        )
    login(page, live_server, bank.rm.username, PASSWORD)
    page.goto(f"{live_server.url}/")
    page.locator("[data-testid=my-day-events-link]").click()
    page.locator(f"a[href='/loyalty/events/{event.pk}/']").click()
    page.locator(f"[data-suggested='{client.pk}'] input[type=checkbox]").check()
    with page.expect_navigation():
        page.locator("[data-testid=invite-submit]").click()
    link = re.search(r"https?://[^\s<\"]+/e/[0-9a-z.]+/", page.content()).group(0)

    phone = browser.new_context(locale="zh-CN", **PHONE)
    try:
        rsvp = phone.new_page()
        rsvp.goto(link)
        assert "绿色金融讲座" in rsvp.locator("[data-testid=event-title]").inner_text()
        assert "Jade River" not in rsvp.content()
        assert rsvp.evaluate("document.documentElement.scrollWidth") <= 375
        with rsvp.expect_navigation():
            rsvp.locator("[data-testid=rsvp-yes]").tap()
        assert rsvp.locator("[data-testid=rsvp-outcome]").count() == 1, rsvp.content()
    finally:
        phone.close()

    with tenant_scope(bank.tenant):  # the evening of the event
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    door = browser.new_context(**PHONE)
    try:
        rm_phone = door.new_page()
        login(rm_phone, live_server, bank.rm.username, PASSWORD)
        rm_phone.goto(f"{live_server.url}/loyalty/events/{event.pk}/check-in/")
        assert rm_phone.evaluate("document.documentElement.scrollWidth") <= 400
        with rm_phone.expect_navigation():
            rm_phone.locator("[data-testid=check-in]").tap()
        assert rm_phone.locator("[data-testid=checked-in]").count() == 1, rm_phone.content()
    finally:
        door.close()

    page.goto(f"{live_server.url}/clients/{client.pk}/")
    assert page.locator("[data-testid=timeline-event]").count() == 1
    page.goto(f"{live_server.url}/")
    assert "Jade River Holdings" in page.locator("[data-testid=my-day-recoveries]").inner_text()

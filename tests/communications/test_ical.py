from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communications.services import calendar_token_rotate
from tests.communications.factories import make_followup
from tests.factories import ClientFactory


def _feed(client, token):
    return client.get(reverse("communications:calendar_feed", kwargs={"token": token}))


def test_feed_parses_and_holds_exactly_the_rms_open_follow_ups(bank, key_client, client):
    mine = {
        make_followup(key_client, bank.rm, note="A").pk,
        make_followup(key_client, bank.rm, note="B").pk,
    }
    make_followup(key_client, bank.rm, note="done", status="done")
    make_followup(key_client, bank.branch_head, note="someone else's")
    other = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.other_rm)
    make_followup(other, bank.other_rm, note="other RM")
    with bank.scope():
        token = calendar_token_rotate(user=bank.rm)
    r = _feed(client, token)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = cal.walk("VEVENT")
    uids = {int(str(e["UID"]).split("@")[0].rsplit("-", 1)[1]) for e in events}
    assert uids == mine
    assert all(e.decoded("DTSTART") > timezone.now() for e in events)


def test_wrong_token_is_404(db, client):
    assert _feed(client, "not-a-token").status_code == 404


def test_rotating_the_token_retires_the_old_one(bank, client):
    with bank.scope():
        old = calendar_token_rotate(user=bank.rm)
        new = calendar_token_rotate(user=bank.rm)
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200


def test_rotate_from_the_follow_ups_page_shows_the_address_once(bank, web_for):
    web = web_for(bank.rm)
    r = web.post(reverse("communications:calendar_rotate"))
    assert r.status_code == 302
    page = web.get(reverse("communications:followups")).content.decode()
    assert "/calendar/" in page and ".ics" in page
    assert ".ics" not in web.get(reverse("communications:followups")).content.decode()


def test_signed_in_user_of_another_bank_gets_404_for_a_feed(bank, other_bank, web_for):
    with other_bank.scope():
        token = calendar_token_rotate(user=other_bank.rm)
    assert _feed(web_for(bank.admin), token).status_code == 404


def test_due_times_in_the_feed_are_the_stored_instants(bank, key_client, client):
    due = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    make_followup(key_client, bank.rm, due_at=due)
    with bank.scope():
        token = calendar_token_rotate(user=bank.rm)
    event = Calendar.from_ical(_feed(client, token).content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == due

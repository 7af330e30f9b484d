"""The timeline's interaction and follow-up entries are written in Python
(``communications.timeline``), the other sources' by their templates
(``{% timeline_entries %}``): what a reader sees must be what the templates
showed — every value escaped, times in the reader's zone, words in their
language, a hidden note never written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from clients.timeline import TimelineEntry
from communications.timeline import followup_html, interaction_html
from tests.communications.factories import make_followup, make_interaction

HTMX = {"HTTP_HX_REQUEST": "true"}
EVIL = "<script>alert(\"x\")</script> & 'q'"


def test_an_interaction_entry_escapes_and_localises(bank, key_client):
    at = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    i = make_interaction(
        key_client,
        bank.rm,
        occurred_at=at,
        subject=EVIL,
        summary=EVIL + "x" * 300,
        outcome=EVIL,
        duration_minutes=45,
        confidential=True,
    )
    with translation.override("zh-hans"), timezone.override(ZoneInfo("Asia/Shanghai")):
        out = interaction_html(i)
    assert "<script>" not in out and out.count("&lt;script&gt;") == 3
    assert "&amp; &#x27;q&#x27;" in out
    assert '<span class="tl-when">2026-03-01 10:30</span>' in out  # UTC+8
    assert "45 分钟" in out and "保密" in out
    assert f'href="{reverse("communications:interaction_detail", args=[i.pk])}"' in out
    assert "x" * 200 in out and "x" * 300 not in out  # summary cut at 240 characters
    with translation.override("en"), timezone.override(ZoneInfo("America/New_York")):
        out = interaction_html(i)
    assert '<span class="tl-when">2026-02-28 21:30</span>' in out and "45 min" in out


def test_a_follow_up_entry_never_writes_a_hidden_note(bank, key_client):
    f = make_followup(key_client, bank.rm, note=EVIL, due_at=timezone.now() - timedelta(days=1))
    f.note_hidden = False
    out = followup_html(f)
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert 'class="badge danger"' in out  # overdue
    f.note_hidden, f.note = True, "the secret"
    with translation.override("zh-hans"):
        out = followup_html(f)
    assert "the secret" not in out and "保密跟进事项" in out


def test_other_sources_entries_are_their_included_templates(bank, key_client):
    """A source without ``write`` (loyalty's) is shown by its template, in the
    same timezone block; mixed with written entries in the page's order."""
    event = SimpleNamespace(title=EVIL, location="上海")
    attended = SimpleNamespace(
        attended_at=datetime(2026, 3, 1, 2, 30, tzinfo=UTC), event_id=7, event=event
    )
    i = make_interaction(key_client, bank.rm, subject="Portfolio review")
    entries = [
        TimelineEntry(i.occurred_at, "interaction", i.pk, "", i, write=interaction_html),
        TimelineEntry(
            attended.attended_at, "event", 7, "loyalty/events/_timeline_event.html", attended
        ),
    ]
    tpl = engines["django"].from_string(
        '{% load tz timeline %}{% timezone "Asia/Shanghai" %}'
        "{% timeline_entries entries %}{% endtimezone %}"
    )
    out = tpl.render({"entries": entries})
    assert out.index("Portfolio review") < out.index("tl-event")
    assert "2026-03-01 10:30" in out and "&lt;script&gt;" in out and "<script>" not in out


def test_the_timeline_page_shows_written_entries_and_says_when_there_are_none(
    bank, key_client, web_for
):
    web = web_for(bank.rm)
    url = reverse("communications:client_timeline", args=[key_client.pk])
    assert "tl-entry" not in web.get(url, **HTMX).content.decode()
    make_interaction(key_client, bank.rm, subject=EVIL)
    make_followup(key_client, bank.rm, note="Send the product sheet")
    page = web.get(url, **HTMX).content.decode()
    assert page.count('class="tl-entry') == 2 and "&lt;script&gt;" in page
    assert "Send the product sheet" in page

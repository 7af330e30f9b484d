"""The client timeline lives in ``clients.timeline`` (so loyalty, which may
not import communications, can register its own source); communications
keeps importing it from here, and writes its two kinds of entries here.

``interaction_html`` and ``followup_html`` write an entry in Python (a page
holds up to 20; as included templates they were ~8 ms of the 360° page):
every value goes through ``html.escape`` — what the templates' autoescape did
— dates in the active time zone (the section's ``{% timezone %}``), words in
the active language. A confidential report's follow-up arrives with its note
already blanked (``selectors.followup_list``)."""

from __future__ import annotations

import html

from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from clients.timeline import (
    TIMELINE_SOURCES,
    Cursor,
    TimelineEntry,
    TimelineSource,
    register_timeline_source,
    timeline_page,
)
from tenancy.templatetags.steward import id_url

__all__ = [
    "TIMELINE_SOURCES",
    "Cursor",
    "TimelineEntry",
    "TimelineSource",
    "followup_html",
    "interaction_html",
    "register_timeline_source",
    "timeline_page",
]

esc = html.escape


def local_minute(value) -> str:
    """``value`` as "Y-m-d H:i" in the active time zone ("" for none)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def person_html(user) -> str:
    """A colleague's name (or username), escaped."""
    return esc(user.get_full_name() or user.username)


def interaction_html(i) -> str:
    confidential = (
        f' <span class="badge danger">{esc(_("Confidential"))}</span>' if i.confidential else ""
    )
    minutes = ""
    if i.duration_minutes:
        minutes = " · " + esc(_("%(n)s min") % {"n": formats.localize(i.duration_minutes)})
    summary = (
        f'<div class="small">{esc(Truncator(i.summary).chars(240))}</div>' if i.summary else ""
    )
    outcome = (
        f'<div class="small muted">{esc(_("Outcome"))}: {esc(Truncator(i.outcome).chars(160))}</div>'
        if i.outcome
        else ""
    )
    url = esc(id_url(i.pk, "communications:interaction_detail"))
    return (
        f'<li class="tl-entry tl-interaction" data-kind="{esc(str(i.kind))}">\n'
        f'  <span class="tl-when">{local_minute(i.occurred_at)}</span>\n'
        f'  <span class="badge">{esc(str(i.get_kind_display()))}</span>{confidential}\n'
        f'  <a href="{url}"><strong>{esc(str(i.subject))}</strong></a>\n'
        f'  <span class="muted small">· {person_html(i.author)}{minutes}'
        f" · {esc(str(i.get_sentiment_display()))}</span>\n"
        f"  {summary}\n"
        f"  {outcome}\n"
        "</li>\n"
    )


def followup_html(f) -> str:
    css = " danger" if f.is_overdue else " ok" if f.status == "done" else ""
    if f.note_hidden:
        note = f'<span class="muted">{esc(_("Confidential follow-up"))}</span>'
    else:
        note = esc(Truncator(f.note).chars(160))
    return (
        '<li class="tl-entry tl-followup">\n'
        f'  <span class="tl-when">{local_minute(f.created_at)}</span>\n'
        f'  <span class="badge{css}">{esc(_("Follow-up"))} · {esc(str(f.get_status_display()))}'
        "</span>\n"
        f"  {note}\n"
        f'  <span class="muted small">· {esc(_("Due"))} {local_minute(f.due_at)} · {person_html(f.assignee)}'
        "</span>\n"
        "</li>\n"
    )

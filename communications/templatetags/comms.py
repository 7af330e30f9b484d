import html

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from communications.timeline import local_minute, person_html
from tenancy.templatetags.steward import id_url as _id_url

register = template.Library()


@register.filter
def client_url(client) -> str:
    """The client's 360° page (owned by the clients app), or this app's log page
    while that page is not mounted."""
    try:
        return _id_url(client.pk, "clients:detail")
    except NoReverseMatch:
        return reverse("communications:client_log", kwargs={"client_id": client.pk})


@register.filter
def followup_groups(section) -> list:
    """(title, rows, key, count) of My day's three follow-up groups."""
    counts = section.get("counts") or {}
    return [
        (title, section[key], key, counts.get(key, len(section[key])))
        for title, key in (
            (_("Overdue"), "overdue"),
            (_("Due today"), "today"),
            (_("Upcoming"), "upcoming"),
        )
    ]


@register.filter
def can_change_followup(follow_up, user) -> bool:
    """Show the done / cancel / snooze buttons only to those who may use them."""
    from communications.policy import can_change_followup as allowed

    return bool(getattr(user, "pk", None)) and allowed(user, follow_up)


# --- follow-up rows, written in Python -----------------------------------------------------
# My day lists up to 60 follow-ups and /follow-ups/ a page of them; as an
# included template each row cost ~0.25 ms (four URL reversals, two CSRF
# inputs, a dozen lookups and translations), a third of My day's rendering.
# One implementation for every place a row is shown (the lists and the htmx
# swap after done / snooze): ``communications/_followup_row.html`` calls it.


def _row_html(fu, *, user, csrf: str, next_path: str, words: dict, compact: bool, flash) -> str:
    esc = html.escape
    overdue = fu.is_overdue
    due = local_minute(fu.due_at)
    parts = [
        f'<li class="fu-row{" overdue" if overdue else ""}" id="followup-{fu.pk}" '
        f'data-followup="{fu.pk}">\n'
    ]
    if flash:
        parts.append(f'  <span class="badge ok">{esc(str(flash))}</span>\n')
    parts.append(
        f'  <a href="{esc(client_url(fu.client))}"><strong>{esc(fu.client.name)}</strong></a>\n'
    )
    who = ""
    if not compact:
        who = " · " + person_html(fu.assignee)
    parts.append(f'  <span class="muted small">{words["due"]} {due}{who}</span>\n')
    if fu.kind == "revisit":
        parts.append(f'  <span class="badge">{words["revisit"]}</span>\n')
    status_css = " ok" if fu.status == "done" else (" danger" if overdue else "")
    parts.append(f'  <span class="badge{status_css}">{esc(str(fu.get_status_display()))}</span>\n')
    if getattr(fu, "confidential", False):
        parts.append(f'  <span class="badge danger">{words["confidential"]}</span>\n')
    if fu.note_hidden:
        note = f'<span class="muted">{words["hidden"]}</span>'
    else:
        note = esc(Truncator(fu.note).chars(140))
    parts.append(f'  <div class="small">{note}</div>\n')
    if fu.status == "open" and can_change_followup(fu, user):
        status_url = esc(_id_url(fu.pk, "communications:followup_status"))
        snooze_url = esc(_id_url(fu.pk, "communications:followup_snooze"))
        nxt = f'<input type="hidden" name="next" value="{esc(next_path)}">'
        target = f'hx-target="#followup-{fu.pk}" hx-swap="outerHTML"'
        parts.append(
            '  <div class="fu-actions">\n'
            f'    <form method="post" action="{status_url}" hx-post="{status_url}" {target}>'
            f'{csrf}{nxt}<button name="status" value="done" type="submit">{words["done"]}</button> '
            f'<button name="status" value="cancelled" type="submit" class="link">{words["cancel"]}'
            "</button></form>\n"
            f'    <form method="post" action="{snooze_url}" hx-post="{snooze_url}" {target}>'
            f'{csrf}{nxt}<select name="until" aria-label="{words["snooze"]}">'
            f'<option value="1h">{words["1h"]}</option><option value="tomorrow">'
            f'{words["tomorrow"]}</option><option value="1w">{words["1w"]}</option></select> '
            f'<button type="submit">{words["snooze"]}</button></form>\n'
            "  </div>\n"
        )
    parts.append("</li>")
    return "".join(parts)


def _row_words() -> dict:
    esc = html.escape
    return {
        "due": esc(_("Due")),
        "revisit": esc(_("Revisit")),
        "confidential": esc(_("Confidential")),
        "hidden": esc(_("Confidential follow-up")),
        "done": esc(_("Done")),
        "cancel": esc(_("Cancel")),
        "snooze": esc(_("Snooze")),
        "1h": esc(_("1 hour")),
        "tomorrow": esc(_("Tomorrow 9:00")),
        "1w": esc(_("1 week")),
    }


@register.simple_tag(takes_context=True)
def followup_rows(context, rows, compact: bool = False, flash=None) -> str:
    """``<li>`` rows of follow-ups from ``followup_list`` (their note already
    behind the wall when hidden): client, due time, status, the note, and
    done / cancel / snooze for those who may change it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    csrf = CsrfTokenNode().render(context)
    next_path = request.get_full_path() if request is not None else ""
    words = _row_words()
    out = "".join(
        _row_html(
            fu, user=user, csrf=csrf, next_path=next_path, words=words, compact=compact, flash=flash
        )
        for fu in rows
    )
    return mark_safe(out)  # noqa: S308 - every value in _row_html went through escape()


@register.simple_tag(takes_context=True)
def followup_row(context, fu, compact: bool = False, flash=None) -> str:
    """One row (``followup_rows``), e.g. swapped in after done / snooze."""
    return followup_rows(context, [fu], compact=compact, flash=flash)

"""What communications contributes to pages other apps own: the client 360°
section (timeline + log form), the "My day" section, and the timeline's two
sources. Registered in ``CommunicationsConfig.ready``. Each context builds a
fixed number of queries (the pages assert their query counts)."""

from __future__ import annotations

from django.utils import timezone

from clients.access import with_client
from tenancy.timezones import user_zone

from . import policy, selectors
from .forms import FollowUpForm, InteractionForm, NextStepFormSet, SharedRows
from .models import FollowUp, Interaction
from .timeline import TimelineEntry, followup_html, interaction_html, timeline_page

# The timeline is one client's (from ``client_get``): its rows are read without
# joining that client again — 21 rows each decrypting its four encrypted
# contact fields — and carry the instance given (``with_client``).


def interaction_entries(*, user, client, cursor, limit) -> list[TimelineEntry]:
    qs = selectors.interaction_list(user=user, client=client).select_related(None)
    if cursor is not None:
        qs = qs.filter(cursor.q("interaction", "occurred_at"))
    rows = with_client(qs.select_related("author").order_by("-occurred_at", "-pk")[:limit], client)
    return [
        TimelineEntry(i.occurred_at, "interaction", i.pk, "", i, write=interaction_html)
        for i in rows
    ]


def followup_entries(*, user, client, cursor, limit) -> list[TimelineEntry]:
    qs = selectors.followup_list(user=user, client=client).select_related(None).defer(None)
    if cursor is not None:
        qs = qs.filter(cursor.q("followup", "created_at"))
    rows = with_client(qs.select_related("assignee").order_by("-created_at", "-pk")[:limit], client)
    return [TimelineEntry(f.created_at, "followup", f.pk, "", f, write=followup_html) for f in rows]


def _planning(client) -> dict:
    return {
        "preferred_channel": client.get_preferred_channel_display(),
        "contact_from": client.contact_time_from,
        "contact_to": client.contact_time_to,
        # every channel with granted / not granted, as on the 360° page
        "consents": [
            (label, bool((client.marketing_consent or {}).get(value)))
            for value, label in client._meta.get_field("preferred_channel").choices
        ],
    }


def client_section_context(request, client) -> dict:
    """Client 360°: the timeline's first page, the log form and the follow-up form."""
    user = request.user
    colleagues = SharedRows(selectors.colleague_list(user=user))
    entries, next_cursor = timeline_page(user=user, client=client)
    return {
        "client": client,
        "entries": entries,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "form": InteractionForm(
            contacts=selectors.contact_persons(client=client),
            colleagues=colleagues,
            auto_id="log_%s",
        ),
        "steps": NextStepFormSet(prefix="next", colleagues=colleagues),
        "followup_form": FollowUpForm(colleagues=colleagues, user=user, auto_id="fu_%s"),
        "planning": _planning(client),
        "tz": user_zone(user),
        "can_write": policy.writes_client_data(user),
    }


def my_day_context(request) -> dict:
    user = request.user
    now = timezone.now()
    tz = user_zone(user)
    followups = selectors.my_followups(user=user, now=now, tz=tz)
    rules = selectors.comm_settings_get()  # the cadences, read once for both lists
    clients = selectors.client_choices(user=user)[:300]
    return {
        **followups,
        # a branch head's team at a glance (empty for every other role)
        "team": selectors.team_summary(user=user, now=now, tz=tz, settings=rules),
        "revisits": selectors.my_revisits(user=user, now=now, settings=rules),
        "quick_form": InteractionForm(
            clients=clients,
            colleagues=selectors.colleague_list(user=user).none(),
            auto_id="quick_%s",
        ),
        "tz": tz,
        "can_write": policy.writes_client_data(user),
        "kinds": Interaction.Kind.choices,
        "statuses": FollowUp.Status,
    }

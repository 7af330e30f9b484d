"""The contact budget: how often the bank may reach out to a client.

A client may get at most one piece of outreach (a survey today; event
invitations and other outreach as later issues add them) per survey interval
(``SurveySettings.survey_interval_days``, default 90), none while it has an
open service recovery, and none through a channel it has not consented to.

Each kind of outreach registers a source: a function returning, for the
tenant in scope, a queryset of its rows with a ``client_id`` and a time
field. ``budget_spent_q`` turns every source into one ``Exists()`` each, so
the dispatch stays a single set-based query however many sources there are::

    from loyalty.surveys.budget import register_outreach_source
    register_outreach_source(key="events", rows=lambda: EventInvitation.objects.all(),
                             at_field="invited_at")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from tenancy.registry import Registry

from ..models import ServiceRecovery, SurveyChannel, SurveyInvitation
from .config import survey_settings


@dataclass(frozen=True)
class OutreachSource:
    key: str
    rows: Callable
    at_field: str


OUTREACH_SOURCES: Registry[OutreachSource] = Registry("outreach sources")


def register_outreach_source(*, key: str, rows: Callable, at_field: str) -> None:
    OUTREACH_SOURCES.register(key, OutreachSource(key, rows, at_field))


register_outreach_source(
    key="surveys", rows=lambda: SurveyInvitation.objects.all(), at_field="sent_at"
)


def budget_spent_q(*, now: datetime, prefix: str = "") -> Q:
    """Clients (``prefix`` reaches them through a relation) already reached
    by some outreach within the survey interval before ``now``."""
    since = now - timedelta(days=survey_settings().survey_interval_days)
    q = Q(pk__in=[])
    for source in OUTREACH_SOURCES:
        rows = source.rows().filter(
            client_id=OuterRef(f"{prefix}pk"), **{f"{source.at_field}__gt": since}
        )
        q |= Exists(rows)
    return q


def open_recovery_q(prefix: str = "") -> Q:
    """Clients with an open service recovery (no outreach until it closes)."""
    return Exists(
        ServiceRecovery.objects.filter(
            client_id=OuterRef(f"{prefix}pk"),
            kind=ServiceRecovery.Kind.RECOVERY,
            status=ServiceRecovery.Status.OPEN,
        )
    )


def _consents(channel: str, address: str, prefix: str) -> Q:
    return Q(**{f"{prefix}marketing_consent__{channel}": True}) & ~Q(**{f"{prefix}{address}": ""})


# the client's preferred channel (clients' vocabulary) -> the survey channel
PREFERRED = (
    ("email", SurveyChannel.EMAIL, "email", "email_index"),
    ("phone", SurveyChannel.SMS, "phone", "phone_index"),
    ("message", SurveyChannel.WECHAT, "message", "phone_index"),
)


def channel_expression(prefix: str = "") -> Case:
    """The channel a survey reaches the client through, in SQL: its preferred
    channel when it consented to it (and we have the address), else email
    with consent, else NULL (no consent: no survey)."""
    whens = [
        When(
            Q(**{f"{prefix}preferred_channel": pref}) & _consents(consent, address, prefix),
            then=Value(channel.value),
        )
        for pref, channel, consent, address in PREFERRED
    ]
    whens.append(When(_consents("email", "email_index", prefix), then=Value("email")))
    return Case(*whens, default=Value(None), output_field=CharField())


def channel_for(client) -> str | None:
    """``channel_expression`` for one loaded client."""
    consent = client.marketing_consent or {}
    for pref, channel, key, address in PREFERRED:
        if (
            client.preferred_channel == pref
            and consent.get(key) is True
            and getattr(client, address)
        ):
            return channel.value
    if consent.get("email") is True and client.email_index:
        return SurveyChannel.EMAIL.value
    return None

"""The RSVP link of an event invitation: derived, not stored, like the
survey link (``loyalty.surveys.links``) but with its own salt, so a survey
token opens no invitation and the other way round."""

from __future__ import annotations

from django.urls import reverse

from ..surveys.links import LinkIds, parse_token, public_base_url, signed_token

SALT = "steward.loyalty.event-rsvp"


def rsvp_token(*, tenant_id: int, invitation_id: int) -> str:
    return signed_token(salt=SALT, tenant_id=tenant_id, object_id=invitation_id)


def parse_rsvp_token(token: str) -> LinkIds | None:
    return parse_token(token, salt=SALT)


def rsvp_url(*, tenant_id: int, invitation_id: int, request=None) -> str:
    path = reverse(
        "event_public",
        kwargs={"token": rsvp_token(tenant_id=tenant_id, invitation_id=invitation_id)},
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return public_base_url().rstrip("/") + path

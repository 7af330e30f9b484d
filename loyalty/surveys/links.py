"""The single-use survey link's token.

The token is derived, not stored: ``<tenant id>.<invitation id>.<mac>`` in
base 36, the mac a keyed HMAC (``salted_hmac`` over SECRET_KEY) of both ids.
So the database holds nothing that opens a survey (a leaked table cannot be
turned into links), staff can still be shown the link at any time, and the
set-based dispatch inserts invitations without computing anything per row.
The public page knows the tenant from the token before it reads anything
(row-level security needs it). Changing SECRET_KEY invalidates every link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "steward.loyalty.survey-link"
MAC_LENGTH = 26  # base-36 digits of the HMAC kept (~134 bits)
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int) -> str:
    if n <= 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def _mac(tenant_id: int, invitation_id: int, salt: str = SALT) -> str:
    digest = salted_hmac(salt, f"{tenant_id}:{invitation_id}", algorithm="sha256").digest()
    return _b36(int.from_bytes(digest, "big"))[:MAC_LENGTH]


def signed_token(*, salt: str, tenant_id: int, object_id: int) -> str:
    """``<tenant>.<object>.<mac>`` for any public link; each kind of link has
    its own ``salt``, so a survey token never opens an event invitation."""
    return f"{_b36(tenant_id)}.{_b36(object_id)}.{_mac(tenant_id, object_id, salt)}"


def invitation_token(*, tenant_id: int, invitation_id: int) -> str:
    return signed_token(salt=SALT, tenant_id=tenant_id, object_id=invitation_id)


@dataclass(frozen=True)
class LinkIds:
    tenant_id: int
    invitation_id: int


def parse_token(token: str, salt: str = SALT) -> LinkIds | None:
    """The ids in a genuine token; None for anything else (the page answers 404)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or len(token) > 80:
        return None
    try:
        tenant_id, invitation_id = int(parts[0], 36), int(parts[1], 36)
    except ValueError:
        return None
    if tenant_id <= 0 or invitation_id <= 0:
        return None
    if not constant_time_compare(parts[2], _mac(tenant_id, invitation_id, salt)):
        return None
    return LinkIds(tenant_id, invitation_id)


def public_base_url() -> str:
    """Where clients reach the public pages when no request is at hand
    (the dispatch emails): ``PUBLIC_BASE_URL`` in the settings."""
    return settings.PUBLIC_BASE_URL


def invitation_url(*, tenant_id: int, invitation_id: int, request=None) -> str:
    path = reverse(
        "survey_public",
        kwargs={"token": invitation_token(tenant_id=tenant_id, invitation_id=invitation_id)},
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return public_base_url().rstrip("/") + path

"""API tokens: one per login, hashed at rest, expiring, revocable.

Tokens are knox tokens (``tenancy.ApiToken``): the caller sees the key once,
the database keeps a digest. A token lives ``REST_KNOX["TOKEN_TTL"]``
(``API_TOKEN_TTL_HOURS``, default 10 h) from when it was issued; using it does
not extend it. A new login makes a new token; the older ones stay valid until
they expire or are revoked; beyond ``API_TOKEN_MAX_PER_USER`` (20) the oldest
are revoked. Every issue and revocation is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import audit_record
from .context import current_tenant_id, tenant_scope
from .models import User
from .models_security import ApiToken


def _in_tenant(user: User):
    """Audit in the user's tenant: reuse the scope in force, else open one."""
    if current_tenant_id() == user.tenant_id:
        return transaction.atomic()
    return tenant_scope(user.tenant_id)


def _device(request) -> str:
    if request is None:
        return ""
    return (request.META.get("HTTP_USER_AGENT") or "")[:200]


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def api_token_create(*, user: User, request=None) -> tuple[ApiToken, str]:
    """Issue a new token for ``user`` (already authenticated, with a tenant).
    Returns the row and the key; the key is not kept."""
    with _in_tenant(user):
        token, key = ApiToken.objects.create(user=user)
        token.device = _device(request)
        token.ip_address = _ip(request)
        token.save(update_fields=["device", "ip_address"])
        # A client that logs in for every call must not pile up tokens (each
        # authentication reads the user's tokens): the oldest beyond the cap go.
        keep = ApiToken.objects.filter(user_id=user.pk).order_by("-created", "-id")
        surplus = list(keep.values_list("id", flat=True)[settings.API_TOKEN_MAX_PER_USER :])
        if surplus:
            ApiToken.objects.filter(id__in=surplus).delete()
        audit_record(
            action="auth.token_created",
            actor=user,
            target=user,
            data={"token_id": token.pk, "expiry": token.expiry, "revoked_oldest": len(surplus)},
            ip_address=_ip(request),
        )
    return token, key


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """``user``'s own tokens that still work (no secrets: id, created, expiry, device)."""
    now = timezone.now()
    return ApiToken.objects.filter(user_id=user.pk).filter(
        Q(expiry__gt=now) | Q(expiry__isnull=True)
    )


def api_token_revoke(*, token: ApiToken, request=None) -> None:
    """Log out this token only."""
    user = token.user
    with _in_tenant(user):
        token_id = token.pk
        token.delete()
        audit_record(
            action="auth.token_revoked",
            actor=user,
            target=user,
            data={"token_id": token_id},
            ip_address=_ip(request),
        )


def api_token_revoke_all(*, user: User, actor: User | None = None, request=None) -> int:
    """Log ``user`` out everywhere: every token of theirs stops working.
    ``actor`` is the user themself, or the tenant admin revoking for them."""
    actor = actor or user
    with _in_tenant(user):
        count, _by_model = ApiToken.objects.filter(user_id=user.pk).delete()
        audit_record(
            action="auth.tokens_revoked_all",
            actor=actor,
            target=user,
            data={"count": count},
            ip_address=_ip(request),
        )
    return count

"""Auth signals → audit trail. Django's login machinery only offers signals,
so these thin receivers call the audit service."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .context import tenant_scope


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


@receiver(user_logged_in, dispatch_uid="tenancy.audit_login")
def audit_login(sender, request, user, **kwargs):
    if user.tenant_id is None:
        return
    with tenant_scope(user.tenant_id):
        audit_record(action="auth.login", actor=user, target=user, ip_address=_ip(request))


@receiver(user_logged_in, dispatch_uid="tenancy.session_touched_at_login")
def session_touched_at_login(sender, request, user, **kwargs):
    """Signing in saves the session with a fresh expiry: it counts as the last
    save for ``SessionIdleMiddleware`` (the next minute's pages write nothing)."""
    from django.utils import timezone

    from .middleware import SessionIdleMiddleware

    session = getattr(request, "session", None)
    if session is not None:
        session[SessionIdleMiddleware.KEY] = int(timezone.now().timestamp())


@receiver(user_logged_out, dispatch_uid="tenancy.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None or user.tenant_id is None:
        return
    with tenant_scope(user.tenant_id):
        audit_record(action="auth.logout", actor=user, target=user, ip_address=_ip(request))


@receiver(user_login_failed, dispatch_uid="tenancy.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username")
    if not username:
        return
    user = (
        get_user_model()
        .objects.filter(username=username)
        .only("id", "tenant_id", "username")
        .first()
    )
    if user is None or user.tenant_id is None:
        return  # unknown account: nothing to chain it to (axes still counts it)
    # a wrong one-time code (tenancy.twofactor) is a failed login of its own kind
    action = "auth.otp_failed" if credentials.get("second_factor") else "auth.login_failed"
    with tenant_scope(user.tenant_id):
        audit_record(
            action=action,
            target=user,
            data={"username": username},
            ip_address=_ip(request),
        )
